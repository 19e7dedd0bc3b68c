/**
 * Test harness: runs the real indexer against a chain until its checkpoint reaches the chain's head
 * (minus confirmations), then stops it.
 */
import type { Address } from 'viem'
import { createLogger, createSilentLogger, type Logger } from '../../src/common/logger.js'
import type { Metrics } from '../../src/common/metrics.js'
import type { Db } from '../../src/db/createDb.js'
import { createIndexer, type IndexerChain } from '../../src/sync/createIndexer.js'
import { createTestCommon } from './common.js'

export type DevnetLike = { rpcUrl: string; chainId: number; address: Address; deployBlock: bigint; multicall3: Address }

export function devnetChain(devnet: DevnetLike, overrides: Partial<IndexerChain> = {}): IndexerChain {
  return {
    name: 'devnet',
    chainId: devnet.chainId,
    rpcUrls: [devnet.rpcUrl],
    contract: devnet.address.toLowerCase() as Address,
    multicall3: devnet.multicall3,
    startBlock: devnet.deployBlock,
    confirmations: 0,
    maxBlockRange: 500,
    pollIntervalMs: 100,
    ...overrides,
  }
}

/**
 * Starts the indexer on `db` and resolves once every chain's checkpoint is at or past `targetBlock` (default: the
 * head when called). It commits through `db.writer`, the same transactions `sign-indexer index` uses (the pipelined
 * node-postgres writer on PostgreSQL, Prisma's on PGlite). Stops the indexer before resolving. Rejects after
 * `timeoutMs`. `logger` defaults to a silent one (or to level `TEST_LOG` when that variable is set); `metrics` to a
 * fresh set.
 */
export async function runIndexerToHead(
  db: Pick<Db, 'prisma' | 'writer'>,
  chain: IndexerChain,
  opts: { targetBlock?: bigint; timeoutMs?: number; parallelRanges?: number; logger?: Logger; metrics?: Metrics } = {},
) {
  const logger = opts.logger ?? (process.env.TEST_LOG ? createLogger({ level: process.env.TEST_LOG }) : createSilentLogger())
  const { prisma, writer } = db
  const indexer = createIndexer({
    prisma,
    writer,
    chains: [chain],
    common: createTestCommon({ logger, metrics: opts.metrics }),
    parallelRanges: opts.parallelRanges,
  })
  const client = indexer.clients.get(chain.chainId)!
  const target = opts.targetBlock ?? (await client.getBlockNumber({ cacheTime: 0 })) - BigInt(chain.confirmations)
  const running = indexer.run()
  const deadline = Date.now() + (opts.timeoutMs ?? 60_000)
  try {
    for (;;) {
      const cp = await prisma.checkpoint.findUnique({ where: { chainId: chain.chainId } })
      if (cp && cp.blockNumber >= target) return
      if (Date.now() > deadline) throw new Error(`indexer did not reach block ${target} (at ${cp?.blockNumber ?? 'none'})`)
      await new Promise((r) => setTimeout(r, 50))
    }
  } finally {
    indexer.stop()
    await running
  }
}
