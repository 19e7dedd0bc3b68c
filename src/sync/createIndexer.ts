/**
 * The indexer: one {@link runChainSync} loop per configured chain, sharing one database.
 */
import type { Address } from 'viem'
import { type ChainClient, createChainClient } from '../chain/createChainClient.js'
import { watchHeads } from '../chain/watchHeads.js'
import type { Common } from '../common/common.js'
import { defaultReadyLagBlocks, defaultReadyStaleMs, STALL_AFTER_FAILURES } from '../config/parseConfig.js'
import { buildDeferredIndexes, deferIndexes, listDeferredIndexes } from '../db/deferredIndexes.js'
import type { RawWriter } from '../db/rawWriter.js'
import { acquireWriterLock } from '../db/writerLock.js'
import type { PrismaClient } from '../generated/prisma/client.js'
import { type ChainHealth, type ChainHealthStatus, createChainHealth } from './chainHealth.js'
import { type ChainSyncConfig, runChainSync, type SyncProgress } from './runChainSync.js'

export type IndexerChain = ChainSyncConfig & { rpcUrls: string[]; wsUrl?: string }

export type CreateIndexerParameters = {
  prisma: PrismaClient
  chains: IndexerChain[]
  /** the process's dependency bag: logger, metrics, clock, and the shutdown signal (stops every loop like `stop()`) */
  common: Common
  /** PostgreSQL URL: when given, each chain is written only while this process holds its advisory lock */
  databaseUrl?: string
  /** per-request JSON-RPC timeout, ms (default 20 000) */
  rpcTimeoutMs?: number
  /** block ranges fetched in parallel per chain during backfill (default 4; config `limits.parallelRanges`) */
  parallelRanges?: number
  /** sync steps failing in a row before a chain is reported stalled (default 5; `limits.stallAfterFailures`) */
  stallAfterFailures?: number
  /**
   * a fresh database (no attestation yet) backfills without the secondary indexes of "Attestation" and "Recipient",
   * built once every chain of this indexer has caught up, or before a rollback (default true; config `deferIndexes`;
   * src/db/deferredIndexes.ts)
   */
  deferIndexes?: boolean
  /** the commits' transactions (`Db.writer`, src/db/rawWriter.ts; default: Prisma's transactions on `prisma`) */
  writer?: RawWriter
  onCommit?: (e: { chainId: number; toBlock: bigint; lastSeq: bigint | null }) => void
  onProgress?: (p: SyncProgress) => void
}

export type Indexer = {
  /**
   * Starts every chain loop; resolves when all have stopped after `stop()`.
   * @throws {ChainIdMismatchError} when a chain's node is on another chain at start: every loop is stopped first
   */
  run(): Promise<void>
  /** Asks every loop to stop after its current step (an open transaction commits or rolls back as a whole). */
  stop(): void
  /**
   * true while every chain is ready now: not stalled, a sync step completed within its `readyStaleMs`, and its
   * indexed block within `readyLagBlocks` of the last head seen (see ChainHealth); and no index is deferred
   */
  isReady(): boolean
  /** each chain's health, in configuration order */
  status(): ChainHealthStatus[]
  clients: Map<number, ChainClient>
}

/** Builds the indexer; nothing runs until `run()`. */
export function createIndexer(params: CreateIndexerParameters): Indexer {
  const { common } = params
  const { logger, metrics } = common
  const controller = new AbortController()
  const stopped = AbortSignal.any([controller.signal, common.signal])
  const clients = new Map<number, ChainClient>()
  const health = new Map<number, ChainHealth>()
  for (const chain of params.chains) {
    clients.set(
      chain.chainId,
      createChainClient({ chainId: chain.chainId, rpcUrls: chain.rpcUrls, logger, metrics, timeoutMs: params.rpcTimeoutMs, signal: stopped }),
    )
    health.set(
      chain.chainId,
      createChainHealth({
        chainId: chain.chainId,
        logger,
        metrics,
        now: common.clock.now,
        prisma: params.prisma,
        readyLagBlocks: chain.readyLagBlocks ?? defaultReadyLagBlocks(chain.confirmations),
        readyStaleMs: chain.readyStaleMs ?? defaultReadyStaleMs(chain.pollIntervalMs, params.rpcTimeoutMs),
        stallAfterFailures: params.stallAfterFailures ?? STALL_AFTER_FAILURES,
      }),
    )
  }
  // deferred indexes (src/db/deferredIndexes.ts): known to be pending from run() until built, which happens once
  // every chain of this process has caught up (a small chain catching up first would otherwise give the big one its
  // indexes back mid-backfill), or before any rollback (the rollups' delete triggers need them)
  let indexesDeferred = false
  let building: Promise<void> | undefined
  const caughtUp = new Set<number>()
  const buildIndexes = async () => {
    if (!indexesDeferred) return
    building ??= buildDeferredIndexes(params.prisma, { logger, parallel: params.databaseUrl ? 2 : 1 })
      .then(() => {
        indexesDeferred = false
      })
      .finally(() => {
        building = undefined
      })
    await building
  }
  const onCaughtUp = (chainId: number) => async () => {
    caughtUp.add(chainId)
    if (params.chains.every((c) => caughtUp.has(c.chainId))) await buildIndexes()
  }
  return {
    clients,
    async run() {
      let fatal: { error: unknown } | undefined
      try {
        if (params.deferIndexes !== false) {
          const dropped = await deferIndexes(params.prisma)
          if (dropped.length) logger.info({ indexes: dropped.length }, 'Fresh database: secondary indexes deferred until the backfill catches up')
        }
        indexesDeferred = (await listDeferredIndexes(params.prisma)).length > 0
      } catch (error) {
        // the database is not answering yet: backfill with the indexes as they are; a caught-up chain looks again
        logger.warn({ err: error }, 'Could not read or defer the secondary indexes; going on with them as they are')
        indexesDeferred = true
      }
      await Promise.all(
        params.chains.map(async (chain) => {
          while (!stopped.aborted) {
            const lock = params.databaseUrl
              ? await acquireWriterLock({ databaseUrl: params.databaseUrl, chainId: chain.chainId, logger, signal: stopped })
              : null
            if (params.databaseUrl && !lock) return // stopped while waiting
            const signal = lock ? AbortSignal.any([stopped, lock.lost]) : stopped
            try {
              await runChainSync({
                prisma: params.prisma,
                writer: params.writer,
                client: clients.get(chain.chainId)!,
                watchHeads: chain.wsUrl
                  ? () => watchHeads({ url: chain.wsUrl!, chainId: chain.chainId, logger: common.logger, pollIntervalMs: chain.pollIntervalMs, metrics })
                  : undefined,
                chain: { ...chain, contract: chain.contract.toLowerCase() as Address },
                common,
                signal,
                parallelRanges: params.parallelRanges,
                health: health.get(chain.chainId),
                onCommit: params.onCommit,
                onProgress: params.onProgress,
                onCaughtUp: onCaughtUp(chain.chainId),
                beforeRollback: buildIndexes,
              })
            } catch (error) {
              fatal ??= { error } // a chain that refuses to run stops them all
              controller.abort()
              return
            } finally {
              await lock?.release()
            }
            if (!lock) return
          }
        }),
      )
      if (fatal) throw fatal.error
    },
    stop: () => controller.abort(),
    isReady: () => !indexesDeferred && params.chains.every((c) => health.get(c.chainId)!.isReady()),
    status: () => params.chains.map((c) => health.get(c.chainId)!.status()),
  }
}
