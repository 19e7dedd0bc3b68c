/**
 * The root `attestations` connection as a per-chain keyset (./keyset.ts): ONE page query that reads ids only —
 * `LIMIT first + 1` rows per chain from the index of the filter and order — then the rows re-read by primary key
 * with the selection Pothos planned (`loadAttestations`, so relations under the nodes still batch).
 *
 * Which index serves what (prisma/schema.prisma; every index starts with chainId, see keyset.ts for why):
 * - no filter: the primary key (chainId, attestationId) / (chainId, attestTimestamp, attestationId);
 * - schemaId, attester, indexingKey, revoked, linkedAttestationId: (chainId, <column>, attestationId) for the id
 *   orders and (chainId, <column>, attestTimestamp, attestationId) for the timestamp orders;
 * - recipient: the Recipient table, (chainId, address, attestationId) / (chainId, text, attestationId), one
 *   ordered scan per spelling of the address merged without duplicates (an attestation may name one recipient
 *   twice); for the timestamp orders (chainId, address | text, attestTimestamp, attestationId) over the
 *   attestTimestamp copied into each Recipient row;
 * - attestTimestampGte/Lte: a range of the timestamp index, walked in (attestTimestamp, attestationId) order for
 *   the id orders too: this RELIES on the contract (SP.sol `_attest`: `attestationId = $.attestationCounter++;
 *   attestTimestamp = uint64(block.timestamp)`) and on block timestamps never decreasing along a chain, so on each
 *   chain attestTimestamp never decreases as the id grows and that order IS the id order. On data that broke this
 *   rule the page would still hold only rows of the range, in (attestTimestamp, attestationId) order. (It was an id
 *   range from one probe per end; the planner, not knowing the ends, estimated it at 0.5 % of the chain and read
 *   the whole range to sort it, on PostgreSQL 15 and 18 alike.)
 * - inLineageOf: the lineage walk's ids (at most 2 × LINEAGE_MAX_NODES) by primary key: bounded by the walk, not
 *   the table.
 * - search (./search.ts, ./searchPage.ts): a bounded read of the trigram index (at most SEARCH_MAX_CANDIDATES
 *   matches), sorted and paged by primary key; beyond that cap, a walk of the order's index checking each row, at
 *   most SEARCH_MAX_WALK rows per chain (`SEARCH_TOO_BROAD` when that walk cannot fill the page). With `recipient`,
 *   the recipient's rows bound the page and the search is one more condition on them.
 * Other filters given together are checked on the rows the chosen index yields.
 */
import { buildRollupCountSql } from './stats/rollupCount.js'
import type { GraphQLResolveInfo } from 'graphql'
import { queryFromInfo } from '@pothos/plugin-prisma'
import { Prisma, type Attestation } from '../generated/prisma/client.js'
import type { GatewayContext } from './builder.js'
import { queryRows } from '../db/directReads.js'
import { toIndexableTextTruncated } from '../db/toStorable.js'
import { isStorableUint64, parseIdFilter, parseUint64 } from './ids.js'
import { assertFilterText } from './inputLimits.js'
import {
  buildKeysetPageSql,
  CHAIN_ID,
  chainsSql,
  compareKeyset,
  type ConnectionArgs,
  formatRecordCursor,
  type KeysetBound,
  type KeysetConnection,
  limitSql,
  parseRecordCursor,
  toKeysetConnection,
  toPageRequest,
} from './keyset.js'
import { loadAttestations } from './lineage.js'
import { attestationColumnsSql, type DirectSelection, toAttestationRow, toDirectSelection } from './attestationRows.js'
import { parseSearch, toSearchCondition } from './search.js'
import { readSearchPage } from './searchPage.js'
import { type AttestationFilter, getLineageOf, parseAddress, toRecipientMatch } from './types/attestationWhere.js'

export type AttestationOrderValue = 'ATTESTATION_ID_ASC' | 'ATTESTATION_ID_DESC' | 'ATTEST_TIMESTAMP_ASC' | 'ATTEST_TIMESTAMP_DESC'

/** A parsed filter: chains it fixes, conditions on `a` ("Attestation"), and the recipient spellings if any. */
export type AttestationConditions = {
  chainIds: number[] | null
  where: Prisma.Sql[]
  recipient: { address: string | null; texts: string[] } | null
  attestTimestampGte: bigint | null
  attestTimestampLte: bigint | null
  /** `where` holds an id list (`inLineageOf`): its generic plan would assume a list of 10 (keyset.ts limitSql) */
  idList?: boolean
  /** the time range's own entries of `where` (the same objects), which a page may fold into its cursor's bound */
  timeSql?: { gte: Prisma.Sql | null; lte: Prisma.Sql | null }
}

/**
 * Parses an `AttestationWhere` into SQL conditions (the same meaning as `toAttestationWhereInput`).
 * @param lineageIds the ids of `inLineageOf` (resolved by the caller), else null
 * @throws {BadUserInputError} when an id, address or timestamp does not parse
 */
export function toAttestationConditions(
  where: AttestationFilter | null | undefined,
  lineage: { chainId: number; ids: bigint[] } | null,
): AttestationConditions {
  const chains = new Set<number>()
  const conditions: Prisma.Sql[] = []
  const out: AttestationConditions = { chainIds: null, where: conditions, recipient: null, attestTimestampGte: null, attestTimestampLte: null }
  if (!where) return out
  /** a filter no stored row can meet (an id or time above int64, text too long to have been indexed) */
  const nothing = () => conditions.push(Prisma.sql`FALSE`)
  if (where.chainId != null) chains.add(where.chainId)
  if (where.schemaId != null) {
    const { chainId, id } = parseIdFilter(assertFilterText(String(where.schemaId), 'schemaId'), 'schemaId')
    if (chainId != null) chains.add(chainId)
    if (isStorableUint64(id)) conditions.push(Prisma.sql`a."schemaId" = ${id.toString()}::bigint`)
    else nothing()
  }
  if (where.attester != null) conditions.push(Prisma.sql`a."attester" = ${parseAddress(assertFilterText(where.attester, 'attester'), 'attester')}`)
  // the indexer stored the indexing key through toIndexableTextTruncated: the same chain value maps alike here
  if (where.indexingKey != null) conditions.push(Prisma.sql`a."indexingKey" = ${toIndexableTextTruncated(assertFilterText(where.indexingKey, 'indexingKey'))}`)
  if (where.revoked != null) conditions.push(Prisma.sql`a."revoked" = ${where.revoked}`)
  if (where.linkedAttestationId != null) {
    const { chainId, id } = parseIdFilter(assertFilterText(String(where.linkedAttestationId), 'linkedAttestationId'), 'linkedAttestationId')
    if (chainId != null) chains.add(chainId)
    if (isStorableUint64(id)) conditions.push(Prisma.sql`a."linkedAttestationId" = ${id.toString()}::bigint`)
    else nothing()
  }
  if (where.attestTimestampGte != null) {
    const gte = parseUint64(assertFilterText(where.attestTimestampGte, 'attestTimestampGte'), 'attestTimestampGte')
    if (isStorableUint64(gte)) {
      out.attestTimestampGte = gte
      const sql = Prisma.sql`a."attestTimestamp" >= ${gte.toString()}::bigint`
      out.timeSql = { gte: sql, lte: out.timeSql?.lte ?? null }
      conditions.push(sql)
    } else nothing() // every stored timestamp is below it
  }
  if (where.attestTimestampLte != null) {
    const lte = parseUint64(assertFilterText(where.attestTimestampLte, 'attestTimestampLte'), 'attestTimestampLte')
    if (isStorableUint64(lte)) {
      out.attestTimestampLte = lte
      const sql = Prisma.sql`a."attestTimestamp" <= ${lte.toString()}::bigint`
      out.timeSql = { gte: out.timeSql?.gte ?? null, lte: sql }
      conditions.push(sql)
    } // else every stored timestamp is below it: no condition
  }
  if (where.inLineageOf != null) {
    if (lineage) {
      chains.add(lineage.chainId)
      out.idList = true
      conditions.push(Prisma.sql`a."attestationId" = ANY(CAST(${lineage.ids.map(String)}::text[] AS bigint[]))`)
    } else nothing()
  }
  if (where.recipient != null) {
    const spellings = toRecipientSpellings(assertFilterText(where.recipient, 'recipient'))
    if (spellings) out.recipient = spellings
    else nothing()
  }
  if (chains.size) out.chainIds = [...chains]
  return out
}

/**
 * `count(*)` over the same conditions as the page query (the `totalCount` of `attestations`), per chain like the
 * page: every index starts with chainId, so a filter without a chain (e.g. by attester) counts each chain on its
 * index instead of scanning the whole table (a Seq Scan of 1,000,000 rows, 0.6 s, for one attester).
 * @returns SQL returning one row `{ count: bigint }`
 */
export function buildAttestationCountSql(conditions: AttestationConditions): Prisma.Sql {
  if (conditions.recipient) {
    // driven by the recipient's rows (one index range per chain and spelling), each attestation read by primary key
    return Prisma.sql`SELECT count(*)::bigint AS count FROM ${filteredAttestationsSql(conditions)}`
  }
  const where = [Prisma.sql`a."chainId" = chains.chain_id`, ...conditions.where]
  return Prisma.sql`WITH RECURSIVE chains(chain_id) AS (${chainsSql(Prisma.raw('"Attestation"'), conditions.chainIds)})
    SELECT COALESCE(sum(p.count), 0)::bigint AS count FROM chains
    CROSS JOIN LATERAL (SELECT count(*) AS count FROM "Attestation" a WHERE ${Prisma.join(where, ' AND ')}) p
    WHERE chains.chain_id IS NOT NULL`
}

/**
 * The attestations a filter selects, as a FROM item aliased `a` (every column of "Attestation"), read the way the
 * indexes allow — each starts with chainId — and each chain on its own, inside a lateral subquery behind `OFFSET 0`
 * so the planner cannot merge the chains back into one scan of the table (it estimates the chains' recursive CTE
 * at 100 rows, and then hashes every row):
 * - with a recipient: that recipient's rows, per chain and spelling, from the Recipient indexes that start (chainId,
 *   address) and (chainId, text) — within the time range on the rows' copy of attestTimestamp —, each attestation
 *   then read by primary key and checked there;
 * - with one chain: that chain's rows; with none: each chain's in turn (`chainsSql`).
 * The cost grows with the rows the filter selects on a chain, not with the table. Before, a grouped count over every
 * chain was one scan of the whole table (a part-day time range, an indexing key), and a recipient an `EXISTS` per
 * attestation (a `totalCount` of 13,334 took 240 ms at 1,000,000 attestations; a grouped count 200 ms alone and
 * seconds under load).
 */
export function filteredAttestationsSql(conditions: AttestationConditions): Prisma.Sql {
  const where = conditions.where.length ? Prisma.join(conditions.where, ' AND ') : Prisma.sql`TRUE`
  const { recipient, chainIds } = conditions
  if (chainIds && chainIds.length !== 1) return Prisma.sql`(SELECT * FROM "Attestation" a WHERE FALSE) a` // two chains: nothing matches both
  if (recipient) {
    const rows = recipientRowsSql(recipient, conditions)
    if (!rows) return Prisma.sql`(SELECT * FROM "Attestation" a WHERE FALSE) a`
    return Prisma.sql`${rows}
      CROSS JOIN LATERAL (SELECT * FROM "Attestation" a WHERE a."chainId" = rm."chainId" AND a."attestationId" = rm."attestationId" AND ${where} OFFSET 0) a`
  }
  if (chainIds) return Prisma.sql`(SELECT * FROM "Attestation" a WHERE a."chainId" = ${chainIds[0]!}::int AND ${where}) a`
  return Prisma.sql`(WITH RECURSIVE chains(chain_id) AS (${chainsSql(Prisma.raw('"Attestation"'), null)})
      SELECT p.* FROM chains CROSS JOIN LATERAL (SELECT * FROM "Attestation" a WHERE a."chainId" = chains.chain_id AND ${where} OFFSET 0) p
      WHERE chains.chain_id IS NOT NULL) a`
}

/**
 * The attestations naming a recipient in any of its spellings, from the Recipient rows alone: a FROM item `rm` of
 * distinct `("chainId", "attestationId", ts)` (ts: the row's copy of the attestation's attestTimestamp), read per
 * chain and spelling from the (chainId, address | text, attestTimestamp, attestationId) indexes within the
 * filter's time range and chains. Null when no spelling can match.
 */
export function recipientRowsSql(
  recipient: { address: string | null; texts: string[] },
  conditions: Pick<AttestationConditions, 'chainIds' | 'attestTimestampGte' | 'attestTimestampLte'>,
): Prisma.Sql | null {
  const spellings = recipientSpellingsOn('m', recipient)
  if (!spellings.length) return null
  const time = timeRangeOn(Prisma.raw('m."attestTimestamp"'), conditions)
  const scans = spellings.map(
    (s) =>
      Prisma.sql`SELECT m."chainId", m."attestationId", m."attestTimestamp" AS ts FROM "Recipient" m WHERE m."chainId" = chains.chain_id AND ${Prisma.join([s, ...time], ' AND ')}`,
  )
  return Prisma.sql`(WITH RECURSIVE chains(chain_id) AS (${chainsSql(Prisma.raw('"Recipient"'), conditions.chainIds)})
      SELECT DISTINCT x."chainId", x."attestationId", x.ts FROM chains CROSS JOIN LATERAL (${Prisma.join(scans, ' UNION ALL ')}) x WHERE chains.chain_id IS NOT NULL) rm`
}

/**
 * One condition per spelling of a recipient on a "Recipient" row aliased `alias`: `address = …` for an address, then
 * `text = …` for each text spelling (toRecipientMatch). Empty when nothing can match.
 */
export function recipientSpellingsOn(alias: 'm' | 'r', recipient: { address: string | null; texts: string[] }): Prisma.Sql[] {
  const a = Prisma.raw(alias)
  return [
    ...(recipient.address ? [Prisma.sql`${a}."address" = ${recipient.address}`] : []),
    ...recipient.texts.map((text) => Prisma.sql`${a}."text" = ${text}`),
  ]
}

function toRecipientSpellings(recipient: string): { address: string | null; texts: string[] } | null {
  const match = toRecipientMatch(recipient)
  return match && { address: match.address ?? null, texts: match.texts }
}

export type AttestationPageSqlInput = {
  conditions: AttestationConditions
  order: AttestationOrderValue
  backward: boolean
  after: { chainId: number; attestationId: bigint } | null
  before: { chainId: number; attestationId: bigint } | null
  /** rows to read: page size + 1 */
  take: number
  /**
   * A search checked on a bounded walk of the order's index (./searchPage.ts): each chain's walk reads at most
   * `limit` rows past the cursor (the other conditions applied), returns those matching `search` (`hit` true) and, when
   * it was cut, its last row with `hit` false — the point beyond which that chain was not read. Not with `recipient`.
   */
  walk?: { limit: number; search: Prisma.Sql }
  /**
   * The conditions hold an id list (./searchPage.ts): the order's columns are compared and sorted as expressions
   * (`+ 0`), which no index provides, so the rows come from the list by primary key and are sorted, never from a
   * walk of the order's index that checks each row against the list.
   */
  byIds?: boolean
}

/** The largest value of a PostgreSQL bigint. */
const INT64_MAX = 2n ** 63n - 1n

const A = {
  id: Prisma.raw('a."attestationId"'),
  ts: Prisma.raw('a."attestTimestamp"'),
}

/**
 * The page query the `attestations` resolver sends (exported for the plan test, which EXPLAINs exactly this).
 *
 * Each source reads only the columns of the index meant to serve it, so that index is also the one that can answer
 * without the table (an index-only scan): an id order without a time range reads `(chainId, attestationId)` and
 * never attestTimestamp. Otherwise, once VACUUM has marked the table's pages all-visible, the planner may prefer an
 * index-only scan of the wider (…, attestTimestamp, attestationId) index and SORT every row of the filter
 * (PostgreSQL 18 did, for the recipient, indexingKey, schemaId and revoked pages).
 * @param then see KeysetPageSqlInput.then
 * @returns SQL returning `{ chainId, attestationId }` rows (and `attestTimestamp` for the timestamp orders), at most
 *   `take`, in scan order
 */
export function buildAttestationPageSql(input: AttestationPageSqlInput, then?: Prisma.Sql): Prisma.Sql {
  const { conditions, order } = input
  const byTime = order.startsWith('ATTEST_TIMESTAMP')
  // each chain is walked in (attestTimestamp, attestationId) order for a time order, and for a time range (the id
  // order on each chain, see the module comment); the chains' pages are merged in the order asked
  const { attestTimestampGte: gte, attestTimestampLte: lte } = conditions
  const scanByTime = byTime || gte != null || lte != null
  const direction = order.endsWith('ASC') ? 'asc' : 'desc'
  // the side of the (attestTimestamp, attestationId) key space each cursor bounds (keyset.ts compareKeyset: gt = from below)
  const sides = { after: direction === 'asc' ? 'gt' : 'lt', before: direction === 'asc' ? 'lt' : 'gt' } as const
  // A time bound on the side a cursor bounds too is folded into the cursor's row comparison, and its own condition
  // dropped: given both, the B-tree scan positions on either one and walks the entries up to the other, rejecting
  // them one by one — linear in the rows between a cursor from outside the range and the range (a client that kept
  // its cursor and narrowed the filter; 25 ms at 1,000,000 rows, keysetPlans counts the blocks read).
  const cursorOn = (side: 'gt' | 'lt') => (side === sides.after ? input.after : input.before)
  const folded = {
    gt: scanByTime && cursorOn('gt') != null && gte != null,
    // an upper bound of 2^63 - 1 filters nothing, and its fold's lte + 1 would not be a bigint
    lt: scanByTime && cursorOn('lt') != null && lte != null && lte < INT64_MAX,
  }
  const where = conditions.where.filter((c) => !(folded.gt && c === conditions.timeSql?.gte) && !(folded.lt && c === conditions.timeSql?.lte))
  const bound = (cursor: { chainId: number; attestationId: bigint } | null, side: 'gt' | 'lt'): KeysetBound | null => {
    if (!cursor) return null
    const id = Prisma.sql`${cursor.attestationId.toString()}::bigint`
    if (!scanByTime) return { chainId: cursor.chainId, values: [id] }
    // A time order compares every chain's rows with the cursor row's (attestTimestamp, attestationId). An id order
    // walked by time (a time range) must compare each chain's rows by id: there the bound is, on that chain, the
    // timestamp of its first row beyond the cursor's id (`compareKeyset` finds that row, and applies to (ts, id) as to any keyset),
    // which is exact because a chain's timestamps never decrease as its ids grow (module comment). The cursor row's
    // own timestamp was wrong for the other chains: their pages skipped or repeated rows.
    const beyond = compareKeyset([Prisma.raw('c."attestationId"')], { chainId: cursor.chainId, values: [id] }, side, CHAIN_ID)
    const ts = byTime
      ? Prisma.sql`(SELECT c."attestTimestamp" FROM "Attestation" c WHERE c."chainId" = ${cursor.chainId}::int AND c."attestationId" = ${id})`
      : Prisma.sql`(SELECT c."attestTimestamp" FROM "Attestation" c WHERE c."chainId" = ${CHAIN_ID} AND ${beyond}
          ORDER BY c."attestationId" ${Prisma.raw(side === 'gt' ? 'ASC' : 'DESC')} LIMIT 1)`
    if (!folded[side]) return { chainId: cursor.chainId, values: [ts, id] }
    // the tighter of the time bound and the cursor: a time bound beyond the cursor becomes (gte, -1) from below or
    // (lte + 1, -1) from above — every id of the bound's second, none of the next; a cursor bound that is NULL (the
    // cursor row gone, or no row beyond it on this chain) still matches nothing
    const gt = side === 'gt'
    const limit = gt ? gte! : lte!
    const outside = gt ? Prisma.sql`${limit.toString()}::bigint > ${ts}` : Prisma.sql`${limit.toString()}::bigint < ${ts}`
    const time = Prisma.sql`${(gt ? limit : limit + 1n).toString()}::bigint`
    return {
      chainId: cursor.chainId,
      values: [Prisma.sql`(CASE WHEN ${outside} THEN ${time} ELSE ${ts} END)`, Prisma.sql`(CASE WHEN ${outside} THEN -1 ELSE ${id} END)`],
    }
  }
  const plain = (k: Prisma.Sql) => (input.byIds ? Prisma.sql`(${k} + 0)` : k)
  // one filter, with or without a time range: PostgreSQL may keep a generic plan (keyset.ts limitSql); searches and id
  // lists are planned per values. A time range is no second index to weigh: it bounds the (…, attestTimestamp,
  // attestationId) walk the page takes anyway (scanByTime), so it does not count. Counted as a second condition, a time
  // range page was planned again at every Bind (0.76 ms of PostgreSQL's 1.2 ms per page at 1,000,000 rows).
  const timeConditions = (gte != null ? 1 : 0) + (lte != null ? 1 : 0)
  const filters = conditions.where.length - timeConditions + (conditions.recipient ? 1 : 0)
  const planOnce = !input.walk && !input.byIds && !conditions.idList && filters <= 1
  const limit = (rows: number) => limitSql(rows, planOnce)
  const keys = scanByTime ? [plain(A.ts), plain(A.id)] : [plain(A.id)]
  return buildKeysetPageSql({
    table: Prisma.raw('"Attestation"'),
    mergeKeys: byTime ? [Prisma.raw('p."attestTimestamp"'), Prisma.raw('p."attestationId"')] : [Prisma.raw('p."attestationId"')],
    returns: Prisma.raw(`${byTime ? 'p."chainId", p."attestationId", p."attestTimestamp"' : 'p."chainId", p."attestationId"'}${input.walk ? ', p.hit' : ''}`),
    chainIds: conditions.chainIds,
    direction,
    backward: input.backward,
    after: bound(input.after, sides.after),
    before: bound(input.before, sides.before),
    take: input.take,
    then,
    planOnce,
    source: (chain, keyset, orderBy) => {
      if (!conditions.recipient) {
        const chainWhere = [Prisma.sql`a."chainId" = ${chain}`, ...where]
        if (input.walk) {
          const w = scanByTime ? [Prisma.raw('w."attestTimestamp"'), Prisma.raw('w."attestationId"')] : [Prisma.raw('w."attestationId"')]
          return Prisma.sql`SELECT w."chainId", w."attestationId", w."attestTimestamp", w.hit FROM (
              SELECT a."chainId", a."attestationId", a."attestTimestamp", ${input.walk.search} AS hit, row_number() OVER (ORDER BY ${orderBy(keys)}) AS n
              FROM "Attestation" a WHERE ${Prisma.join(chainWhere, ' AND ')} AND ${keyset(keys)} ORDER BY ${orderBy(keys)} ${limit(input.walk.limit)}) w
            WHERE w.hit OR w.n = ${input.walk.limit} ORDER BY ${orderBy(w)} ${limit(input.take)}`
        }
        return Prisma.sql`SELECT a."chainId", a."attestationId"${scanByTime ? Prisma.sql`, a."attestTimestamp"` : Prisma.empty} FROM "Attestation" a
          WHERE ${Prisma.join(chainWhere, ' AND ')} AND ${keyset(keys)} ORDER BY ${orderBy(keys)} ${limit(input.take)}`
      }
      // the Recipient index's columns carry the keyset and the time range (its attestTimestamp is the attestation's)
      const rTime = timeRangeOn(Prisma.raw('r."attestTimestamp"'), { attestTimestampGte: folded.gt ? null : gte, attestTimestampLte: folded.lt ? null : lte })
      return recipientSource(conditions.recipient, chain, where, rTime, keyset, scanByTime, orderBy, limit(input.take))
    },
  })
}

/** The `attestTimestampGte/Lte` range on `column` (the Recipient copy of attestTimestamp). */
function timeRangeOn(column: Prisma.Sql, conditions: Pick<AttestationConditions, 'attestTimestampGte' | 'attestTimestampLte'>): Prisma.Sql[] {
  const out: Prisma.Sql[] = []
  if (conditions.attestTimestampGte != null) out.push(Prisma.sql`${column} >= ${conditions.attestTimestampGte.toString()}::bigint`)
  if (conditions.attestTimestampLte != null) out.push(Prisma.sql`${column} <= ${conditions.attestTimestampLte.toString()}::bigint`)
  return out
}

/**
 * The page query with its rows: each page entry joined to its row by primary key (one probe per entry) with the
 * direct selection's columns (attestationRows.ts), in the page's scan order (a sort of the page's entries only).
 * @returns SQL returning up to `take` rows of the selection, in scan order
 */
export function buildAttestationPageRowsSql(input: AttestationPageSqlInput, selection: DirectSelection): Prisma.Sql {
  const dir = (input.order.endsWith('ASC') ? !input.backward : input.backward) ? 'ASC' : 'DESC'
  const keys = input.order.startsWith('ATTEST_TIMESTAMP') ? ['attestTimestamp', 'attestationId', 'chainId'] : ['attestationId', 'chainId']
  return buildAttestationPageSql(
    input,
    Prisma.sql`SELECT ${attestationColumnsSql(selection)} FROM page p JOIN "Attestation" a ON a."chainId" = p."chainId" AND a."attestationId" = p."attestationId"
    ORDER BY ${Prisma.raw(keys.map((k) => `p."${k}" ${dir}`).join(', '))}`,
  )
}

/**
 * Recipient-driven source: one ordered scan of a Recipient index per spelling (address, texts), cut at `take`
 * distinct attestations, merged without duplicates. The attestation's own conditions (`aWhere`), when there are any,
 * are checked per entry on its row (a LATERAL probe of the primary key: never a join that walks the table).
 */
function recipientSource(
  recipient: { address: string | null; texts: string[] },
  chain: Prisma.Sql,
  aWhere: Prisma.Sql[],
  rWhere: Prisma.Sql[],
  keyset: (columns: Prisma.Sql[]) => Prisma.Sql,
  byTime: boolean,
  orderBy: (columns: Prisma.Sql[]) => Prisma.Sql,
  limit: Prisma.Sql,
): Prisma.Sql {
  const rKeys = byTime ? [Prisma.raw('r."attestTimestamp"'), Prisma.raw('r."attestationId"')] : [Prisma.raw('r."attestationId"')]
  const uKeys = byTime ? [Prisma.raw('u."attestTimestamp"'), Prisma.raw('u."attestationId"')] : [Prisma.raw('u."attestationId"')]
  const matches = recipientSpellingsOn('r', recipient)
  const row = aWhere.length
    ? Prisma.sql`CROSS JOIN LATERAL (SELECT 1 FROM "Attestation" a WHERE a."chainId" = ${chain} AND a."attestationId" = r."attestationId"
        AND ${Prisma.join(aWhere, ' AND ')} LIMIT 1) a`
    : Prisma.empty
  const branches = matches.map(
    (match) => Prisma.sql`(SELECT DISTINCT ON (${Prisma.join(rKeys, ', ')}) ${Prisma.join(rKeys, ', ')} FROM "Recipient" r ${row}
      WHERE ${Prisma.join([Prisma.sql`r."chainId" = ${chain}`, match, keyset(rKeys), ...rWhere], ' AND ')}
      ORDER BY ${orderBy(rKeys)} ${limit})`,
  )
  return Prisma.sql`SELECT DISTINCT ON (${Prisma.join(uKeys, ', ')}) ${chain} AS "chainId", ${Prisma.join(uKeys, ', ')}
    FROM (${Prisma.join(branches, ' UNION ALL ')}) u ORDER BY ${orderBy(uKeys)} ${limit}`
}

/**
 * Resolves `attestations(where, search, orderBy, first, after, last, before)`.
 * @throws {BadUserInputError} for bad arguments (see toPageRequest), a foreign cursor, a filter that does not parse or
 *   a search parseSearch refuses
 */
export async function resolveAttestationConnection(
  args: ConnectionArgs & { where?: AttestationFilter | null; search?: string | null; orderBy?: string | null },
  ctx: GatewayContext,
  info: GraphQLResolveInfo,
): Promise<KeysetConnection<Attestation>> {
  const request = toPageRequest(args, ctx)
  const order = (args.orderBy ?? 'ATTESTATION_ID_DESC') as AttestationOrderValue
  const cursor = (value: string | null | undefined) => {
    if (value == null) return null
    const { chainId, key } = parseRecordCursor<bigint>(value, 'bigint')
    return { chainId, attestationId: key }
  }
  const after = cursor(args.after)
  const before = cursor(args.before)
  const search = parseSearch(args.search)
  const conditions = toAttestationConditions(args.where, args.where?.inLineageOf != null ? await getLineageOf(ctx, args.where.inLineageOf) : null)
  const searched = search ? { ...conditions, where: [...conditions.where, toSearchCondition('a', search)] } : conditions
  // from a rollup when one answers the filter exactly (stats/rollupCount.ts), else a count of the rows per chain
  const totalCount = async () => {
    const sql = (!search && buildRollupCountSql(args.where)) || buildAttestationCountSql(searched)
    return Number((await ctx.prisma.$queryRaw<{ count: bigint }[]>(sql))[0]!.count)
  }
  if (request.size === 0) return toKeysetConnection([], request, args, () => '', totalCount)
  const page = { order, backward: request.backward, after, before, take: request.size + 1 }
  const pageInput = { ...page, conditions: searched }
  const query = queryFromInfo({ context: ctx, info, typeName: 'Attestation', paths: [['nodes'], ['edges', 'node']] }) as object
  const cursorOf = (r: Attestation) => formatRecordCursor(r.chainId, 'attestationId', r.attestationId)
  const direct = toDirectSelection(query)
  // a search without a recipient pages a bounded read of the trigram index or a bounded walk (searchPage.ts)
  const searchPage = search && !conditions.recipient
  if (direct && !searchPage) {
    // the page and its rows in one statement (attestationRows.ts)
    const rows = (await queryRows<Parameters<typeof toAttestationRow>[0]>(ctx.prisma, buildAttestationPageRowsSql(pageInput, direct))).map(toAttestationRow)
    return toKeysetConnection(rows, request, args, cursorOf, totalCount)
  }
  const ids = searchPage
    ? await readSearchPage(ctx.prisma, { ...page, conditions }, search)
    : await ctx.prisma.$queryRaw<{ chainId: number; attestationId: bigint }[]>(buildAttestationPageSql(pageInput))
  const rows = (
    await loadAttestations(
      ctx,
      query,
      ids.map((r) => ({ chainId: Number(r.chainId), attestationId: BigInt(r.attestationId) })),
    )
  ).filter((r): r is Attestation => r !== null)
  return toKeysetConnection(rows, request, args, cursorOf, totalCount)
}
