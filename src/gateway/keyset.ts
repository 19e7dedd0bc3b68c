/**
 * Keyset pagination shared by every list of the gateway: Relay arguments → one page query whose cost is bounded
 * by the page, never by the table (ARCHITECTURE.md invariant 7).
 *
 * Shape of a page query (`buildKeysetPageSql`): ids are per chain, so a list's total order is
 * `(k1, …, kn, chainId)` where `(k1, …, kn)` is unique within a chain and `kn` is an integer. The query walks each
 * chain on its own, over an index `(chainId, <filter columns>, k1, …, kn)`, with a row-value keyset condition and
 * `LIMIT take`, and merges the per-chain pages:
 *
 * ```sql
 * WITH RECURSIVE chains(chain_id) AS (<the filter's chain> | <loose index scan of the table's chain ids>)
 * SELECT p.* FROM chains CROSS JOIN LATERAL (
 *   SELECT … FROM "T" a WHERE a."chainId" = chains.chain_id AND <filters>
 *     AND (a.k1, …, a.kn) > (K1, …, Kn - CASE WHEN chains.chain_id > C THEN 1 ELSE 0 END)   -- after (C, K)
 *   ORDER BY a.k1, …, a.kn LIMIT take) p
 * ORDER BY p.k1, …, p.kn, p."chainId" LIMIT take
 * ```
 *
 * Why per chain and not global `(attestationId, chainId)` indexes: with the chain first in every index, each
 * filter's index serves both "one chain" and "all chains"; a global index would be needed per filter twice (with and
 * without chainId), and the chain ids of a deployment are a handful (the loose index scan costs one index probe
 * per chain). The merge sorts at most chains × take rows. `(k…, c) > (K…, C)` becomes, on chain c, `(k…) >= (K…)`
 * when c > C and `(k…) > (K…)` otherwise; `kn` is an integer, so `>= Kn` is `> Kn - 1` and one row-value
 * comparison (an index condition) serves both (subtracting, never adding: a key of 2^63 - 1 does not overflow, and
 * keys are never negative). Values of the cursor row that the cursor does not carry (e.g. its attestTimestamp) are
 * read from the row by primary key inside the same statement.
 */
import { formatPrismaCursor, parsePrismaCursor } from '@pothos/plugin-prisma'
import { Prisma } from '../generated/prisma/client.js'
import type { GatewayContext } from './builder.js'
import { BadUserInputError } from './errors.js'
import { isStorableUint64 } from './ids.js'
import { assertCursorLength } from './inputLimits.js'
import { assertPageSize, defaultPageSize } from './pagination.js'

export type ConnectionArgs = { first?: number | null; last?: number | null; after?: string | null; before?: string | null }

export type PageInfo = { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string | null; endCursor: string | null }

/** A resolved Relay connection; `totalCount` runs its query only when the field is selected. */
export type KeysetConnection<T> = {
  edges: { cursor: string; node: T }[]
  pageInfo: PageInfo
  totalCount: () => Promise<number>
}

/** What a connection's arguments ask for: `size` rows, read backward (from the end) when `backward`. */
export type PageRequest = { size: number; backward: boolean }

/**
 * Validates Relay arguments (page cap, signs, combinations).
 * @throws {BadUserInputError} for a page above `ctx.maxPageSize`, a negative size, `first` with `last`, or
 *   `first` with `before` / `last` with `after` (one direction per request, as `attestationChildren` always did)
 */
export function toPageRequest(args: ConnectionArgs, ctx: GatewayContext): PageRequest {
  assertPageSize(args, ctx)
  if (args.first != null && args.last != null) throw new BadUserInputError('"first" and "last" cannot be used together')
  if (args.after != null && args.before != null) throw new BadUserInputError('"after" and "before" cannot be used together')
  if (args.first != null && args.before != null) throw new BadUserInputError('"first" and "before" cannot be used together')
  if (args.last != null && args.after != null) throw new BadUserInputError('"last" and "after" cannot be used together')
  for (const name of ['first', 'last'] as const) {
    const value = args[name]
    if (value != null && value < 0) throw new BadUserInputError(`"${name}" must not be negative`, { argument: name })
  }
  return { size: args.first ?? args.last ?? defaultPageSize(args, ctx), backward: args.last != null || args.before != null }
}

/**
 * Builds the connection from the rows of a page query run with `LIMIT size + 1` in scan order.
 * @param rows up to size + 1 rows in scan order (reversed when `request.backward`)
 * @param cursorOf the cursor of a row
 */
export function toKeysetConnection<T>(
  rows: readonly T[],
  request: PageRequest,
  args: ConnectionArgs,
  cursorOf: (row: T) => string,
  totalCount: () => Promise<number>,
): KeysetConnection<T> {
  const hasMore = rows.length > request.size
  const page = rows.slice(0, request.size)
  if (request.backward) page.reverse()
  const edges = page.map((node) => ({ cursor: cursorOf(node), node }))
  return {
    edges,
    pageInfo: {
      hasNextPage: request.backward ? args.before != null : hasMore,
      hasPreviousPage: request.backward ? hasMore : args.after != null,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges.at(-1)?.cursor ?? null,
    },
    totalCount,
  }
}

/** A cursor of a `(chainId, key)` record: the Pothos plugin-prisma cursor format of the compound primary key. */
export type RecordCursor<K> = { chainId: number; key: K }

/** Formats a record cursor exactly as Pothos `prismaConnection` did (`cursor: 'chainId_<key>'`): old cursors stay valid. */
export function formatRecordCursor(chainId: number, keyName: string, key: bigint | string): string {
  return formatPrismaCursor({ chainId, [keyName]: key }, ['chainId', keyName])
}

/**
 * Reads a cursor made by {@link formatRecordCursor}.
 * @param kind 'bigint' for attestation and schema ids, 'string' for off-chain attestation ids
 * @param chainId when given, the cursor must be on this chain (per-parent lists)
 * @throws {BadUserInputError} when the cursor is not one of this connection's
 */
export function parseRecordCursor<K extends bigint | string>(cursor: string, kind: K extends bigint ? 'bigint' : 'string', chainId?: number): RecordCursor<K> {
  let value: unknown
  try {
    value = parsePrismaCursor(assertCursorLength(cursor))
  } catch (error) {
    if (error instanceof BadUserInputError) throw error
    throw new BadUserInputError('Invalid cursor: not from this connection', { argument: 'cursor' })
  }
  // a stored id fits int64: a larger one was not made by this connection (and PostgreSQL would refuse it)
  if (
    !Array.isArray(value) ||
    value.length !== 2 ||
    !Number.isSafeInteger(value[0]) ||
    typeof value[1] !== kind ||
    (chainId !== undefined && value[0] !== chainId) ||
    (kind === 'bigint' && !isStorableUint64(value[1] as bigint))
  ) {
    throw new BadUserInputError('Invalid cursor: not from this connection', { argument: 'cursor' })
  }
  return { chainId: value[0] as number, key: value[1] as K }
}

/** The chain id of the per-chain source (the lateral `chains` row): bound values may read it (e.g. a per-chain lookup). */
export const CHAIN_ID = Prisma.raw('chains.chain_id')

/** A cursor row's position: its chain, and per order column either the value or SQL reading it from the row. */
export type KeysetBound = { chainId: number; values: Prisma.Sql[] }

export type KeysetPageSqlInput = {
  /** quoted table name, e.g. `"Attestation"` (the source alias is `a`) */
  table: Prisma.Sql
  /** the same columns as the per-chain source exposes them to the merge (`p."attestationId"`) */
  mergeKeys: Prisma.Sql[]
  /** the columns the page returns from the per-chain source (must include "chainId" and the merge keys) */
  returns: Prisma.Sql
  /** the filter's chain ids when it fixes one (more than one: an empty page), else null for every chain */
  chainIds: number[] | null
  /**
   * The per-chain source, given the lateral chain id expression, the keyset condition builder and the order:
   * a SELECT that returns `returns` in key order with `LIMIT take`.
   */
  source: (chain: Prisma.Sql, keyset: (columns: Prisma.Sql[]) => Prisma.Sql, order: (columns: Prisma.Sql[]) => Prisma.Sql) => Prisma.Sql
  /** natural order of the list; `backward` scans it from the end */
  direction: 'asc' | 'desc'
  backward: boolean
  after: KeysetBound | null
  before: KeysetBound | null
  take: number
  /**
   * A statement reading the page as the CTE `page` (e.g. joining each entry to its row), instead of returning the
   * page itself. The page stays a MATERIALIZED CTE: its plan is the page query's own, whatever follows it.
   */
  then?: Prisma.Sql
  /** the generic plan of the statement is bounded: the merge's LIMIT may go into the text ({@link limitSql}; default false) */
  planOnce?: boolean
}

/**
 * The page query of a per-chain keyset (see the module comment).
 * @returns SQL returning up to `take` rows of `returns` in scan order (or what `then` returns)
 */
export function buildKeysetPageSql(input: KeysetPageSqlInput): Prisma.Sql {
  const { direction, backward } = input
  const scan = backward ? (direction === 'asc' ? 'desc' : 'asc') : direction
  const dir = Prisma.raw(scan === 'asc' ? 'ASC' : 'DESC')
  const chain = CHAIN_ID
  const keyset = (columns: Prisma.Sql[]): Prisma.Sql => {
    const parts: Prisma.Sql[] = []
    // after = beyond the cursor in the natural order; before = ahead of it
    if (input.after) parts.push(compareKeyset(columns, input.after, direction === 'asc' ? 'gt' : 'lt', chain))
    if (input.before) parts.push(compareKeyset(columns, input.before, direction === 'asc' ? 'lt' : 'gt', chain))
    return parts.length ? Prisma.join(parts, ' AND ') : Prisma.sql`TRUE`
  }
  const order = (columns: Prisma.Sql[]) =>
    Prisma.join(
      columns.map((k) => Prisma.sql`${k} ${dir}`),
      ', ',
    )
  const mergeOrder = order([...input.mergeKeys, Prisma.raw('p."chainId"')])
  const chains = chainsSql(input.table, input.chainIds)
  const page = Prisma.sql`SELECT ${input.returns} FROM chains CROSS JOIN LATERAL (${input.source(chain, keyset, order)}) p
    WHERE chains.chain_id IS NOT NULL
    ORDER BY ${mergeOrder} ${limitSql(input.take, input.planOnce)}`
  if (input.then) return Prisma.sql`WITH RECURSIVE chains(chain_id) AS (${chains}), page AS MATERIALIZED (${page}) ${input.then}`
  return Prisma.sql`WITH RECURSIVE chains(chain_id) AS (${chains}) ${page}`
}

/**
 * Page sizes + 1 (the rows a page statement reads) whose LIMIT may be written into the statement's text: the sizes
 * clients ask for (1, 5, 10, the default 20, 25, 50 and 100). Any other size keeps `LIMIT $n`, so the statement
 * texts of one filter shape stay at most this many + 1 whatever sizes clients cycle through: each named text is
 * planned and kept per connection (~125 KB of server memory for a page statement), and past the first 500 texts of
 * a pool every new text goes unnamed (src/db/statementNames.ts).
 */
const PLANNED_ONCE_TAKES = new Set([2, 6, 11, 21, 26, 51, 101])

/**
 * `LIMIT rows`, with the number written into the statement's text when `planOnce` and `rows` is a usual page's
 * ({@link PLANNED_ONCE_TAKES}), else sent as a parameter.
 *
 * The gateway's statements are named prepared statements (src/db/statementNames.ts). PostgreSQL plans a named
 * statement with its parameters' values for its first five executions, then keeps one generic plan when that plan's
 * estimated cost is no higher than the custom plans' average (`plan_cache_mode = auto`, plancache.c
 * `choose_custom_plan`). A generic plan of `LIMIT $n` does not know the limit and assumes 10 % of the rows, so for
 * the page statements it cost more and every execution was planned again: at 1,000,000 attestations a recipient page
 * spent 0.74 ms in Bind (planning) for 1.0 ms in Execute (server log: 385 executions on 4 connections, no generic
 * plan; with the number in the text, 15 generic plans of 20).
 *
 * `planOnce` only for statements whose generic plan stays on the page's index (test/keysetPlans.test.ts EXPLAINs the
 * forced generic plan of each page statement it sends): a page with one filter. With two filters (e.g. attester and
 * schema) the generic plan, blind to how many rows each value has, can AND two bitmap scans and sort thousands of
 * rows; with an id list (`inLineageOf`) it assumes a list of 10. Those keep the parameter, which makes PostgreSQL
 * prefer custom plans; it may still keep a generic plan for them when its cost is no higher (it did before this
 * existed, e.g. attester + schema at 105,000 rows).
 * @param rows a non-negative safe integer
 * @param planOnce the statement's generic plan is known to be bounded (default false)
 * @throws {RangeError} for anything else (a bug: page sizes are validated before any SQL is built)
 */
export function limitSql(rows: number, planOnce = false): Prisma.Sql {
  if (!Number.isSafeInteger(rows) || rows < 0) throw new RangeError(`LIMIT must be a non-negative integer, got ${rows}`)
  return planOnce && PLANNED_ONCE_TAKES.has(rows) ? Prisma.raw(`LIMIT ${rows}`) : Prisma.sql`LIMIT ${rows}`
}

/**
 * The body of the recursive CTE `chains(chain_id)`: the filter's one chain, none (a filter naming two chains), or
 * every chain id of `table` by a loose index scan (one probe of a chainId-first index per chain; the last row is
 * NULL, so readers add `WHERE chains.chain_id IS NOT NULL`).
 */
export function chainsSql(table: Prisma.Sql, chainIds: number[] | null): Prisma.Sql {
  if (chainIds) return chainIds.length === 1 ? Prisma.sql`SELECT ${chainIds[0]}::int` : Prisma.sql`SELECT NULL::int WHERE FALSE`
  return Prisma.sql`SELECT min("chainId") FROM ${table}
      UNION ALL SELECT (SELECT min(t."chainId") FROM ${table} t WHERE t."chainId" > c.chain_id) FROM chains c WHERE c.chain_id IS NOT NULL`
}

/**
 * `(k…, chain) > (K…, C)` (gt) or `<` (lt) on one chain, as ONE row-value comparison the index can start from:
 * gt: `(k…) > (K…, Kn - (chain > C ? 1 : 0))`; lt: `(k…) <= (K…, Kn - (chain < C ? 0 : 1))`. Both subtract, so a
 * last key of 2^63 - 1 (the largest id PostgreSQL stores) does not overflow.
 * @param columns the keys as SQL (one or more); `bound` the cursor's chain and values, as many as `columns`
 * @param chain the chain the compared rows are on (usually {@link CHAIN_ID})
 * @returns a boolean SQL condition
 */
export function compareKeyset(columns: Prisma.Sql[], bound: KeysetBound, op: 'gt' | 'lt', chain: Prisma.Sql): Prisma.Sql {
  const values = [...bound.values]
  const last = values.length - 1
  values[last] =
    op === 'gt'
      ? Prisma.sql`(${values[last]} - CASE WHEN ${chain} > ${bound.chainId}::int THEN 1 ELSE 0 END)`
      : Prisma.sql`(${values[last]} - CASE WHEN ${chain} < ${bound.chainId}::int THEN 0 ELSE 1 END)`
  const sign = Prisma.raw(op === 'gt' ? '>' : '<=')
  if (columns.length === 1) return Prisma.sql`${columns[0]} ${sign} ${values[0]}`
  return Prisma.sql`(${Prisma.join(columns, ', ')}) ${sign} (${Prisma.join(values, ', ')})`
}
