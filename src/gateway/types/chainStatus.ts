/**
 * `ChainStatus` and `indexerStatus`: how far the indexer is on each chain, from the `Chain` rows (head and safe
 * block, written by sync) and the `Checkpoint` rows (last fully committed block), optionally overridden by live
 * values from an in-process indexer (`GatewayContext.getChainStatus`).
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
}

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
