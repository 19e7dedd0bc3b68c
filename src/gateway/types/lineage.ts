/**
 * Lineage fields on `Attestation`: `lineage(direction, maxDepth, first, after)` — ancestors or descendants as a
 * Relay connection whose edges carry `depth` — plus `lineageRoot` and `lineageDepth`. Each `lineage` field is ONE
 * recursive CTE (see ../lineage.ts); the nodes of every lineage field in the request are read in one batched
 * query with the selection Pothos planned, so a depth-10 lineage with schemas costs the same number of queries
 * as a depth-2 one.
 */
import { queryFromInfo } from '@pothos/plugin-prisma'
import type { GraphQLResolveInfo } from 'graphql'
import type { Attestation as AttestationRow } from '../../generated/prisma/client.js'
import type { GatewayContext } from '../builder.js'
import { builder } from '../builder.js'
import { BadUserInputError } from '../errors.js'
import {
  getLineagePage,
  LINEAGE_DEPTH_CAP,
  LINEAGE_MAX_NODES,
  type LineageDirection,
  lineageRootLoader,
  loadAttestations,
  parseLineageCursor,
  toLineageCursor,
} from '../lineage.js'
import { toDirectSelection } from '../attestationRows.js'
import { assertPageSize, defaultPageSize } from '../pagination.js'
import { Attestation } from './attestation.js'

export const LineageDirectionEnum = builder.enumType('LineageDirection', {
  description: 'Which way to walk linked attestations',
  values: {
    ANCESTORS: { description: 'the attestation this one links to, the one that one links to, … (nearest first)' },
    DESCENDANTS: { description: 'attestations that link to this one, and so on, breadth first (children, then grandchildren, …)' },
  } as const,
})

type LineageEdge = { cursor: string; depth: number; node: AttestationRow }
type LineageConnection = {
  edges: LineageEdge[]
  pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string | null; endCursor: string | null }
  totalCount: number
  truncated: boolean
}

type LineageArgs = {
  direction: LineageDirection
  maxDepth?: number | null
  first?: number | null
  after?: string | null
  last?: number | null
  before?: string | null
}

async function resolveLineage(a: AttestationRow, args: LineageArgs, ctx: GatewayContext, info: GraphQLResolveInfo): Promise<LineageConnection> {
  assertPageSize(args, ctx)
  if (args.last != null || args.before != null) throw new BadUserInputError('lineage pages forward only: use "first" and "after"')
  const maxDepth = args.maxDepth ?? 10
  if (!Number.isInteger(maxDepth) || maxDepth < 1 || maxDepth > LINEAGE_DEPTH_CAP) {
    throw new BadUserInputError(`"maxDepth" must be from 1 to ${LINEAGE_DEPTH_CAP} (got ${maxDepth})`, { argument: 'maxDepth' })
  }
  if (args.first != null && args.first < 0) throw new BadUserInputError('"first" must not be negative', { argument: 'first' })
  const size = args.first ?? defaultPageSize(args, ctx)
  const after = args.after == null ? null : parseLineageCursor(args.after)
  const query = queryFromInfo({ context: ctx, info, typeName: 'Attestation', paths: [['nodes'], ['edges', 'node']] }) as object
  // the walk and its rows in one statement when the selection is the row (and its recipients): attestationRows.ts
  const direct = toDirectSelection(query) ?? undefined
  const page = await getLineagePage(ctx.prisma, { chainId: a.chainId, attestationId: a.attestationId }, args.direction, maxDepth, after, size + 1, direct)
  const items = page.items.slice(0, size)
  const rows = direct
    ? items.map((i) => i.row ?? null)
    : await loadAttestations(
        ctx,
        query,
        items.map((i) => ({ chainId: a.chainId, attestationId: i.attestationId })),
      )
  const edges: LineageEdge[] = []
  items.forEach((item, i) => {
    const node = rows[i]
    if (node) edges.push({ cursor: toLineageCursor(item), depth: item.depth, node })
  })
  return {
    edges,
    pageInfo: {
      hasNextPage: page.items.length > size,
      hasPreviousPage: after !== null,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges.at(-1)?.cursor ?? null,
    },
    totalCount: page.total,
    truncated: page.truncated,
  }
}

builder.prismaObjectField('Attestation', 'lineage', (t) =>
  t.connection(
    {
      type: Attestation,
      description: `Linked attestations in one direction, up to \`maxDepth\` generations (1..${LINEAGE_DEPTH_CAP}); ordered by depth, then id. Cycle-safe; a walk visits at most ${LINEAGE_MAX_NODES} attestations (see \`truncated\`).`,
      args: {
        direction: t.arg({ type: LineageDirectionEnum, required: true }),
        maxDepth: t.arg.int({ defaultValue: 10, description: `generations to walk, 1..${LINEAGE_DEPTH_CAP}` }),
      },
      resolve: (a, args, ctx, info) => resolveLineage(a, args as LineageArgs, ctx, info) as never,
    },
    {
      name: 'AttestationLineageConnection',
      fields: (c) => ({
        totalCount: c.int({
          description: 'attestations in the walk (within maxDepth and the node cap)',
          resolve: (conn) => (conn as unknown as LineageConnection).totalCount,
        }),
        truncated: c.boolean({
          description: `true when the walk stopped at ${LINEAGE_MAX_NODES} attestations`,
          resolve: (conn) => (conn as unknown as LineageConnection).truncated,
        }),
      }),
    },
    {
      name: 'AttestationLineageEdge',
      fields: (e) => ({
        depth: e.int({
          description: 'generations from this attestation: 1 = parent (ANCESTORS) or child (DESCENDANTS)',
          resolve: (edge) => (edge as unknown as LineageEdge).depth,
        }),
      }),
    },
  ),
)

builder.prismaObjectFields('Attestation', (t) => ({
  lineageRoot: t.field({
    type: Attestation,
    nullable: true,
    description: `The farthest indexed ancestor (within ${LINEAGE_DEPTH_CAP} generations); the attestation itself when it links to nothing; null when its links loop`,
    resolve: async (a, _args, ctx, info) => {
      const root = await lineageRootLoader(ctx).load({ chainId: a.chainId, attestationId: a.attestationId })
      if (!root) return null
      const query = queryFromInfo({ context: ctx, info, typeName: 'Attestation' }) as object
      const [row] = await loadAttestations(ctx, query, [{ chainId: a.chainId, attestationId: root.rootId }])
      return (row ?? null) as never
    },
  }),
  lineageDepth: t.int({
    nullable: true,
    description: `Indexed ancestors above this attestation (0 for a root; at most ${LINEAGE_DEPTH_CAP}); null when its links loop`,
    resolve: async (a, _args, ctx) => (await lineageRootLoader(ctx).load({ chainId: a.chainId, attestationId: a.attestationId }))?.depth ?? null,
  }),
}))
