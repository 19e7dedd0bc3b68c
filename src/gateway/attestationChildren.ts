/**
 * Per-parent attestation pages: `Attestation.linkedBy` (children, oldest first) and `Schema.attestations`
 * (newest first), for any number of parents in ONE page query plus ONE row query, and counts in ONE grouped
 * query.
 *
 * Why not Pothos `relatedConnection`: Prisma loads a nested relation for many parents without a per-parent
 * LIMIT (every child of every parent) and computes `_count` by grouping the WHOLE table. On a schema with a
 * million attestations either is a full scan. Here the page is a `LATERAL ... LIMIT` per parent over the
 * (chainId, schemaId, attestationId) / (chainId, linkedAttestationId) indexes, the counts a `GROUP BY`
 * restricted to the parents, and the rows are re-read with the selection Pothos planned (so relations under
 * the nodes still batch).
 */
import { formatPrismaCursor, parsePrismaCursor, queryFromInfo } from '@pothos/plugin-prisma'
import DataLoader from 'dataloader'
import type { GraphQLResolveInfo } from 'graphql'
import { type Attestation, Prisma } from '../generated/prisma/client.js'
import type { GatewayContext } from './builder.js'
import { BadUserInputError } from './errors.js'
import { isStorableUint64 } from './ids.js'
import { assertCursorLength } from './inputLimits.js'
import { assertPageSize, defaultPageSize } from './pagination.js'

/** Which relation: children by `linkedAttestationId`, or attestations by `schemaId`. */
export type ChildRelation = 'linkedBy' | 'schemaAttestations'

const RELATIONS = {
  linkedBy: { column: Prisma.raw('"linkedAttestationId"'), field: 'linkedAttestationId', order: 'asc' },
  schemaAttestations: { column: Prisma.raw('"schemaId"'), field: 'schemaId', order: 'desc' },
} as const

const CURSOR_FIELDS = ['chainId', 'attestationId']

export type ParentKey = { chainId: number; parentId: bigint }

export type ConnectionArgs = { first?: number | null; last?: number | null; after?: string | null; before?: string | null }

export type ChildConnection = {
  edges: { cursor: string; node: Attestation }[]
  pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string | null; endCursor: string | null }
  /** runs the count only when the `totalCount` field is resolved */
  totalCount: () => Promise<number>
}

type PageKey = ParentKey & { cursorId: bigint | null }

/**
 * Resolves one parent's page of a child relation (Relay arguments, keyset on attestation id).
 * @param parent the parent's chain id and id (attestation id for linkedBy, schema id for schemaAttestations)
 * @throws {BadUserInputError} for a page above `maxPageSize`, a malformed or foreign cursor, or an unsupported
 *   argument combination (`first` with `before`, `last` with `after`, `after` with `before`)
 */
export async function resolveChildConnection(
  relation: ChildRelation,
  parent: ParentKey,
  args: ConnectionArgs,
  ctx: GatewayContext,
  info: GraphQLResolveInfo,
): Promise<ChildConnection> {
  assertPageSize(args, ctx)
  if (args.after != null && args.before != null) throw new BadUserInputError('"after" and "before" cannot be used together')
  if (args.first != null && args.before != null) throw new BadUserInputError('"first" and "before" cannot be used together')
  if (args.last != null && args.after != null) throw new BadUserInputError('"last" and "after" cannot be used together')
  for (const name of ['first', 'last'] as const) {
    const value = args[name]
    if (value != null && value < 0) throw new BadUserInputError(`"${name}" must not be negative`, { argument: name })
  }
  const backward = args.last != null || args.before != null
  const size = args.first ?? args.last ?? defaultPageSize(args, ctx)
  const cursor = args.after ?? args.before
  const cursorId = cursor == null ? null : parseChildCursor(cursor, parent.chainId)
  const natural = RELATIONS[relation].order
  const order = backward ? (natural === 'asc' ? 'desc' : 'asc') : natural

  const query = size === 0 ? {} : (queryFromInfo({ context: ctx, info, typeName: 'Attestation', paths: [['nodes'], ['edges', 'node']] }) as object)
  const rows = size === 0 ? [] : await pageLoader(ctx, relation, order, size + 1, query).load({ ...parent, cursorId })
  const hasMore = rows.length > size
  const page = rows.slice(0, size)
  if (backward) page.reverse()
  const edges = page.map((node) => ({ cursor: formatPrismaCursor(node, CURSOR_FIELDS), node }))
  return {
    edges,
    pageInfo: {
      hasNextPage: backward ? args.before != null : hasMore,
      hasPreviousPage: backward ? hasMore : args.after != null,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges.at(-1)?.cursor ?? null,
    },
    totalCount: () => countLoader(ctx, relation).load(parent),
  }
}

function parseChildCursor(cursor: string, chainId: number): bigint {
  let value: unknown
  try {
    value = parsePrismaCursor(assertCursorLength(cursor))
  } catch (error) {
    if (error instanceof BadUserInputError) throw error
    throw new BadUserInputError('Invalid cursor: not from this connection', { argument: 'cursor' })
  }
  // a stored attestation id fits int64: a larger one was not made by this connection (and PostgreSQL would refuse it)
  if (!Array.isArray(value) || value.length !== 2 || value[0] !== chainId || typeof value[1] !== 'bigint' || !isStorableUint64(value[1])) {
    throw new BadUserInputError('Invalid cursor: not from this connection', { argument: 'cursor' })
  }
  return value[1]
}

/** One DataLoader per (relation, order, page size, planned selection) and request. */
function pageLoader(ctx: GatewayContext, relation: ChildRelation, order: 'asc' | 'desc', take: number, query: object) {
  const key = `page:${relation}:${order}:${take}:${stableKey(query)}`
  let loader = ctx.loaders.get(key) as DataLoader<PageKey, Attestation[], string> | undefined
  if (!loader) {
    loader = new DataLoader<PageKey, Attestation[], string>((keys) => loadPages(ctx, relation, order, take, query, keys), {
      cacheKeyFn: (k) => `${k.chainId}:${k.parentId}:${k.cursorId ?? ''}`,
    })
    ctx.loaders.set(key, loader)
  }
  return loader
}

async function loadPages(
  ctx: GatewayContext,
  relation: ChildRelation,
  order: 'asc' | 'desc',
  take: number,
  query: object,
  keys: readonly PageKey[],
): Promise<Attestation[][]> {
  const { column } = RELATIONS[relation]
  const direction = Prisma.raw(order === 'asc' ? 'ASC' : 'DESC')
  const after = Prisma.raw(order === 'asc' ? '>' : '<')
  // Ids travel as text: bigint arrays are not portable across driver adapters.
  const found = await ctx.prisma.$queryRaw<{ ord: bigint; chainId: number; attestationId: bigint }[]>(Prisma.sql`
    SELECT p.ord, c."chainId", c."attestationId"
    FROM unnest(${keys.map((k) => k.chainId)}::int[], ${keys.map((k) => k.parentId.toString())}::text[],
                ${keys.map((k) => k.cursorId?.toString() ?? null)}::text[]) WITH ORDINALITY AS p(chain_id, parent_id, cursor_id, ord)
    CROSS JOIN LATERAL (
      SELECT a."chainId", a."attestationId" FROM "Attestation" a
      WHERE a."chainId" = p.chain_id AND a.${column} = p.parent_id::bigint
        AND (p.cursor_id IS NULL OR a."attestationId" ${after} p.cursor_id::bigint)
      ORDER BY a."attestationId" ${direction}
      LIMIT ${take}
    ) c
    ORDER BY p.ord, c."attestationId" ${direction}`)
  const pages: Attestation[][] = keys.map(() => [])
  if (!found.length) return pages
  const rows = await ctx.prisma.attestation.findMany({
    ...query,
    where: { chainId: { in: [...new Set(found.map((f) => f.chainId))] }, attestationId: { in: [...new Set(found.map((f) => f.attestationId))] } },
  })
  const byKey = new Map(rows.map((r) => [`${r.chainId}:${r.attestationId}`, r]))
  for (const f of found) {
    const row = byKey.get(`${f.chainId}:${f.attestationId}`)
    if (row) pages[Number(f.ord) - 1].push(row)
  }
  return pages
}

/** Counts per parent: one `GROUP BY` restricted to the parents of this request. */
function countLoader(ctx: GatewayContext, relation: ChildRelation) {
  const key = `count:${relation}`
  let loader = ctx.loaders.get(key) as DataLoader<ParentKey, number, string> | undefined
  if (!loader) {
    const field = RELATIONS[relation].field
    loader = new DataLoader<ParentKey, number, string>(
      async (keys) => {
        const groups = await ctx.prisma.attestation.groupBy({
          by: ['chainId', field],
          where: { chainId: { in: [...new Set(keys.map((k) => k.chainId))] }, [field]: { in: [...new Set(keys.map((k) => k.parentId))] } },
          _count: { _all: true },
        })
        const counts = new Map(groups.map((g) => [`${g.chainId}:${(g as Record<string, unknown>)[field]}`, g._count._all]))
        return keys.map((k) => counts.get(`${k.chainId}:${k.parentId}`) ?? 0)
      },
      { cacheKeyFn: (k) => `${k.chainId}:${k.parentId}` },
    )
    ctx.loaders.set(key, loader)
  }
  return loader
}

function stableKey(value: unknown): string {
  return JSON.stringify(value, (_key, v) => (typeof v === 'bigint' ? `${v}n` : v))
}
