/**
 * Lineage queries: the linked-attestation graph walked in SQL with ONE recursive CTE per question, never one
 * query per hop. Every walk is cycle-safe (a node already on the path is not entered again: only malformed
 * links, LINKED_NOT_LOWER_ID, can make a cycle), bounded in depth (LINEAGE_DEPTH_CAP) and in breadth (a walk
 * stops after LINEAGE_MAX_NODES nodes: PostgreSQL evaluates a recursive CTE lazily, level by level, so a LIMIT
 * over it ends the recursion early). Ancestors follow `linkedAttestationId` (the primary key); descendants use
 * the (chainId, linkedAttestationId, attestationId) index.
 *
 * Rows are then read with the selection Pothos planned (`loadAttestations`), batched across every lineage field
 * of the request, so relations under lineage nodes (schema, …) cost a constant number of queries.
 */
import DataLoader from 'dataloader'
import { LINEAGE_DEPTH_CAP, type LineageDirection, lineageWalkSql } from '../db/lineageSql.js'
import { queryRowsUnsafe } from '../db/directReads.js'
import type { Attestation, PrismaClient } from '../generated/prisma/client.js'
import { attestationColumnsSql, type DirectSelection, getAttestationRows, toAttestationRow, toDirectSelection } from './attestationRows.js'
import type { GatewayContext } from './builder.js'
import { BadUserInputError } from './errors.js'
import { isStorableUint64 } from './ids.js'
import { assertCursorLength } from './inputLimits.js'

export { LINEAGE_DEPTH_CAP, type LineageDirection } from '../db/lineageSql.js'

/** Nodes one lineage walk visits at most (beyond: `truncated`). */
export const LINEAGE_MAX_NODES = 10_000

export type LineageKey = { chainId: number; attestationId: bigint }
export type LineageItem = {
  attestationId: bigint
  depth: number
  /** the row, when the page read it (getLineagePage's `selection`) */
  row?: Attestation
}
export type LineagePage = { items: LineageItem[]; total: number; truncated: boolean }

const ONE = { kind: 'one', chainId: '$1', attestationId: '$2' } as const

function walkSql(direction: LineageDirection): string {
  return `WITH RECURSIVE ${lineageWalkSql('walk', direction, ONE, '$3')}, bounded AS (SELECT id, depth FROM walk WHERE depth > 0 LIMIT $4)`
}

/**
 * One page of an attestation's lineage, ordered by (depth, attestation id): nearest first.
 * @param maxDepth 1..LINEAGE_DEPTH_CAP generations
 * @param after the (depth, id) of the last item of the previous page, or null
 * @param take items to return (the caller asks one more to learn `hasNextPage`)
 * @param selection when given, each item's row with this direct selection (attestationRows.ts) in the same statement
 * @returns the items (with their rows when `selection` is given), the size of the walk (within the caps) and whether
 *   the node cap cut it
 */
export async function getLineagePage(
  prisma: PrismaClient,
  key: LineageKey,
  direction: LineageDirection,
  maxDepth: number,
  after: LineageItem | null,
  take: number,
  selection?: DirectSelection,
): Promise<LineagePage> {
  const rows = await queryRowsUnsafe<{ total: number; id: string | null; depth: number | null } & Record<string, unknown>>(
    prisma,
    `${walkSql(direction)}
    SELECT t.total, p.id, p.depth${selection ? `, ${attestationColumnsSql(selection).text}` : ''} FROM (SELECT count(*)::int AS total FROM bounded) t
    LEFT JOIN LATERAL (
      SELECT id::text AS id, depth FROM bounded WHERE (depth, id) > ($5::int, $6::bigint) ORDER BY depth, id LIMIT $7
    ) p ON true${selection ? ` LEFT JOIN "Attestation" a ON a."chainId" = $1 AND a."attestationId" = p.id::bigint` : ''}`,
    key.chainId,
    key.attestationId.toString(),
    maxDepth,
    LINEAGE_MAX_NODES,
    after?.depth ?? 0,
    (after?.attestationId ?? 0n).toString(),
    take,
  )
  const total = rows[0]?.total ?? 0
  const items: LineageItem[] = rows
    .filter((r) => r.id !== null)
    .map((r) => {
      const { total: _total, id, depth, ...row } = r
      return {
        attestationId: BigInt(id!),
        depth: depth!,
        ...(selection && row.attestationId != null && { row: toAttestationRow(row as Parameters<typeof toAttestationRow>[0]) }),
      }
    })
    .sort((x, y) => x.depth - y.depth || (x.attestationId < y.attestationId ? -1 : 1))
  return { items, total, truncated: total >= LINEAGE_MAX_NODES }
}

/**
 * Every attestation in the lineage of `key` — its ancestors and its descendants (not itself), each walk capped
 * at LINEAGE_DEPTH_CAP generations and LINEAGE_MAX_NODES nodes — in ONE statement (two recursive CTEs).
 * @returns attestation ids on `key.chainId`, and whether the descendants' walk was cut at LINEAGE_MAX_NODES (it
 *   reads one node more to know)
 */
export async function getLineageIds(prisma: PrismaClient, key: LineageKey): Promise<{ ids: bigint[]; truncated: boolean }> {
  const rows = await prisma.$queryRawUnsafe<{ id: string | null; over: boolean }[]>(
    `WITH RECURSIVE ${lineageWalkSql('up', 'ANCESTORS', ONE, '$3')}, ${lineageWalkSql('down', 'DESCENDANTS', ONE, '$3')}
    , below AS (SELECT id, row_number() OVER () AS n FROM (SELECT id FROM down WHERE depth > 0 LIMIT $4 + 1) d)
    SELECT id::text AS id, false AS over FROM up WHERE depth > 0
    UNION SELECT id::text, false FROM below WHERE n <= $4
    UNION SELECT NULL, true FROM below WHERE n > $4`,
    key.chainId,
    key.attestationId.toString(),
    LINEAGE_DEPTH_CAP,
    LINEAGE_MAX_NODES,
  )
  return { ids: rows.filter((r) => r.id !== null).map((r) => BigInt(r.id!)), truncated: rows.some((r) => r.over) }
}

/** Where an attestation's ancestor chain ends: the root's id and its depth; null when the chain loops. */
export type LineageRoot = { rootId: bigint; depth: number } | null

/**
 * Loads the lineage root of many attestations in ONE recursive CTE (per request tick, through a DataLoader).
 * The root is the farthest indexed ancestor within LINEAGE_DEPTH_CAP generations (the attestation itself when it
 * links to nothing); a chain that loops has no root (null).
 */
export function lineageRootLoader(ctx: GatewayContext): DataLoader<LineageKey, LineageRoot, string> {
  let loader = ctx.loaders.get('lineageRoot') as DataLoader<LineageKey, LineageRoot, string> | undefined
  if (!loader) {
    loader = new DataLoader<LineageKey, LineageRoot, string>(
      async (keys) => {
        const rows = await ctx.prisma.$queryRawUnsafe<{ ord: number; id: string; depth: number; cycle: boolean }[]>(
          `WITH RECURSIVE ${lineageWalkSql('walk', 'ANCESTORS', { kind: 'many', chainIds: '$1', attestationIds: '$2' }, '$3')}
          SELECT DISTINCT ON (ord) ord, id::text AS id, depth, COALESCE(next_id = ANY(path), false) AS cycle
          FROM walk ORDER BY ord, depth DESC`,
          keys.map((k) => k.chainId),
          keys.map((k) => k.attestationId.toString()),
          LINEAGE_DEPTH_CAP,
        )
        const byOrd = new Map(rows.map((r) => [Number(r.ord), r]))
        return keys.map((_k, i) => {
          const row = byOrd.get(i + 1)
          return !row || row.cycle ? null : { rootId: BigInt(row.id), depth: row.depth }
        })
      },
      { cacheKeyFn: (k) => `${k.chainId}:${k.attestationId}` },
    )
    ctx.loaders.set('lineageRoot', loader)
  }
  return loader
}

/**
 * Reads attestation rows with a Pothos-planned selection, for any number of keys per tick in ONE query (plus
 * the selection's relation queries). One DataLoader per request and selection.
 */
export function loadAttestations(ctx: GatewayContext, query: object, keys: readonly LineageKey[]): Promise<(Attestation | null)[]> {
  const cacheKey = `attestationRows:${JSON.stringify(query, (_k, v) => (typeof v === 'bigint' ? `${v}n` : v))}`
  let loader = ctx.loaders.get(cacheKey) as DataLoader<LineageKey, Attestation | null, string> | undefined
  if (!loader) {
    loader = new DataLoader<LineageKey, Attestation | null, string>(
      async (batch) => {
        // one raw statement when the selection is the row (and its recipients), else Prisma plans the relations
        const direct = toDirectSelection(query)
        const rows = direct
          ? await getAttestationRows(ctx, direct, batch)
          : await ctx.prisma.attestation.findMany({
              ...query,
              where: { chainId: { in: [...new Set(batch.map((k) => k.chainId))] }, attestationId: { in: [...new Set(batch.map((k) => k.attestationId))] } },
            })
        const byKey = new Map(rows.map((r) => [`${r.chainId}:${r.attestationId}`, r]))
        return batch.map((k) => byKey.get(`${k.chainId}:${k.attestationId}`) ?? null)
      },
      { cacheKeyFn: (k) => `${k.chainId}:${k.attestationId}` },
    )
    ctx.loaders.set(cacheKey, loader)
  }
  return loader.loadMany(keys).then((rows) => rows.map((r) => (r instanceof Error ? null : r)))
}

/** Lineage cursor: opaque base64url of `depth:attestationId`. */
export function toLineageCursor(item: LineageItem): string {
  return Buffer.from(`lineage:${item.depth}:${item.attestationId}`).toString('base64url')
}

/**
 * Reads a cursor made by {@link toLineageCursor}.
 * @returns the (depth, attestation id) of the item the cursor points at
 * @throws {BadUserInputError} when the cursor did not come from a lineage connection: malformed, longer than
 *   INPUT_LIMITS.maxCursorChars, or with an id no stored attestation can have (above int64)
 */
export function parseLineageCursor(cursor: string): LineageItem {
  const match = /^lineage:(\d{1,3}):(\d{1,20})$/.exec(Buffer.from(assertCursorLength(cursor, 'after'), 'base64url').toString())
  const attestationId = match ? BigInt(match[2]!) : -1n
  if (!match || !isStorableUint64(attestationId)) throw new BadUserInputError('Invalid lineage cursor: not from a lineage connection', { argument: 'after' })
  return { depth: Number(match[1]), attestationId }
}
