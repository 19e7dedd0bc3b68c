/**
 * The reorg check, first step of every pass of a chain loop: compares the committed checkpoint's hash with the
 * node's chain (detectReorg.ts: parent hashes through the stored block window) and, when they part, rolls everything
 * above the common ancestor back in one transaction (rollbackChain: rows, checkpoint, REMOVED journal entries).
 */
import type { ChainClient } from '../chain/createChainClient.js'
import type { Logger } from '../common/logger.js'
import type { Metrics } from '../common/metrics.js'
import type { PrismaClient } from '../generated/prisma/client.js'
import { rollbackChain } from '../ingest/rollbackChain.js'
import { detectReorg } from './detectReorg.js'

export type CheckReorgParameters = {
  prisma: PrismaClient
  client: ChainClient
  chain: { chainId: number; startBlock: bigint }
  /** the finalized block at the last head read (null before the first): a reorg below it is logged as an error */
  lastFinalized: bigint | null
  /** the chain-id check (chainIdGuard.ts), asked again before rolling back: the hashes may come from another node */
  ensureChainId: () => Promise<void>
  /** the chain's logger (`chain_id` bound) */
  logger: Logger
  /** counts `sign_indexer_reorgs_total` */
  metrics: Metrics
  /**
   * awaited before a rollback (the indexer builds the indexes a fresh backfill deferred: the rollups' delete triggers
   * look up the remaining rows of each key, and without those indexes a rollback at 1,000,000 rows took 54 s, not 33 ms)
   */
  beforeRollback?: () => Promise<void>
}

/** What a rollback did: the checkpoint is now `ancestor`; `lastSeq` is the last REMOVED journal entry (null: none). */
export type ReorgRollback = { ancestor: bigint; lastSeq: bigint | null }

/**
 * @returns null when the checkpoint is on the node's chain (nothing done), else the rollback done
 * @throws the RPC error of a header read, {@link ChainIdMismatchError} from `ensureChainId`, or rollbackChain's
 *   DatabaseError (retryable when another writer moved the checkpoint)
 */
export async function checkReorg(params: CheckReorgParameters): Promise<ReorgRollback | null> {
  const { prisma, client, chain, lastFinalized, logger } = params
  const reorg = await detectReorg(prisma, client, chain.chainId, chain.startBlock)
  if (!reorg) return null
  await params.ensureChainId()
  const deep = lastFinalized !== null && reorg.ancestor.number < lastFinalized
  const fields = {
    from_block: Number(reorg.from.number),
    to_block: Number(reorg.ancestor.number),
    depth: Number(reorg.from.number - reorg.ancestor.number),
    beyond_window: reorg.beyondWindow,
  }
  if (deep || reorg.beyondWindow) logger.error(fields, 'Reorg deeper than finality: re-syncing from the last block still canonical')
  else logger.warn(fields, 'Reorg detected: rolling back to the common ancestor')
  await params.beforeRollback?.()
  const result = await rollbackChain(prisma, chain.chainId, reorg.ancestor, reorg.from)
  params.metrics.reorgsTotal.inc({ chain_id: chain.chainId })
  logger.info({ removed_events: result.removedEvents, removed_attestations: result.removedAttestations, unrevoked: result.unrevoked }, 'Rolled back')
  return { ancestor: reorg.ancestor.number, lastSeq: result.lastSeq }
}
