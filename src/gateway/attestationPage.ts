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
 * - attestTimestampGte/Lte: with a timestamp order, a range of the timestamp index. With an id order the range
 *   becomes an id range, read from (chainId, attestTimestamp, attestationId) with one probe per end: this RELIES on
 *   the contract (SP.sol `_attest`: `attestationId = $.attestationCounter++; attestTimestamp = uint64(block.timestamp)`)
 *   and on block timestamps never decreasing along a chain, so on each chain attestTimestamp never decreases as the
 *   id grows. The timestamp condition itself is kept, so on data that broke this rule the page could miss rows,
 *   never show a wrong one.
 * - inLineageOf: the lineage walk's ids (at most 2 × LINEAGE_MAX_NODES) by primary key: bounded by the walk, not
 *   the table.
 * - search (./search.ts, ./searchPage.ts): a bounded read of the trigram index (at most SEARCH_MAX_CANDIDATES
 *   matches), sorted and paged by primary key; beyond that cap, a walk of the order's index checking each row, at
 *   most SEARCH_MAX_WALK rows per chain (`SEARCH_TOO_BROAD` when that walk cannot fill the page). With `recipient`,
 *   the recipient's rows bound the page and the search is one more condition on them.
 * Other filters given together are checked on the rows the chosen index yields.
 */
import type { GraphQLResolveInfo } from 'graphql'
import { queryFromInfo } from '@pothos/plugin-prisma'
import { Prisma, type Attestation } from '../generated/prisma/client.js'
import type { GatewayContext } from './builder.js'
import { toIndexableTextTruncated } from '../db/toStorable.js'
import { isStorableUint64, parseIdFilter, parseUint64 } from './ids.js'
import { assertFilterText } from './inputLimits.js'
import {
  buildKeysetPageSql,
  type ConnectionArgs,
  formatRecordCursor,
  type KeysetBound,
  type KeysetConnection,
  parseRecordCursor,
  toKeysetConnection,
  toPageRequest,
} from './keyset.js'
import { loadAttestations } from './lineage.js'
import { parseSearch, toSearchCondition } from './search.js'
import { readSearchPage } from './searchPage.js'
import { type AttestationFilter, getLineageOf, parseAddress, toAttestationWhereInputWithLineage, toRecipientMatch } from './types/attestationWhere.js'

export type AttestationOrderValue = 'ATTESTATION_ID_ASC' | 'ATTESTATION_ID_DESC' | 'ATTEST_TIMESTAMP_ASC' | 'ATTEST_TIMESTAMP_DESC'

/** A parsed filter: chains it fixes, conditions on `a` ("Attestation"), and the recipient spellings if any. */
export type AttestationConditions = {
  chainIds: number[] | null
  where: Prisma.Sql[]
  recipient: { address: string | null; texts: string[] } | null
  attestTimestampGte: bigint | null
  attestTimestampLte: bigint | null
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
      conditions.push(Prisma.sql`a."attestTimestamp" >= ${gte.toString()}::bigint`)
    } else nothing() // every stored timestamp is below it
  }
  if (where.attestTimestampLte != null) {
    const lte = parseUint64(assertFilterText(where.attestTimestampLte, 'attestTimestampLte'), 'attestTimestampLte')
    if (isStorableUint64(lte)) {
      out.attestTimestampLte = lte
      conditions.push(Prisma.sql`a."attestTimestamp" <= ${lte.toString()}::bigint`)
    } // else every stored timestamp is below it: no condition
  }
  if (where.inLineageOf != null) {
    if (lineage) {
      chains.add(lineage.chainId)
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
 * `SELECT count(*)` over the same conditions as the page query (the `totalCount` of a search, which Prisma cannot
 * express: "searchText" is a generated column it does not map).
 * @returns SQL returning one row `{ count: bigint }`
 */
export function buildAttestationCountSql(conditions: AttestationConditions): Prisma.Sql {
  const where = [...conditions.where]
  if (conditions.chainIds) where.push(conditions.chainIds.length === 1 ? Prisma.sql`a."chainId" = ${conditions.chainIds[0]}::int` : Prisma.sql`FALSE`)
  if (conditions.recipient) {
    const { address, texts } = conditions.recipient
    const matches = [...(address ? [Prisma.sql`r."address" = ${address}`] : []), ...(texts.length ? [Prisma.sql`r."text" IN (${Prisma.join(texts)})`] : [])]
    where.push(Prisma.sql`EXISTS (SELECT 1 FROM "Recipient" r WHERE r."chainId" = a."chainId" AND r."attestationId" = a."attestationId"
      AND (${matches.length ? Prisma.join(matches, ' OR ') : Prisma.sql`FALSE`}))`)
  }
  return Prisma.sql`SELECT count(*) AS count FROM "Attestation" a WHERE ${where.length ? Prisma.join(where, ' AND ') : Prisma.sql`TRUE`}`
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

const A = {
  id: Prisma.raw('a."attestationId"'),
  ts: Prisma.raw('a."attestTimestamp"'),
}

/**
 * The page query the `attestations` resolver sends (exported for the plan test, which EXPLAINs exactly this).
 * @returns SQL returning `{ chainId, attestationId, attestTimestamp }` rows, at most `take`, in scan order
 */
export function buildAttestationPageSql(input: AttestationPageSqlInput): Prisma.Sql {
  const { conditions, order } = input
  const byTime = order.startsWith('ATTEST_TIMESTAMP')
  const bound = (cursor: { chainId: number; attestationId: bigint } | null): KeysetBound | null => {
    if (!cursor) return null
    const id = Prisma.sql`${cursor.attestationId.toString()}::bigint`
    const ts = Prisma.sql`(SELECT c."attestTimestamp" FROM "Attestation" c WHERE c."chainId" = ${cursor.chainId}::int AND c."attestationId" = ${id})`
    return { chainId: cursor.chainId, values: byTime ? [ts, id] : [id] }
  }
  const plain = (k: Prisma.Sql) => (input.byIds ? Prisma.sql`(${k} + 0)` : k)
  const keys = byTime ? [plain(A.ts), plain(A.id)] : [plain(A.id)]
  return buildKeysetPageSql({
    table: Prisma.raw('"Attestation"'),
    mergeKeys: byTime ? [Prisma.raw('p."attestTimestamp"'), Prisma.raw('p."attestationId"')] : [Prisma.raw('p."attestationId"')],
    returns: Prisma.raw(`p."chainId", p."attestationId", p."attestTimestamp"${input.walk ? ', p.hit' : ''}`),
    chainIds: conditions.chainIds,
    direction: order.endsWith('ASC') ? 'asc' : 'desc',
    backward: input.backward,
    after: bound(input.after),
    before: bound(input.before),
    take: input.take,
    source: (chain, keyset, orderBy) => {
      const where = [Prisma.sql`a."chainId" = ${chain}`, ...conditions.where]
      if (!conditions.recipient) {
        if (!byTime) where.push(...idRangeOfTimestamps(conditions, chain, A.id))
        if (input.walk) {
          const w = byTime ? [Prisma.raw('w."attestTimestamp"'), Prisma.raw('w."attestationId"')] : [Prisma.raw('w."attestationId"')]
          return Prisma.sql`SELECT w."chainId", w."attestationId", w."attestTimestamp", w.hit FROM (
              SELECT a."chainId", a."attestationId", a."attestTimestamp", ${input.walk.search} AS hit, row_number() OVER (ORDER BY ${orderBy(keys)}) AS n
              FROM "Attestation" a WHERE ${Prisma.join(where, ' AND ')} AND ${keyset(keys)} ORDER BY ${orderBy(keys)} LIMIT ${input.walk.limit}) w
            WHERE w.hit OR w.n = ${input.walk.limit} ORDER BY ${orderBy(w)} LIMIT ${input.take}`
        }
        return Prisma.sql`SELECT a."chainId", a."attestationId", a."attestTimestamp" FROM "Attestation" a
          WHERE ${Prisma.join(where, ' AND ')} AND ${keyset(keys)} ORDER BY ${orderBy(keys)} LIMIT ${input.take}`
      }
      // the Recipient index's columns carry the keyset and the time range (its attestTimestamp is the attestation's)
      const r = { id: Prisma.raw('r."attestationId"'), ts: Prisma.raw('r."attestTimestamp"') }
      if (byTime) {
        if (conditions.attestTimestampGte != null) where.push(Prisma.sql`${r.ts} >= ${conditions.attestTimestampGte.toString()}::bigint`)
        if (conditions.attestTimestampLte != null) where.push(Prisma.sql`${r.ts} <= ${conditions.attestTimestampLte.toString()}::bigint`)
      } else where.push(...idRangeOfTimestamps(conditions, chain, r.id))
      return recipientSource(conditions.recipient, chain, where, keyset, byTime, orderBy, input.take)
    },
  })
}

/**
 * With an id order, `attestTimestampGte/Lte` as an id range: the first id at or after the lower time and the last
 * at or before the upper one, each one probe of (chainId, attestTimestamp, attestationId) (see the module comment
 * for why ids and times run together).
 */
function idRangeOfTimestamps(conditions: AttestationConditions, chain: Prisma.Sql, id: Prisma.Sql): Prisma.Sql[] {
  const out: Prisma.Sql[] = []
  if (conditions.attestTimestampGte != null) {
    out.push(Prisma.sql`${id} >= (SELECT t."attestationId" FROM "Attestation" t WHERE t."chainId" = ${chain}
      AND t."attestTimestamp" >= ${conditions.attestTimestampGte.toString()}::bigint ORDER BY t."attestTimestamp", t."attestationId" LIMIT 1)`)
  }
  if (conditions.attestTimestampLte != null) {
    out.push(Prisma.sql`${id} <= (SELECT t."attestationId" FROM "Attestation" t WHERE t."chainId" = ${chain}
      AND t."attestTimestamp" <= ${conditions.attestTimestampLte.toString()}::bigint ORDER BY t."attestTimestamp" DESC, t."attestationId" DESC LIMIT 1)`)
  }
  return out
}

/**
 * Recipient-driven source: one ordered scan of a Recipient index per spelling (address, texts), each joined to its
 * attestation for the other conditions and cut at `take` distinct attestations, merged without duplicates.
 */
function recipientSource(
  recipient: { address: string | null; texts: string[] },
  chain: Prisma.Sql,
  where: Prisma.Sql[],
  keyset: (columns: Prisma.Sql[]) => Prisma.Sql,
  byTime: boolean,
  orderBy: (columns: Prisma.Sql[]) => Prisma.Sql,
  take: number,
): Prisma.Sql {
  const rKeys = byTime ? [Prisma.raw('r."attestTimestamp"'), Prisma.raw('r."attestationId"')] : [Prisma.raw('r."attestationId"')]
  const uKeys = byTime ? [Prisma.raw('u."attestTimestamp"'), Prisma.raw('u."attestationId"')] : [Prisma.raw('u."attestationId"')]
  const matches = [
    ...(recipient.address ? [Prisma.sql`r."address" = ${recipient.address}`] : []),
    ...recipient.texts.map((text) => Prisma.sql`r."text" = ${text}`),
  ]
  const branches = matches.map(
    (match) => Prisma.sql`(SELECT DISTINCT ON (${Prisma.join(rKeys, ', ')}) r."attestationId", r."attestTimestamp" FROM "Recipient" r
      JOIN "Attestation" a ON a."chainId" = r."chainId" AND a."attestationId" = r."attestationId"
      WHERE r."chainId" = ${chain} AND ${match} AND ${keyset(rKeys)} AND ${Prisma.join(where, ' AND ')}
      ORDER BY ${orderBy(rKeys)} LIMIT ${take})`,
  )
  return Prisma.sql`SELECT DISTINCT ON (${Prisma.join(uKeys, ', ')}) ${chain} AS "chainId", u."attestationId", u."attestTimestamp"
    FROM (${Prisma.join(branches, ' UNION ALL ')}) u ORDER BY ${orderBy(uKeys)} LIMIT ${take}`
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
  const totalCount = search
    ? async () => Number((await ctx.prisma.$queryRaw<{ count: bigint }[]>(buildAttestationCountSql(searched)))[0]!.count)
    : async () => ctx.prisma.attestation.count({ where: await toAttestationWhereInputWithLineage(ctx, args.where) })
  if (request.size === 0) return toKeysetConnection([], request, args, () => '', totalCount)
  const page = { order, backward: request.backward, after, before, take: request.size + 1 }
  const ids =
    search && !conditions.recipient
      ? await readSearchPage(ctx.prisma, { ...page, conditions }, search)
      : await ctx.prisma.$queryRaw<{ chainId: number; attestationId: bigint }[]>(buildAttestationPageSql({ ...page, conditions: searched }))
  const query = queryFromInfo({ context: ctx, info, typeName: 'Attestation', paths: [['nodes'], ['edges', 'node']] }) as object
  const rows = (
    await loadAttestations(
      ctx,
      query,
      ids.map((r) => ({ chainId: Number(r.chainId), attestationId: BigInt(r.attestationId) })),
    )
  ).filter((r): r is Attestation => r !== null)
  return toKeysetConnection(rows, request, args, (r) => formatRecordCursor(r.chainId, 'attestationId', r.attestationId), totalCount)
}
