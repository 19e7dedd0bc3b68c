/**
 * The per-chain stage loop: backfill from the checkpoint (or start block) to the safe head in parallel ranges
 * committed strictly in order, then follow the head (WebSocket `newHeads` when a ws URL is configured, polling
 * `eth_blockNumber` otherwise). The one place that decides to retry, back off or give up on an error.
 *
 * Bounded: at most `concurrency` ranges are fetched at once and at most `2 × concurrency` fetched ranges wait
 * for the committer; when the database is slow, fetching stops (backpressure) instead of buffering.
 */
import pLimit from 'p-limit'
import type { Address, PublicClient } from 'viem'
import type { Logger } from '../common/logger.js'
import { eventsTotal, headBlock, indexedBlock, lagBlocks } from '../common/metrics.js'
import type { PrismaClient } from '../generated/prisma/client.js'
import { buildBatch } from '../ingest/buildBatch.js'
import { commitBatch } from '../ingest/commitBatch.js'
import type { SchemaField } from '../ingest/decodeData.js'
import { type FetchedRange, fetchRange } from '../ingest/fetchRange.js'

export type ChainSyncConfig = {
  name: string
  chainId: number
  contract: Address
  multicall3: Address
  startBlock: bigint
  confirmations: number
  maxBlockRange: number
  pollIntervalMs: number
}

export type SyncProgress = { chainId: number; phase: 'backfill' | 'live'; indexedBlock: bigint; targetBlock: bigint; startBlock: bigint; events: number }

export type RunChainSyncParameters = {
  prisma: PrismaClient
  client: PublicClient
  /** optional client on a ws:// URL used only to be woken by `newHeads` */
  wsClient?: PublicClient
  chain: ChainSyncConfig
  logger: Logger
  signal: AbortSignal
  /** ranges fetched in parallel (default 4) */
  concurrency?: number
  /** called after every commit with the last journal seq written (null when the range had no event) */
  onCommit?: (e: { chainId: number; toBlock: bigint; lastSeq: bigint | null }) => void
  onProgress?: (p: SyncProgress) => void
}

const MAX_BACKOFF_MS = 30_000

/**
 * Runs until `signal` aborts. Never throws for RPC or database failures: it logs them, backs off
 * (exponential, jittered, capped at 30 s) and resumes from the committed checkpoint.
 */
export async function runChainSync(params: RunChainSyncParameters): Promise<void> {
  const { prisma, client, chain, logger, signal } = params
  const log = logger.child({ chain_id: chain.chainId })
  const concurrency = params.concurrency ?? 4
  const schemaFields = new Map<bigint, SchemaField[] | null>()
  const getSchemaFields = async (schemaId: bigint) => {
    if (schemaFields.has(schemaId)) return schemaFields.get(schemaId)
    const row = await prisma.schema.findUnique({ where: { chainId_schemaId: { chainId: chain.chainId, schemaId } }, select: { fields: true } })
    if (!row) return undefined
    const fields = (row.fields as SchemaField[] | null) ?? null
    schemaFields.set(schemaId, fields)
    return fields
  }

  await prisma.chain.upsert({
    where: { chainId: chain.chainId },
    create: { chainId: chain.chainId, name: chain.name, contract: chain.contract, startBlock: chain.startBlock, confirmations: chain.confirmations },
    update: { name: chain.name, contract: chain.contract, startBlock: chain.startBlock, confirmations: chain.confirmations },
  })

  let wake: (() => void) | undefined
  const unwatch = params.wsClient?.watchBlockNumber({ emitOnBegin: false, onBlockNumber: () => wake?.(), onError: (error) => log.warn({ error }, 'newHeads subscription error') })
  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms)
      function done() { clearTimeout(timer); signal.removeEventListener('abort', done); wake = undefined; resolve() }
      wake = done
      signal.addEventListener('abort', done, { once: true })
    })

  const startCheckpoint = await prisma.checkpoint.findUnique({ where: { chainId: chain.chainId } })
  if (startCheckpoint?.blockHash) {
    const block = await client.getBlock({ blockNumber: startCheckpoint.blockNumber }).catch(() => null)
    if (block?.hash?.toLowerCase() !== startCheckpoint.blockHash) {
      // Reorg rollback is not implemented yet: say so loudly rather than index on top of a block that is gone.
      log.error({ block_number: Number(startCheckpoint.blockNumber), stored_hash: startCheckpoint.blockHash, chain_hash: block?.hash ?? null }, 'Checkpoint block is not on the canonical chain (reorg or different chain); stored rows above the common ancestor may be stale')
    }
  }

  let failures = 0
  let phase: SyncProgress['phase'] = 'backfill'
  let events = 0
  try {
    while (!signal.aborted) {
      try {
        const checkpoint = await prisma.checkpoint.findUnique({ where: { chainId: chain.chainId } })
        const next = checkpoint ? checkpoint.blockNumber + 1n : chain.startBlock
        const latest = await client.getBlock({ blockTag: 'latest' })
        const head = latest.number!
        const safe = head - BigInt(chain.confirmations)
        const finalized = await getFinalizedBlock(client, safe)
        headBlock.set({ chain_id: chain.chainId }, Number(head))
        lagBlocks.set({ chain_id: chain.chainId }, Number(head - (next - 1n)))
        await prisma.chain.update({
          where: { chainId: chain.chainId },
          data: { headBlock: head, headTimestamp: latest.timestamp, safeBlock: safe, finalizedBlock: finalized },
        })
        if (next > safe) {
          if (phase === 'backfill') {
            phase = 'live'
            log.info({ block_number: Number(next - 1n) }, 'Backfill complete, following the head')
          }
          params.onProgress?.({ chainId: chain.chainId, phase, indexedBlock: next - 1n, targetBlock: safe, startBlock: chain.startBlock, events })
          failures = 0
          await sleep(chain.pollIntervalMs)
          continue
        }
        const ranges = splitRange(next, safe, BigInt(chain.maxBlockRange))
        const limit = pLimit(concurrency)
        const window: Promise<FetchedRange>[] = []
        let i = 0
        while ((i < ranges.length || window.length) && !signal.aborted) {
          while (i < ranges.length && window.length < concurrency * 2) {
            const [fromBlock, toBlock] = ranges[i++]!
            const p = limit(async () => {
              const started = performance.now()
              const fetched = await fetchRange({ client, contract: chain.contract, multicall3: chain.multicall3, fromBlock, toBlock })
              log.debug({ from_block: Number(fromBlock), to_block: Number(toBlock), logs: fetched.events.length, duration_ms: Math.round(performance.now() - started) }, 'Fetched range')
              return fetched
            })
            p.catch(() => {}) // awaited below in order; avoid unhandled rejections if we abandon the window
            window.push(p)
          }
          const fetched = await window.shift()!
          if (signal.aborted) break
          const started = performance.now()
          const batch = await buildBatch(chain.chainId, fetched, getSchemaFields)
          const built = performance.now()
          const { lastSeq } = await commitBatch(prisma, batch)
          log.debug({ from_block: Number(batch.fromBlock), to_block: Number(batch.toBlock), build_ms: Math.round(built - started), commit_ms: Math.round(performance.now() - built) }, 'Committed range')
          for (const s of batch.schemas) schemaFields.set(s.schemaId, s.fields)
          for (const j of batch.journal) eventsTotal.inc({ chain_id: chain.chainId, kind: `${j.subjectType}_${j.kind}` })
          events += batch.journal.length
          indexedBlock.set({ chain_id: chain.chainId }, Number(batch.toBlock))
          lagBlocks.set({ chain_id: chain.chainId }, Number(head - batch.toBlock))
          for (const s of batch.skipped) log.warn({ block_number: Number(s.blockNumber), log_index: s.logIndex, reason: s.reason }, 'Skipped log')
          params.onCommit?.({ chainId: chain.chainId, toBlock: batch.toBlock, lastSeq })
          params.onProgress?.({ chainId: chain.chainId, phase, indexedBlock: batch.toBlock, targetBlock: safe, startBlock: chain.startBlock, events })
          failures = 0
        }
      } catch (error) {
        if (signal.aborted) break
        failures++
        const backoff = Math.min(MAX_BACKOFF_MS, 250 * 2 ** Math.min(failures, 10)) * (0.5 + Math.random() / 2)
        log.error({ error, attempt: failures, backoff_ms: Math.round(backoff) }, 'Sync step failed; resuming from the checkpoint')
        await sleep(backoff)
      }
    }
  } finally {
    unwatch?.()
  }
}

/** Splits [from, to] into consecutive inclusive ranges of at most `size` blocks. */
export function splitRange(from: bigint, to: bigint, size: bigint): [bigint, bigint][] {
  const out: [bigint, bigint][] = []
  for (let start = from; start <= to; start += size) out.push([start, start + size - 1n < to ? start + size - 1n : to])
  return out
}

/**
 * The node's `finalized` block (RPC block tag, post-merge chains and most L2s); `fallback` (head minus the
 * configured confirmations) when the node does not know the tag.
 */
async function getFinalizedBlock(client: PublicClient, fallback: bigint): Promise<bigint> {
  try {
    const block = await client.getBlock({ blockTag: 'finalized' })
    return block.number ?? fallback
  } catch {
    return fallback
  }
}
