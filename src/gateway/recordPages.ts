/**
 * `schemas` and `offchainAttestations` as per-chain keyset pages (./keyset.ts), like `attestations`
 * (./attestationPage.ts): one page query for the keys, then the rows by primary key with the selection Pothos planned.
 *
 * Indexes (prisma/schema.prisma):
 * - schemas, order (schemaId, chainId): the primary key (chainId, schemaId); `registrant`: (chainId, registrant, schemaId);
 *   `search`: capped like an `attestations` search (./searchPage.ts): at most SEARCH_MAX_CANDIDATES matches read
 *   from the trigram index on "searchText" (./search.ts) and paged by primary key, else a walk of the order's index
 *   checking each row, at most SEARCH_MAX_WALK schemas per chain, else SEARCH_TOO_BROAD.
 * - offchainAttestations, order (blockNumber, logIndex, chainId) — registration order; one log registers one id, so
 *   (blockNumber, logIndex) is unique per chain and the id never breaks a tie: (chainId, blockNumber, logIndex);
 *   `attester`: (chainId, attester, blockNumber, logIndex); `revoked`: (chainId, revoked, blockNumber, logIndex).
 * The cursors are those Pothos `prismaConnection` made (the primary key); the cursor row's order values are read by
 * primary key inside the page query.
 */
import type { GraphQLResolveInfo } from 'graphql'
import { queryFromInfo } from '@pothos/plugin-prisma'
import { type OffchainAttestation, Prisma, type Schema } from '../generated/prisma/client.js'
import type { GatewayContext } from './builder.js'
import {
  buildKeysetPageSql,
  type ConnectionArgs,
  formatRecordCursor,
  type KeysetBound,
  type KeysetConnection,
  limitSql,
  type PageRequest,
  parseRecordCursor,
  toKeysetConnection,
  toPageRequest,
} from './keyset.js'
import { parseSearch, type SearchTerm, toSearchCondition } from './search.js'
import { readCappedSearchPage, SEARCH_MAX_CANDIDATES, SEARCH_MAX_WALK } from './searchPage.js'
import { parseAddress } from './types/attestationWhere.js'

type SchemaArgs = ConnectionArgs & { where?: { chainId?: number | null; registrant?: string | null } | null; search?: string | null; orderBy?: string | null }
type OffchainArgs = ConnectionArgs & { where?: { chainId?: number | null; attester?: string | null; revoked?: boolean | null } | null; orderBy?: string | null }

/** How a `schemas` search page reads (./searchPage.ts): by the candidates' ids, or by a bounded walk. */
export type SchemaSearchRead =
  /** the conditions hold an id list: the order's column is compared and sorted as an expression (primary key lookups) */
  | { byIds: Prisma.Sql[] }
  /** each chain's walk of the order's index reads at most `limit` rows and marks the matches `hit` */
  | { walk: { limit: number } }

/**
 * The `schemas` page query (exported for tests).
 * @param search a validated search (./search.ts): without `read`, one more condition on the rows (the planner's
 *   choice of index); with `read`, the capped page of ./searchPage.ts
 * @returns `{ chainId, schemaId }` rows (and `hit` for a walk) in scan order, at most `take`
 */
export function buildSchemaPageSql(
  where: SchemaArgs['where'],
  direction: 'asc' | 'desc',
  request: PageRequest,
  after: string | null,
  before: string | null,
  search: SearchTerm | null = null,
  read: SchemaSearchRead | null = null,
): Prisma.Sql {
  const walk = read && 'walk' in read ? read.walk : null
  const conditions = [...schemaConditions(where, walk ? null : search), ...(read && 'byIds' in read ? read.byIds : [])]
  const bound = (cursor: string | null): KeysetBound | null => {
    if (cursor == null) return null
    const { chainId, key } = parseRecordCursor<bigint>(cursor, 'bigint')
    return { chainId, values: [Prisma.sql`${key.toString()}::bigint`] }
  }
  const take = request.size + 1
  // one filter and no search: PostgreSQL may keep a generic plan (keyset.ts limitSql)
  const planOnce = !read && !search && conditions.length <= 1
  return buildKeysetPageSql({
    table: Prisma.raw('"Schema"'),
    mergeKeys: [Prisma.raw('p."schemaId"')],
    returns: Prisma.raw(`p."chainId", p."schemaId"${walk ? ', p.hit' : ''}`),
    chainIds: where?.chainId != null ? [where.chainId] : null,
    direction,
    backward: request.backward,
    after: bound(after),
    before: bound(before),
    take,
    planOnce,
    source: (chain, keyset, order) => {
      const keys = [read && 'byIds' in read ? Prisma.raw('(a."schemaId" + 0)') : Prisma.raw('a."schemaId"')]
      const conditionsSql = Prisma.join([Prisma.sql`a."chainId" = ${chain}`, ...conditions], ' AND ')
      if (walk && search) {
        return Prisma.sql`SELECT w."chainId", w."schemaId", w.hit FROM (
            SELECT a."chainId", a."schemaId", ${toSearchCondition('a', search)} AS hit, row_number() OVER (ORDER BY ${order(keys)}) AS n
            FROM "Schema" a WHERE ${conditionsSql} AND ${keyset(keys)} ORDER BY ${order(keys)} LIMIT ${walk.limit}) w
          WHERE w.hit OR w.n = ${walk.limit} ORDER BY ${order([Prisma.raw('w."schemaId"')])} LIMIT ${take}`
      }
      return Prisma.sql`SELECT a."chainId", a."schemaId" FROM "Schema" a WHERE ${conditionsSql}
        AND ${keyset(keys)} ORDER BY ${order(keys)} ${limitSql(take, planOnce)}`
    },
  })
}

/**
 * The `offchainAttestations` page query (exported for tests).
 * @returns `{ chainId, offchainAttestationId }` rows in scan order, at most `take`
 */
export function buildOffchainPageSql(
  where: OffchainArgs['where'],
  direction: 'asc' | 'desc',
  request: PageRequest,
  after: string | null,
  before: string | null,
): Prisma.Sql {
  const conditions: Prisma.Sql[] = []
  if (where?.attester != null) conditions.push(Prisma.sql`a."attester" = ${parseAddress(where.attester, 'attester')}`)
  if (where?.revoked != null) conditions.push(Prisma.sql`a."revoked" = ${where.revoked}`)
  const bound = (cursor: string | null): KeysetBound | null => {
    if (cursor == null) return null
    const { chainId, key } = parseRecordCursor<string>(cursor, 'string')
    const row = (column: string) =>
      Prisma.sql`(SELECT c.${Prisma.raw(`"${column}"`)} FROM "OffchainAttestation" c WHERE c."chainId" = ${chainId}::int AND c."offchainAttestationId" = ${key})`
    return { chainId, values: [row('blockNumber'), row('logIndex')] }
  }
  const planOnce = conditions.length <= 1 // one filter: PostgreSQL may keep a generic plan (keyset.ts limitSql)
  return buildKeysetPageSql({
    table: Prisma.raw('"OffchainAttestation"'),
    mergeKeys: [Prisma.raw('p."blockNumber"'), Prisma.raw('p."logIndex"')],
    returns: Prisma.raw('p."chainId", p."offchainAttestationId"'),
    chainIds: where?.chainId != null ? [where.chainId] : null,
    direction,
    backward: request.backward,
    after: bound(after),
    before: bound(before),
    take: request.size + 1,
    planOnce,
    source: (chain, keyset, order) => {
      const keys = [Prisma.raw('a."blockNumber"'), Prisma.raw('a."logIndex"')]
      return Prisma.sql`SELECT a."chainId", a."offchainAttestationId", a."blockNumber", a."logIndex" FROM "OffchainAttestation" a
        WHERE ${Prisma.join([Prisma.sql`a."chainId" = ${chain}`, ...conditions], ' AND ')} AND ${keyset(keys)} ORDER BY ${order(keys)} ${limitSql(request.size + 1, planOnce)}`
    },
  })
}

/**
 * Resolves `schemas(where, search, orderBy, first, after, last, before)`.
 * @throws {BadUserInputError} for bad arguments, a foreign cursor, a registrant that is not an address or a search
 *   parseSearch refuses
 * @throws {SearchTooBroadError} for a search with more than SEARCH_MAX_CANDIDATES matches whose walk cannot fill the page
 */
export async function resolveSchemaConnection(args: SchemaArgs, ctx: GatewayContext, info: GraphQLResolveInfo): Promise<KeysetConnection<Schema>> {
  const request = toPageRequest(args, ctx)
  const search = parseSearch(args.search)
  const direction = args.orderBy === 'SCHEMA_ID_ASC' ? 'asc' : 'desc'
  const after = args.after ?? null
  const before = args.before ?? null
  const totalCount = search
    ? async () => {
        const where = [...schemaConditions(args.where, search), ...(args.where?.chainId != null ? [Prisma.sql`a."chainId" = ${args.where.chainId}::int`] : [])]
        const rows = await ctx.prisma.$queryRaw<{ count: bigint }[]>(Prisma.sql`SELECT count(*) AS count FROM "Schema" a WHERE ${Prisma.join(where, ' AND ')}`)
        return Number(rows[0]!.count)
      }
    : () => ctx.prisma.schema.count({ where: schemaWhere(args.where) })
  if (request.size === 0) return toKeysetConnection([], request, args, () => '', totalCount)
  const pageSql = (read: SchemaSearchRead | null = null) => buildSchemaPageSql(args.where, direction, request, after, before, search, read)
  // a search reads at most SEARCH_MAX_CANDIDATES matches, else walks at most SEARCH_MAX_WALK schemas per chain
  const keys = search
    ? await readCappedSearchPage<{ chainId: number; schemaId: bigint }>(ctx.prisma, {
        candidates: Prisma.sql`SELECT a."chainId", a."schemaId" FROM "Schema" a WHERE ${toSearchCondition('a', search)} LIMIT ${SEARCH_MAX_CANDIDATES + 1}`,
        pageByIds: (candidates) =>
          pageSql({
            byIds: [
              Prisma.sql`a."schemaId" = ANY(CAST(${candidates.map((c) => String(c.schemaId))}::text[] AS bigint[]))`,
              Prisma.sql`(a."chainId"::text || ':' || a."schemaId"::text) = ANY(${candidates.map((c) => `${c.chainId}:${c.schemaId}`)}::text[])`,
            ],
          }),
        walk: pageSql({ walk: { limit: SEARCH_MAX_WALK } }),
        take: request.size + 1,
        rows: 'schemas',
      })
    : await ctx.prisma.$queryRaw<{ chainId: number; schemaId: bigint }[]>(pageSql())
  const query = queryFromInfo({ context: ctx, info, typeName: 'Schema', paths: [['nodes'], ['edges', 'node']] }) as object
  const rows = keys.length
    ? await ctx.prisma.schema.findMany({
        ...query,
        where: { chainId: { in: [...new Set(keys.map((k) => k.chainId))] }, schemaId: { in: keys.map((k) => BigInt(k.schemaId)) } },
      })
    : []
  const page = inKeyOrder(keys, rows, (r) => `${r.chainId}:${r.schemaId}`)
  return toKeysetConnection(page, request, args, (r) => formatRecordCursor(r.chainId, 'schemaId', r.schemaId), totalCount)
}

/**
 * Resolves `offchainAttestations(where, orderBy, first, after, last, before)`.
 * @throws {BadUserInputError} for bad arguments, a foreign cursor or an attester that is not an address
 */
export async function resolveOffchainConnection(
  args: OffchainArgs,
  ctx: GatewayContext,
  info: GraphQLResolveInfo,
): Promise<KeysetConnection<OffchainAttestation>> {
  const request = toPageRequest(args, ctx)
  const sql = buildOffchainPageSql(args.where, args.orderBy === 'BLOCK_NUMBER_ASC' ? 'asc' : 'desc', request, args.after ?? null, args.before ?? null)
  const totalCount = () => ctx.prisma.offchainAttestation.count({ where: offchainWhere(args.where) })
  if (request.size === 0) return toKeysetConnection([], request, args, () => '', totalCount)
  const keys = await ctx.prisma.$queryRaw<{ chainId: number; offchainAttestationId: string }[]>(sql)
  const query = queryFromInfo({ context: ctx, info, typeName: 'OffchainAttestation', paths: [['nodes'], ['edges', 'node']] }) as object
  const rows = keys.length
    ? await ctx.prisma.offchainAttestation.findMany({
        ...query,
        where: { chainId: { in: [...new Set(keys.map((k) => k.chainId))] }, offchainAttestationId: { in: keys.map((k) => k.offchainAttestationId) } },
      })
    : []
  const page = inKeyOrder(keys, rows, (r) => `${r.chainId}:${r.offchainAttestationId}`)
  return toKeysetConnection(page, request, args, (r) => formatRecordCursor(r.chainId, 'offchainAttestationId', r.offchainAttestationId), totalCount)
}

/**
 * The rows re-read by key, in the page query's key order (a row deleted between the two reads is left out).
 * @param keyOf the same `chainId:id` text for a key and for its row
 */
function inKeyOrder<K, R>(keys: readonly K[], rows: readonly R[], keyOf: (value: K | R) => string): R[] {
  const byKey = new Map(rows.map((r) => [keyOf(r), r]))
  return keys.flatMap((k) => byKey.get(keyOf(k)) ?? [])
}

/** The conditions on `a` ("Schema") of a filter and a search (the chain is the page query's, or the count's). */
function schemaConditions(where: SchemaArgs['where'], search: SearchTerm | null): Prisma.Sql[] {
  const conditions: Prisma.Sql[] = []
  if (where?.registrant != null) conditions.push(Prisma.sql`a."registrant" = ${parseAddress(where.registrant, 'registrant')}`)
  if (search) conditions.push(toSearchCondition('a', search))
  return conditions
}

function schemaWhere(where: SchemaArgs['where']): Prisma.SchemaWhereInput {
  return {
    ...(where?.chainId != null && { chainId: where.chainId }),
    ...(where?.registrant != null && { registrant: parseAddress(where.registrant, 'registrant') }),
  }
}

function offchainWhere(where: OffchainArgs['where']): Prisma.OffchainAttestationWhereInput {
  return {
    ...(where?.chainId != null && { chainId: where.chainId }),
    ...(where?.attester != null && { attester: parseAddress(where.attester, 'attester') }),
    ...(where?.revoked != null && { revoked: where.revoked }),
  }
}
