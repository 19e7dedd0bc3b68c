/**
 * The indexer: one {@link runChainSync} loop per configured chain, sharing one database.
 */
import type { Address, PublicClient } from 'viem'
import { createChainClient } from '../chain/createChainClient.js'
import type { Logger } from '../common/logger.js'
import { acquireWriterLock } from '../db/writerLock.js'
import type { PrismaClient } from '../generated/prisma/client.js'
import { type ChainSyncConfig, runChainSync, type SyncProgress } from './runChainSync.js'

export type IndexerChain = ChainSyncConfig & { rpcUrls: string[]; wsUrl?: string }

export type CreateIndexerParameters = {
  prisma: PrismaClient
  chains: IndexerChain[]
  logger: Logger
  /** PostgreSQL URL: when given, each chain is written only while this process holds its advisory lock */
  databaseUrl?: string
  /** per-request JSON-RPC timeout, ms (default 20 000) */
  rpcTimeoutMs?: number
  /** ranges fetched in parallel per chain (default 4) */
  concurrency?: number
  onCommit?: (e: { chainId: number; toBlock: bigint; lastSeq: bigint | null }) => void
  onProgress?: (p: SyncProgress) => void
}

export type Indexer = {
  /** Starts every chain loop; resolves when all have stopped after `stop()`. */
  run(): Promise<void>
  /** Asks every loop to stop after its current step (an open transaction commits or rolls back as a whole). */
  stop(): void
  /** true when every chain has reached its safe head at least once */
  isCaughtUp(): boolean
  clients: Map<number, PublicClient>
}

/** Builds the indexer; nothing runs until `run()`. */
export function createIndexer(params: CreateIndexerParameters): Indexer {
  const controller = new AbortController()
  const caughtUp = new Set<number>()
  const clients = new Map<number, PublicClient>()
  for (const chain of params.chains) clients.set(chain.chainId, createChainClient({ chainId: chain.chainId, rpcUrls: chain.rpcUrls, logger: params.logger, timeoutMs: params.rpcTimeoutMs }))
  return {
    clients,
    async run() {
      await Promise.all(
        params.chains.map(async (chain) => {
          while (!controller.signal.aborted) {
            const lock = params.databaseUrl
              ? await acquireWriterLock({ databaseUrl: params.databaseUrl, chainId: chain.chainId, logger: params.logger, signal: controller.signal })
              : null
            if (params.databaseUrl && !lock) return // stopped while waiting
            const signal = lock ? AbortSignal.any([controller.signal, lock.lost]) : controller.signal
            try {
              await runChainSync({
                prisma: params.prisma,
                client: clients.get(chain.chainId)!,
                wsClient: chain.wsUrl ? createChainClient({ chainId: chain.chainId, rpcUrls: [chain.wsUrl] }) : undefined,
                chain: { ...chain, contract: chain.contract.toLowerCase() as Address },
                logger: params.logger,
                signal,
                concurrency: params.concurrency,
                onCommit: params.onCommit,
                onProgress: (p) => {
                  if (p.phase === 'live') caughtUp.add(p.chainId)
                  params.onProgress?.(p)
                },
              })
            } finally {
              await lock?.release()
            }
            if (!lock) return
          }
        }),
      )
    },
    stop: () => controller.abort(),
    isCaughtUp: () => params.chains.every((c) => caughtUp.has(c.chainId)),
  }
}
