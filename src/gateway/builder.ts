/**
 * The one Pothos schema builder of the gateway (`@pothos/plugin-prisma` + `@pothos/plugin-relay`).
 * Type files under `./types/` register themselves on it; `./schema.ts` imports every one of them and builds the
 * schema. The Prisma client comes from the request context, never from a module singleton, so the schema can be
 * printed without a database and several gateways can share a process.
 */
import SchemaBuilder from '@pothos/core'
import ComplexityPlugin from '@pothos/plugin-complexity'
import PrismaPlugin from '@pothos/plugin-prisma'
import RelayPlugin from '@pothos/plugin-relay'
import { DateTimeResolver, JSONResolver } from 'graphql-scalars'
import type { PrismaClient } from '../generated/prisma/client.js'
import type PrismaTypes from '../generated/pothos-types.js'
import { getDatamodel } from '../generated/pothos-types.js'
import { fieldComplexity } from './complexity.js'
import type { JournalSubscription } from '../journal/journalTail.js'
import type { JournalHub } from '../journal/journalHub.js'

/** Live values an in-process indexer may know better than the database (e.g. the head it just saw). */
export type ChainStatusOverride = {
  chainId: number
  headBlock?: bigint | null
  safeBlock?: bigint | null
  indexedBlock?: bigint | null
}

/** Per-request context of every resolver. */
export type GatewayContext = {
  prisma: PrismaClient
  journal: JournalHub
  /** hard cap on `first`/`last` of every connection */
  maxPageSize: number
  /**
   * subscriptions: the journal subscription feeding this operation — its cursor, the events it holds and whether it
   * still replays (read by shared executions, useSharedSubscriptions.ts, and by `loadAhead`)
   */
  eventStream?: Pick<JournalSubscription, 'cursor' | 'buffered' | 'replaying' | 'peek'>
  getChainStatus?: () => ChainStatusOverride[] | Promise<ChainStatusOverride[]>
  /** per-request DataLoaders, by purpose (see attestationChildren.ts) */
  loaders: Map<string, unknown>
}

export const builder = new SchemaBuilder<{
  PrismaTypes: PrismaTypes
  Context: GatewayContext
  DefaultFieldNullability: false
  DefaultEdgesNullability: false
  DefaultNodeNullability: false
  Scalars: {
    DateTime: { Input: Date; Output: Date }
    JSON: { Input: unknown; Output: unknown }
  }
}>({
  plugins: [PrismaPlugin, RelayPlugin, ComplexityPlugin],
  defaultFieldNullability: false,
  // the cost model only: the budget is checked before execution by useQueryLimits (no `limit` here)
  complexity: { fieldComplexity: fieldComplexity as never },
  prisma: {
    client: (ctx) => ctx.prisma,
    dmmf: getDatamodel(),
    filterConnectionTotalCount: true,
    onUnusedQuery: process.env.NODE_ENV === 'production' ? null : 'warn',
  },
  relay: {
    // Records are addressed by SignScan ids, not Relay global ids: no `node`/`nodes` root fields.
    nodeQueryOptions: false,
    nodesQueryOptions: false,
    nodesOnConnection: true,
    edgesFieldOptions: { nullable: false },
    nodeFieldOptions: { nullable: false },
  },
})

builder.addScalarType('DateTime', DateTimeResolver)
builder.addScalarType('JSON', JSONResolver)

builder.queryType({ description: 'Sign Protocol attestations, schemas and indexer status' })
builder.subscriptionType({ description: 'Live attestation changes, fed from the journal after each commit' })
