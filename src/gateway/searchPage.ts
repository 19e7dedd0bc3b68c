/**
 * The page of an `attestations(search:)` connection at a cost bounded by two limits, whatever the planner estimates
 * and wherever the matches sit (before: the planner chose between the trigram bitmap — cost ≈ the matches — and a
 * walk of the order's index — cost ≈ the rows between the cursor and the page's last match —, at 100,000
 * attestations up to 74,104 rows for one page of 50):
 *
 * 1. **Candidates**: the rows the trigram index yields for the search, read by a bitmap scan (the plan is set for the
 *    statement: `enable_seqscan`, `enable_indexscan` and `enable_indexonlyscan` off in its transaction, so the GIN
 *    bitmap is the only way to read them) and cut at {@link SEARCH_MAX_CANDIDATES} + 1 matches over every chain.
 *    When they are at most the cap, they are every match: the page is the usual keyset page over those ids (primary
 *    key lookups and a sort, `byIds`, with Seq Scans off for the statement), exact from any cursor. The cut counts matches: rows holding every trigram of the search without
 *    the substring (the index's false positives, rechecked) are read on top of them, which the product does not
 *    bound — a search whose trigrams are everywhere but whose substring is rare costs those rows.
 * 2. **Walk**: a search with more matches is common enough to be found by walking the order's index from the cursor
 *    and checking each row: at most {@link SEARCH_MAX_WALK} rows per chain. When the walks fill the page (or reach
 *    the end of the list), that is the page. When a walk is cut before the page is full, the page cannot be told
 *    without reading further: `SEARCH_TOO_BROAD` (with `maxCandidates` and `maxWalk`), never a silently short or
 *    wrong page — narrow the search or add a `where` filter.
 *
 * A page thus reads at most SEARCH_MAX_CANDIDATES + 1 matching rows, plus SEARCH_MAX_WALK rows per chain for a
 * common search. Not used with a `recipient` filter: the recipient's rows bound that page (./attestationPage.ts).
 */
import { Prisma, type PrismaClient } from '../generated/prisma/client.js'
import { type AttestationPageSqlInput, buildAttestationPageSql } from './attestationPage.js'
import { SearchTooBroadError } from './errors.js'
import { type SearchTerm, toSearchCondition } from './search.js'

/** Matches a search page reads from the trigram index before it walks the order's index instead. */
export const SEARCH_MAX_CANDIDATES = 10_000
/** Rows per chain a common search's page walks in the order's index before `SEARCH_TOO_BROAD`. */
export const SEARCH_MAX_WALK = 10_000

type PageRow = { chainId: number; attestationId: bigint }

/** Planner settings for the next statement of the transaction: a bitmap scan is the only way left to read a table. */
const BITMAP_ONLY_SQL = Prisma.sql`SELECT set_config('enable_seqscan', 'off', true), set_config('enable_indexscan', 'off', true),
  set_config('enable_indexonlyscan', 'off', true)`
/** Planner settings for the page over the candidates' ids: no Seq Scan (the ids' share of the table does not matter). */
const NO_SEQSCAN_SQL = Prisma.sql`SELECT set_config('enable_seqscan', 'off', true)`

/**
 * Reads the ids of a search page, in scan order (as `buildAttestationPageSql` returns them).
 * @param input the page without the search among its conditions
 * @throws {SearchTooBroadError} SEARCH_TOO_BROAD when the search has more than SEARCH_MAX_CANDIDATES matches and the
 *   walks of SEARCH_MAX_WALK rows per chain do not fill the page
 */
export async function readSearchPage(prisma: PrismaClient, input: AttestationPageSqlInput, search: SearchTerm): Promise<PageRow[]> {
  const condition = toSearchCondition('a', search)
  return readCappedSearchPage<PageRow>(prisma, {
    candidates: Prisma.sql`SELECT a."chainId", a."attestationId" FROM "Attestation" a WHERE ${condition} LIMIT ${SEARCH_MAX_CANDIDATES + 1}`,
    pageByIds: (candidates) => {
      const ids = candidates.map((c) => String(c.attestationId))
      const pairs = candidates.map((c) => `${c.chainId}:${c.attestationId}`)
      const where = [
        ...input.conditions.where,
        Prisma.sql`a."attestationId" = ANY(CAST(${ids}::text[] AS bigint[]))`,
        Prisma.sql`(a."chainId"::text || ':' || a."attestationId"::text) = ANY(${pairs}::text[])`,
        condition,
      ]
      return buildAttestationPageSql({ ...input, conditions: { ...input.conditions, where }, byIds: true })
    },
    walk: buildAttestationPageSql({ ...input, walk: { limit: SEARCH_MAX_WALK, search: condition } }),
    take: input.take,
    rows: 'attestations',
  })
}

/** The statements of a capped search page (see the module comment), for a list of `R` ids. */
export type CappedSearchInput<R> = {
  /** the trigram index's matches (ids only, unordered, every chain), `LIMIT SEARCH_MAX_CANDIDATES + 1` */
  candidates: Prisma.Sql
  /** the page over at most SEARCH_MAX_CANDIDATES candidates, by primary key (their ids among its conditions) */
  pageByIds: (candidates: R[]) => Prisma.Sql
  /** the page walking at most SEARCH_MAX_WALK rows of the order's index per chain, rows with `hit` (see `walk` of AttestationPageSqlInput) */
  walk: Prisma.Sql
  /** rows the page reads: page size + 1 */
  take: number
  /** what is searched, for the SEARCH_TOO_BROAD message: `attestations` or `schemas` */
  rows: string
}

/**
 * A capped search page: the candidates (a bitmap of the trigram index, cut at SEARCH_MAX_CANDIDATES + 1), paged by
 * id when they are every match, else the bounded walk.
 * @returns the page's ids in scan order
 * @throws {SearchTooBroadError} when a walk was cut before the page was full
 */
export async function readCappedSearchPage<R extends object>(prisma: PrismaClient, input: CappedSearchInput<R>): Promise<R[]> {
  const [, candidates] = await prisma.$transaction([prisma.$queryRaw(BITMAP_ONLY_SQL), prisma.$queryRaw<R[]>(input.candidates)])
  if (candidates.length <= SEARCH_MAX_CANDIDATES) {
    if (!candidates.length) return []
    // no Seq Scan either for the page: the rows come from the ids by primary key (byIds), whatever their share
    const [, page] = await prisma.$transaction([prisma.$queryRaw(NO_SEQSCAN_SQL), prisma.$queryRaw<R[]>(input.pageByIds(candidates))])
    return page
  }
  const walked = await prisma.$queryRaw<(R & { hit: boolean })[]>(input.walk)
  // the rows before the first cut walk's last row are every match up to there; beyond it, that chain was not read
  const cut = walked.findIndex((r) => !r.hit)
  if (cut < 0) return walked
  if (cut >= input.take) return walked.slice(0, input.take)
  throw new SearchTooBroadError(SEARCH_MAX_CANDIDATES, SEARCH_MAX_WALK, input.rows)
}
