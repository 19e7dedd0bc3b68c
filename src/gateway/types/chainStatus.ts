/**
 * `ChainStatus` and `indexerStatus`: how far the indexer is on each chain, from the `Chain` rows (head and safe
 * block, and the sync loop's failure state, written by sync) and the `Checkpoint` rows (last fully committed block),
 * optionally overridden by live values from an in-process indexer (`GatewayContext.getChainStatus`). The failure
 * state lives in the database so a gateway in another process (`serve`) shows it too.
 */
import { builder, type ChainStatusOverride, type GatewayContext } from '../builder.js'
import { toUint64String } from '../time.js'

export type ChainStatusShape = {
  chainId: number
  name: string
  contract: string
  confirmations: number
  headBlock: bigint | null
  safeBlock: bigint | null
  indexedBlock: bigint | null
  indexedBlockHash: string | null
  consecutiveFailures: number
  stalledSince: Date | null
  lastError: ChainSyncErrorShape | null
}

/** The most recent failed sync step of a chain (`Chain.lastError*`). */
export type ChainSyncErrorShape = { code: string; message: string; at: Date }

export const ChainSyncError = builder.objectRef<ChainSyncErrorShape>('ChainSyncError').implement({
  description: 'A failed sync step of a chain: what went wrong and when.',
  fields: (t) => ({
    code: t.exposeString('code', {
      description: 'the error code, e.g. CHAIN_ID_MISMATCH, DATABASE, RPC; for an error without one RPC, DATABASE or INTERNAL by its origin',
    }),
    message: t.exposeString('message', { description: 'one line with its causes; URLs in it are redacted (no credentials, keys or query strings)' }),
    at: t.expose('at', { type: 'DateTime', description: 'when the step failed' }),
  }),
})

export const ChainStatus = builder.objectRef<ChainStatusShape>('ChainStatus').implement({
  description: 'Indexing progress of one chain. Block numbers are decimal strings.',
  fields: (t) => ({
    chainId: t.exposeInt('chainId'),
    name: t.exposeString('name'),
    contract: t.exposeString('contract', { description: 'Sign Protocol proxy address' }),
    confirmations: t.exposeInt('confirmations', { description: 'blocks behind the head considered safe' }),
    headBlock: t.string({ nullable: true, description: 'latest block seen on the chain', resolve: (s) => toUint64String(s.headBlock) }),
    safeBlock: t.string({ nullable: true, description: 'head minus confirmations (or the finalized block)', resolve: (s) => toUint64String(s.safeBlock) }),
    indexedBlock: t.string({ nullable: true, description: 'last block fully committed (the checkpoint)', resolve: (s) => toUint64String(s.indexedBlock) }),
    indexedBlockHash: t.exposeString('indexedBlockHash', { nullable: true }),
    lagBlocks: t.string({
      nullable: true,
      description: 'headBlock - indexedBlock (never negative); null until both are known',
      resolve: (s) => (s.headBlock == null || s.indexedBlock == null ? null : (s.headBlock > s.indexedBlock ? s.headBlock - s.indexedBlock : 0n).toString()),
    }),
    consecutiveFailures: t.exposeInt('consecutiveFailures', { description: 'sync steps that failed in a row; 0 once a step succeeds' }),
    stalled: t.boolean({
      description:
        "true while the chain is stalled: the same sync step failed the indexer's limits.stallAfterFailures times in a row, or the RPC node is on another chain (nothing is committed then)",
      resolve: (s) => s.stalledSince !== null,
    }),
    stalledSince: t.expose('stalledSince', { type: 'DateTime', nullable: true, description: 'when the chain became stalled; null when it is not' }),
    lastError: t.field({
      type: ChainSyncError,
      nullable: true,
      description: 'the most recent failed sync step; kept after the chain recovers (consecutiveFailures and stalled tell the present)',
      resolve: (s) => s.lastError,
    }),
  }),
})

/**
 * Reads every indexed chain's status.
 * @returns one entry per `Chain` row, ordered by chain id; two queries whatever the number of chains
 */
export async function getChainStatuses(ctx: GatewayContext): Promise<ChainStatusShape[]> {
  const [chains, checkpoints, overrides] = await Promise.all([
    ctx.prisma.chain.findMany({ orderBy: { chainId: 'asc' } }),
    ctx.prisma.checkpoint.findMany(),
    ctx.getChainStatus ? ctx.getChainStatus() : ([] as ChainStatusOverride[]),
  ])
  const checkpointOf = new Map(checkpoints.map((c) => [c.chainId, c]))
  const overrideOf = new Map(overrides.map((o) => [o.chainId, o]))
  return chains.map((chain) => {
    const checkpoint = checkpointOf.get(chain.chainId)
    const live = overrideOf.get(chain.chainId)
    return {
      chainId: chain.chainId,
      name: chain.name,
      contract: chain.contract,
      confirmations: chain.confirmations,
      headBlock: live?.headBlock ?? chain.headBlock,
      safeBlock: live?.safeBlock ?? chain.safeBlock,
      indexedBlock: live?.indexedBlock ?? checkpoint?.blockNumber ?? null,
      indexedBlockHash: checkpoint?.blockHash ?? null,
      consecutiveFailures: chain.consecutiveFailures,
      stalledSince: chain.stalledSince,
      lastError:
        chain.lastError === null || chain.lastErrorAt === null
          ? null
          : { code: chain.lastErrorCode ?? 'INTERNAL', message: chain.lastError, at: chain.lastErrorAt },
    }
  })
}

builder.queryFields((t) => ({
  indexerStatus: t.field({
    type: [ChainStatus],
    description: 'Indexing progress per chain',
    resolve: (_root, _args, ctx) => getChainStatuses(ctx),
  }),
}))
