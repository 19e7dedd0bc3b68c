/**
 * The per-chain stage loop, and the one place that decides to retry, back off or give up on an error. Each pass is
 * a sequence of named steps, each in its own file with its inputs passed explicitly:
 *
 * 1. chain id      `chainIdGuard.ts`  the node's `eth_chainId` equals the configured one (when due)
 * 2. reorg check   `checkReorg.ts`    checkpoint hash vs the node's chain → rollback to the common ancestor
 * 3. head          `readHead.ts`      latest / safe / finalized block, written to the `Chain` row
 * 4a. follow head  `followHead.ts`    caught up: wait for a new head (WebSocket `newHeads`, else the poll interval)
 * 4b. backfill     `backfill.ts`      behind: ranges fetched in parallel (`fetchPipeline.ts`, `rangeCutter.ts`),
 *                                     committed strictly in order with their checkpoint
 *
 * Bounded: at most `parallelRanges` ranges (each aiming at TARGET_LOGS_PER_RANGE logs) are fetched ahead of the
 * committer and at most MAX_LOGS_IN_FLIGHT logs hold read records; when the database is slow, fetching stops
 * (backpressure) instead of buffering.
 */
import type { Address } from 'viem'
import type { ChainClient } from '../chain/createChainClient.js'
import type { Common } from '../common/common.js'
import { backoffDelay } from '../common/retryPolicy.js'
import { defaultReadyLagBlocks, defaultReadyStaleMs, STALL_AFTER_FAILURES } from '../config/parseConfig.js'
import { ChainIdMismatchError } from '../errors/baseError.js'
import type { RawWriter } from '../db/rawWriter.js'
import type { PrismaClient } from '../generated/prisma/client.js'
import { backfill } from './backfill.js'
import { type ChainHealth, createChainHealth } from './chainHealth.js'
import { createChainIdGuard } from './chainIdGuard.js'
import { checkReorg } from './checkReorg.js'
import { createHeadWaiter } from './followHead.js'
import type { HeadWatcher } from '../chain/watchHeads.js'
import { initialRangeSize } from './rangeCutter.js'
import { readHead } from './readHead.js'
import { createSchemaFieldsCache } from './schemaFieldsCache.js'

export type ChainSyncConfig = {
  name: string
  chainId: number
  contract: Address
  multicall3: Address
  startBlock: bigint
  confirmations: number
  maxBlockRange: number
  pollIntervalMs: number
  /** readiness: most blocks behind the head (default {@link defaultReadyLagBlocks}) */
  readyLagBlocks?: number
  /** readiness: ms without a completed step after which the chain is not ready (default {@link defaultReadyStaleMs}) */
  readyStaleMs?: number
}

export type SyncProgress = { chainId: number; phase: 'backfill' | 'live'; indexedBlock: bigint; targetBlock: bigint; startBlock: bigint; events: number }

export type RunChainSyncParameters = {
  prisma: PrismaClient
  /** the commits' transactions (src/db/rawWriter.ts; default: Prisma's transactions on `prisma`) */
  writer?: RawWriter
  client: ChainClient
  /** starts a watcher of the node's new heads (newHeads over WebSocket, src/chain/watchHeads.ts) that ends the follow-head wait early */
  watchHeads?: () => HeadWatcher
  chain: ChainSyncConfig
  /** the process's dependency bag: logger, metrics, clock */
  common: Common
  /** stops the loop (the indexer's stop, the process's shutdown, a lost writer lock) */
  signal: AbortSignal
  /** block ranges fetched in parallel during backfill (default 4; config `limits.parallelRanges`) */
  parallelRanges?: number
  /** called after every commit with the last journal seq written (null when the range had no event) */
  onCommit?: (e: { chainId: number; toBlock: bigint; lastSeq: bigint | null }) => void
  onProgress?: (p: SyncProgress) => void
  /**
   * awaited each time the backfill reaches the head, before the chain counts as live (the indexer builds its
   * deferred indexes here); a failure is a failed step: backed off and asked again
   */
  onCaughtUp?: () => Promise<void>
  /** awaited before a reorg's rollback (the indexer builds its deferred indexes here; see checkReorg.ts) */
  beforeRollback?: () => Promise<void>
  /** where the loop reports head, progress and failures (default: one built from `chain`, writing the `Chain` row) */
  health?: ChainHealth
}

/** a failed sync step waits 0.25–0.5 s after the first failure, doubling to the common cap (src/common/retryPolicy.ts) */
const SYNC_BACKOFF = { baseMs: 250 } as const

/**
 * Runs until `signal` aborts. Never throws for RPC or database failures: it reports them to `health` (which logs
 * them and may declare the chain stalled), backs off (exponential, jittered, capped at 30 s) and resumes from the
 * committed checkpoint.
 *
 * The node's chain id (`eth_chainId`) must equal `chain.chainId`: asked before the first step, again before anything
 * read after an RPC failure is written (the client may have reconnected or failed over to another node), and every
 * minute. A later mismatch stalls the chain: nothing is rolled back or committed until the node is right again.
 * @throws {ChainIdMismatchError} when the node's first answer is another chain (a configuration error)
 */
export async function runChainSync(params: RunChainSyncParameters): Promise<void> {
  const { prisma, client, chain, common, signal } = params
  const { clock, metrics } = common
  const log = common.logger.child({ chain_id: chain.chainId })
  const parallelRanges = params.parallelRanges ?? 4
  const schemaFields = createSchemaFieldsCache(prisma, chain.chainId)
  const health =
    params.health ??
    createChainHealth({
      chainId: chain.chainId,
      logger: common.logger,
      prisma,
      metrics,
      now: clock.now,
      readyLagBlocks: chain.readyLagBlocks ?? defaultReadyLagBlocks(chain.confirmations),
      readyStaleMs: chain.readyStaleMs ?? defaultReadyStaleMs(chain.pollIntervalMs),
      stallAfterFailures: STALL_AFTER_FAILURES,
    })
  const chainId = createChainIdGuard({ client, chainId: chain.chainId, name: chain.name, clock })
  const ensureChainId = () => chainId.ensure()

  await prisma.chain.upsert({
    where: { chainId: chain.chainId },
    create: { chainId: chain.chainId, name: chain.name, contract: chain.contract, startBlock: chain.startBlock, confirmations: chain.confirmations },
    update: { name: chain.name, contract: chain.contract, startBlock: chain.startBlock, confirmations: chain.confirmations },
  })

  // one waiter for the loop: a new head (newHeads over WebSocket) or shutdown ends a wait (or a backoff) early
  const waiter = createHeadWaiter({ signal, watchHeads: params.watchHeads })
  const rangeSize = { current: initialRangeSize(BigInt(chain.maxBlockRange)) }
  let lastFinalized: bigint | null = null
  let failures = 0
  let phase: SyncProgress['phase'] = 'backfill'
  let events = 0
  const progress = (indexedBlock: bigint, targetBlock: bigint) =>
    params.onProgress?.({ chainId: chain.chainId, phase, indexedBlock, targetBlock, startBlock: chain.startBlock, events })
  try {
    while (!signal.aborted) {
      try {
        // 1. chain id
        await ensureChainId()

        // 2. reorg check: a rollback ends the pass (the next one reads the moved checkpoint)
        const rollback = await checkReorg({
          prisma,
          client,
          chain,
          lastFinalized,
          ensureChainId,
          logger: log,
          metrics,
          beforeRollback: params.beforeRollback,
        })
        if (rollback) {
          schemaFields.clear()
          health.recordRollback(rollback.ancestor)
          params.onCommit?.({ chainId: chain.chainId, toBlock: rollback.ancestor, lastSeq: rollback.lastSeq })
          continue
        }

        // 3. head
        const checkpoint = await prisma.checkpoint.findUnique({ where: { chainId: chain.chainId } })
        const next = checkpoint ? checkpoint.blockNumber + 1n : chain.startBlock
        const { head, headHash, finalized } = await readHead({ prisma, client, chain, ensureChainId })
        health.recordHead(head)
        lastFinalized = finalized
        metrics.headBlock.set({ chain_id: chain.chainId }, Number(head))
        metrics.lagBlocks.set({ chain_id: chain.chainId }, Number(head - (next - 1n)))
        // Ingest runs at the head: confirmations only set the chain's safe block, which the gateway uses to hold
        // SAFE deliveries (and the verify stage to report PENDING confirmations). Blocks above the finalized one
        // are kept in the block window and rolled back on a reorg.

        // 4a. follow head: caught up, wait for the next one
        if (next > head) {
          if (phase === 'backfill') {
            await params.onCaughtUp?.()
            phase = 'live'
            log.info({ block_number: Number(next - 1n) }, 'Backfill complete, following the head')
          }
          progress(next - 1n, head)
          failures = 0
          health.recordProgress(next - 1n)
          await waiter.waitForNewHead({ number: head, hash: headHash }, chain.pollIntervalMs)
          continue
        }

        // 4b. backfill up to the head
        await backfill({
          prisma,
          writer: params.writer,
          client,
          chain,
          from: next,
          head,
          finalized,
          parentHash: checkpoint?.blockHash || null,
          rangeSize,
          parallelRanges,
          ensureChainId,
          schemaFields,
          logger: log,
          metrics,
          signal,
          onCommitted: ({ batch, lastSeq }) => {
            events += batch.journal.length
            params.onCommit?.({ chainId: chain.chainId, toBlock: batch.toBlock, lastSeq })
            progress(batch.toBlock, head)
            failures = 0
            health.recordProgress(batch.toBlock)
          },
        })
      } catch (error) {
        if (signal.aborted) break
        failures++
        const backoff = backoffDelay(SYNC_BACKOFF, failures)
        health.recordFailure(error, { backoffMs: backoff })
        if (error instanceof ChainIdMismatchError && !chainId.verified) {
          await health.flush()
          throw error // the configuration names another chain than the node's: refuse to start
        }
        chainId.recheck() // whatever failed, ask the node which chain it is before going on
        await waiter.wait(backoff)
      }
    }
  } finally {
    waiter.close()
  }
}
