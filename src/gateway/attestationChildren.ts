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
 * the nodes still batch), or read in the page statement itself when the selection is the row and its recipients.
 */
import { queryRows } from '../db/directReads.js'
import { queryFromInfo } from '@pothos/plugin-prisma'
import DataLoader from 'dataloader'
import type { GraphQLResolveInfo } from 'graphql'
import { type Attestation, Prisma } from '../generated/prisma/client.js'
import type { GatewayContext } from './builder.js'
import { attestationColumnsSql, toAttestationRow, toDirectSelection } from './attestationRows.js'
import { loadAttestations } from './lineage.js'
import { type ConnectionArgs, formatRecordCursor, type KeysetConnection, limitSql, parseRecordCursor, toKeysetConnection, toPageRequest } from './keyset.js'

/** Which relation: children by `linkedAttestationId`, or attestations by `schemaId`. */
export type ChildRelation = 'linkedBy' | 'schemaAttestations'

const RELATIONS = {
  linkedBy: { column: Prisma.raw('"linkedAttestationId"'), field: 'linkedAttestationId', order: 'asc' },
  schemaAttestations: { column: Prisma.raw('"schemaId"'), field: 'schemaId', order: 'desc' },
} as const

export type ParentKey = { chainId: number; parentId: bigint }

export type { ConnectionArgs }

/** A child page; `totalCount` runs the count only when the field is resolved. */
export type ChildConnection = KeysetConnection<Attestation>

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
  const request = toPageRequest(args, ctx)
  const cursor = args.after ?? args.before
  const cursorId = cursor == null ? null : parseRecordCursor<bigint>(cursor, 'bigint', parent.chainId).key
  const natural = RELATIONS[relation].order
  const order = request.backward ? (natural === 'asc' ? 'desc' : 'asc') : natural
  const query = request.size === 0 ? {} : (queryFromInfo({ context: ctx, info, typeName: 'Attestation', paths: [['nodes'], ['edges', 'node']] }) as object)
  const rows = request.size === 0 ? [] : await pageLoader(ctx, relation, order, request.size + 1, query).load({ ...parent, cursorId })
  return toKeysetConnection(
    rows,
    request,
    args,
    (node) => formatRecordCursor(node.chainId, 'attestationId', node.attestationId),
    () => countLoader(ctx, relation).load(parent),
  )
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
  // no cursor = from the end of the id range: a plain comparison stays an index condition (an OR with
  // "cursor IS NULL" made every deep page scan from the first child)
  const noCursor = order === 'asc' ? '-1' : '9223372036854775807'
  // the pages and their rows in one statement when the selection is the row (and its recipients): attestationRows.ts
  const direct = toDirectSelection(query)
  // Ids travel as text: bigint arrays are not portable across driver adapters.
  const found = await queryRows<{ ord: bigint; chainId: number; attestationId: bigint } & Attestation>(
    ctx.prisma,
    Prisma.sql`
    SELECT p.ord, ${direct ? attestationColumnsSql(direct) : Prisma.sql`c."chainId", c."attestationId"`}
    FROM unnest(${keys.map((k) => k.chainId)}::int[], ${keys.map((k) => k.parentId.toString())}::text[],
                ${keys.map((k) => k.cursorId?.toString() ?? null)}::text[]) WITH ORDINALITY AS p(chain_id, parent_id, cursor_id, ord)
    CROSS JOIN LATERAL (
      SELECT a."chainId", a."attestationId" FROM "Attestation" a
      WHERE a."chainId" = p.chain_id AND a.${column} = p.parent_id::bigint
        AND a."attestationId" ${after} COALESCE(p.cursor_id::bigint, ${noCursor}::bigint)
      ORDER BY a."attestationId" ${direction}
      ${limitSql(take, true)}
    ) c
    ${direct ? Prisma.sql`JOIN "Attestation" a ON a."chainId" = c."chainId" AND a."attestationId" = c."attestationId"` : Prisma.empty}
    ORDER BY p.ord, c."attestationId" ${direction}`,
  )
  const pages: Attestation[][] = keys.map(() => [])
  if (!found.length) return pages
  if (direct) {
    for (const { ord, ...row } of found) pages[Number(ord) - 1]!.push(toAttestationRow(row as Parameters<typeof toAttestationRow>[0]))
    return pages
  }
  const rows = await loadAttestations(
    ctx,
    query,
    found.map((f) => ({ chainId: Number(f.chainId), attestationId: BigInt(f.attestationId) })),
  )
  found.forEach((f, i) => {
    const row = rows[i]
    if (row) pages[Number(f.ord) - 1]!.push(row)
  })
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
