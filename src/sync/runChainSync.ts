/**
 * The per-chain stage loop: backfill from the checkpoint (or start block) to the head in parallel ranges
 * committed strictly in order, then follow the head (WebSocket `newHeads` when a ws URL is configured, polling
 * `eth_blockNumber` otherwise). The one place that decides to retry, back off or give up on an error.
 *
 * Bounded: at most `concurrency` ranges (each aiming at TARGET_LOGS_PER_RANGE logs) are fetched ahead of the committer
 * and at most MAX_LOGS_IN_FLIGHT logs hold read records; when the database is slow, fetching stops (backpressure)
 * instead of buffering.
 */
import pLimit from 'p-limit'
import type { Address, PublicClient } from 'viem'
import type { Logger } from '../common/logger.js'
import { eventsTotal, headBlock, indexedBlock, lagBlocks, reorgsTotal } from '../common/metrics.js'
import { backoffDelay, createSleeper } from '../common/retryPolicy.js'
import { assertChainId } from '../chain/assertChainId.js'
import { getRpcFailureCount } from '../chain/createChainClient.js'
import { governed } from '../chain/governed.js'
import { defaultReadyLagBlocks, defaultReadyStaleMs, STALL_AFTER_FAILURES } from '../config/parseConfig.js'
import { ChainIdMismatchError, RpcError } from '../errors/baseError.js'
import { rollbackChain } from '../ingest/rollbackChain.js'
import { type ChainHealth, createChainHealth } from './chainHealth.js'
import { detectReorg } from './detectReorg.js'
import { createLogBudget } from './logBudget.js'
import type { PrismaClient } from '../generated/prisma/client.js'
import { buildBatch } from '../ingest/buildBatch.js'
import { commitBatchResilient } from '../ingest/commitBatchResilient.js'
import type { SchemaField } from '../ingest/decodeData.js'
import { estimateBytes, type FetchedRange, fetchPiece, getRangeLogs } from '../ingest/fetchRange.js'

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
  /** where the loop reports head, progress and failures (default: one built from `chain`, writing the `Chain` row) */
  health?: ChainHealth
}

/** a failed sync step waits 0.25–0.5 s after the first failure, doubling to the common cap (src/common/retryPolicy.ts) */
const SYNC_BACKOFF = { baseMs: 250 } as const
/** blocks per range above the finalized block, where every header is fetched */
const UNFINALIZED_RANGE = 50n
/** first eth_getLogs range, in blocks: grown from there while ranges stay below TARGET_LOGS_PER_RANGE */
const INITIAL_RANGE = 2n
/**
 * logs one range should bring back: bounds the memory a range holds before its pieces are committed. With
 * `concurrency` ranges ahead of the committer, at most ~concurrency × this many logs (and their records) are in
 * memory at once — what keeps the indexer's heap flat whatever the size of the backfill.
 */
const TARGET_LOGS_PER_RANGE = 5_000n

/**
 * Adaptive eth_getLogs range size: halved when the provider refused a range (it had to be split), scaled down
 * when a range held more than TARGET_LOGS_PER_RANGE logs, doubled while ranges are sparse (< 1/4 of the target),
 * never above the configured maximum.
 */
export function nextRangeSize(current: bigint, max: bigint, span: bigint, pieces: { rangeSplits: number; events: unknown[]; skipped: unknown[] }[]): bigint {
  const logs = BigInt(pieces.reduce((n, p) => n + p.events.length + p.skipped.length, 0))
  let size = current
  if (pieces.some((p) => p.rangeSplits > 0)) size = span / 2n
  else if (logs > TARGET_LOGS_PER_RANGE) size = (span * TARGET_LOGS_PER_RANGE) / logs
  else if (logs < TARGET_LOGS_PER_RANGE / 4n && span >= current) size = current * 2n
  if (size < 1n) size = 1n
  return size > max ? max : size
}

/**
 * Pieces whose records are read at the same time. Measured on anvil: reading pieces one or two at a time lets the
 * first piece's commit overlap the next reads; reading all at once finishes them together and serialises commits.
 */
const PIECES_READ_AT_ONCE = 2
/** logs (with their decoded events and read records) held between read and commit, at most — see logBudget.ts */
const MAX_LOGS_IN_FLIGHT = 10_000
/**
 * What ranges hold from their getLogs answer to their commit, at most (about: `estimateBytes`), and at most
 * MAX_LOGS_IN_FLIGHT logs: no further range's getLogs starts while ranges fetched or in flight (counted at the last
 * range's size) would pass either bound. The log budget alone left up to `concurrency` ranges of logs waiting for it
 * unbounded; at 5,000 attestations per block that was most of the indexer's ~180 MB live heap (1.1 GB peak RSS at
 * 100,000 attestations).
 */
const MAX_BYTES_IN_FLIGHT = 32 * 2 ** 20

/** `eth_chainId` is asked again after any RPC failure, and at least this often (ms). */
const CHAIN_ID_RECHECK_MS = 60_000

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

  const health =
    params.health ??
    createChainHealth({
      chainId: chain.chainId,
      logger,
      prisma,
      readyLagBlocks: chain.readyLagBlocks ?? defaultReadyLagBlocks(chain.confirmations),
      readyStaleMs: chain.readyStaleMs ?? defaultReadyStaleMs(chain.pollIntervalMs),
      stallAfterFailures: STALL_AFTER_FAILURES,
    })
  let chainIdVerified = false // eth_chainId has matched at least once in this run
  let chainIdChecked = { rpcFailures: -1, at: 0 } // the client's failure count and the time at the last check
  const ensureChainId = async () => {
    const rpcFailures = getRpcFailureCount(client)
    if (rpcFailures === chainIdChecked.rpcFailures && performance.now() - chainIdChecked.at < CHAIN_ID_RECHECK_MS) return
    await assertChainId({ client, chainId: chain.chainId, name: chain.name })
    chainIdVerified = true
    chainIdChecked = { rpcFailures, at: performance.now() } // the count before asking: a failure since then asks again
  }

  await prisma.chain.upsert({
    where: { chainId: chain.chainId },
    create: { chainId: chain.chainId, name: chain.name, contract: chain.contract, startBlock: chain.startBlock, confirmations: chain.confirmations },
    update: { name: chain.name, contract: chain.contract, startBlock: chain.startBlock, confirmations: chain.confirmations },
  })

  // one sleeper for the loop: a new head (newHeads over WebSocket) or shutdown ends the wait early
  const { sleep, wakeAll } = createSleeper(signal)
  const unwatch = params.wsClient?.watchBlockNumber({
    emitOnBegin: false,
    onBlockNumber: () => wakeAll(),
    onError: (error) => log.warn({ error }, 'newHeads subscription error'),
  })

  let lastFinalized: bigint | null = null
  const maxRange = BigInt(chain.maxBlockRange)
  let rangeSize = maxRange < INITIAL_RANGE ? maxRange : INITIAL_RANGE
  let failures = 0
  let phase: SyncProgress['phase'] = 'backfill'
  let events = 0
  try {
    while (!signal.aborted) {
      try {
        await ensureChainId()
        const reorg = await detectReorg(prisma, client, chain.chainId, chain.startBlock)
        if (reorg) {
          await ensureChainId() // the hashes compared may come from a node reached after a failure
          const deep = lastFinalized !== null && reorg.ancestor.number < lastFinalized
          const fields = {
            from_block: Number(reorg.from.number),
            to_block: Number(reorg.ancestor.number),
            depth: Number(reorg.from.number - reorg.ancestor.number),
            beyond_window: reorg.beyondWindow,
          }
          if (deep || reorg.beyondWindow) log.error(fields, 'Reorg deeper than finality: re-syncing from the last block still canonical')
          else log.warn(fields, 'Reorg detected: rolling back to the common ancestor')
          const result = await rollbackChain(prisma, chain.chainId, reorg.ancestor, reorg.from)
          reorgsTotal.inc({ chain_id: chain.chainId })
          schemaFields.clear()
          log.info({ removed_events: result.removedEvents, removed_attestations: result.removedAttestations, unrevoked: result.unrevoked }, 'Rolled back')
          health.recordRollback(reorg.ancestor.number)
          params.onCommit?.({ chainId: chain.chainId, toBlock: reorg.ancestor.number, lastSeq: result.lastSeq })
          continue
        }
        const checkpoint = await prisma.checkpoint.findUnique({ where: { chainId: chain.chainId } })
        const next = checkpoint ? checkpoint.blockNumber + 1n : chain.startBlock
        let parentHash = checkpoint?.blockHash || null
        const latest = await governed(client, 'eth_getBlockByNumber', () => client.getBlock({ blockTag: 'latest' }))
        const head = latest.number!
        const safe = head > BigInt(chain.confirmations) ? head - BigInt(chain.confirmations) : 0n
        const finalized = await getFinalizedBlock(client, safe)
        await ensureChainId()
        health.recordHead(head)
        lastFinalized = finalized
        headBlock.set({ chain_id: chain.chainId }, Number(head))
        lagBlocks.set({ chain_id: chain.chainId }, Number(head - (next - 1n)))
        await prisma.chain.update({
          where: { chainId: chain.chainId },
          data: { headBlock: head, headTimestamp: latest.timestamp, safeBlock: safe, finalizedBlock: finalized },
        })
        // Ingest runs at the head: confirmations only set the chain's safe block, which the gateway uses to hold
        // SAFE deliveries (and the verify stage to report PENDING confirmations). Blocks above the finalized one
        // are kept in the block window and rolled back on a reorg.
        if (next > head) {
          if (phase === 'backfill') {
            phase = 'live'
            log.info({ block_number: Number(next - 1n) }, 'Backfill complete, following the head')
          }
          params.onProgress?.({ chainId: chain.chainId, phase, indexedBlock: next - 1n, targetBlock: head, startBlock: chain.startBlock, events })
          failures = 0
          health.recordProgress(next - 1n)
          await sleep(chain.pollIntervalMs)
          continue
        }
        // Below the finalized block: big ranges, headers only where needed. Above it (reorgs possible): small
        // ranges with every header fetched and parent links checked. Ranges are cut lazily so the size adapts:
        // halved when the provider refuses a range, grown by a quarter after each range it accepts.
        let cursor = next
        const nextRange = (): [bigint, bigint, boolean] | null => {
          if (cursor > head) return null
          const unfinalized = cursor > finalized
          let size = unfinalized ? (rangeSize < UNFINALIZED_RANGE ? rangeSize : UNFINALIZED_RANGE) : rangeSize
          if (size < 1n) size = 1n
          let to = cursor + size - 1n
          if (!unfinalized && to > finalized) to = finalized
          if (to > head) to = head
          const range: [bigint, bigint, boolean] = [cursor, to, unfinalized]
          cursor = to + 1n
          return range
        }
        // Pipeline: getLogs for up to `concurrency` ranges ahead; each range's logs are cut into pieces whose
        // records are read under the log budget. A piece holds its share of the budget from read until commit, and
        // shares are requested in commit order, so at most MAX_LOGS_IN_FLIGHT logs (or one denser block) are in
        // memory and a slow database stalls the readers (backpressure) instead of letting fetched data pile up.
        const rangeLimit = pLimit(concurrency)
        const budget = createLogBudget(MAX_LOGS_IN_FLIGHT)
        const readLimit = pLimit(PIECES_READ_AT_ONCE)
        const slots = new Set<{ fetched: Promise<FetchedRange>; release: () => void }>()
        // held from getLogs to commit (ranges whose getLogs is still out count as the last range did)
        const held = { logs: 0, bytes: 0, rangesOut: 0, lastLogs: 0, lastBytes: 0 }
        const roomForRange = () =>
          held.logs + held.rangesOut * held.lastLogs < MAX_LOGS_IN_FLIGHT && held.bytes + held.rangesOut * held.lastBytes < MAX_BYTES_IN_FLIGHT
        let abandoned = false
        let queued: Promise<unknown> = Promise.resolve()
        const startRange = ([fromBlock, toBlock, verifyChain]: [bigint, bigint, boolean]) => {
          held.rangesOut++
          const logsReady = rangeLimit(() => getRangeLogs({ client, contract: chain.contract, fromBlock, toBlock })).then((pieces) => {
            rangeSize = nextRangeSize(rangeSize, maxRange, toBlock - fromBlock + 1n, pieces)
            rangesSeen++
            return pieces
          })
          logsReady.then(
            (pieces) => {
              held.rangesOut--
              held.lastLogs = pieces.reduce((n, p) => n + p.events.length + p.skipped.length, 0)
              held.lastBytes = pieces.reduce((n, p) => n + estimateBytes(p), 0)
            },
            () => held.rangesOut--,
          )
          let previous: Promise<unknown> | undefined = queued
          const piecesReady = logsReady.then(async (pieces) => {
            await previous // queue this range's pieces only after the earlier ranges' pieces: FIFO = commit order
            // every closure of this range shares this scope: holding `previous` would chain every earlier range's
            // pieces (and their records) into memory for as long as this range's slots live
            previous = undefined
            return pieces.map((piece) => {
              const size = { logs: piece.events.length + piece.skipped.length, bytes: estimateBytes(piece) }
              held.logs += size.logs
              held.bytes += size.bytes
              let release!: () => void
              const committed = new Promise<void>((r) => {
                release = r
              })
              let deliver!: (f: FetchedRange) => void
              let fail!: (e: unknown) => void
              const fetched = new Promise<FetchedRange>((res, rej) => {
                deliver = res
                fail = rej
              })
              fetched.catch(() => {})
              void budget.acquire(piece.events.length + piece.skipped.length).then(async (releaseBudget) => {
                try {
                  if (abandoned) return fail(new Error('pipeline abandoned'))
                  const started = performance.now()
                  try {
                    const result = await readLimit(() =>
                      fetchPiece({ client, contract: chain.contract, multicall3: chain.multicall3, piece, verifyChain, logger: log }),
                    )
                    log.debug(
                      {
                        from_block: Number(piece.fromBlock),
                        to_block: Number(piece.toBlock),
                        logs: piece.events.length,
                        duration_ms: Math.round(performance.now() - started),
                      },
                      'Fetched piece',
                    )
                    const bytes = estimateBytes(result) // the records read: more bytes held until the commit
                    held.bytes += bytes - size.bytes
                    size.bytes = bytes
                    deliver(result)
                  } catch (error) {
                    return fail(error)
                  }
                  await committed
                } finally {
                  releaseBudget()
                }
              })
              const slot = {
                fetched,
                release: () => {
                  if (slots.has(slot)) {
                    held.logs -= size.logs
                    held.bytes -= size.bytes
                  }
                  release()
                  slots.delete(slot) // drop the fetched data as soon as it is committed
                },
              }
              slots.add(slot)
              return slot
            })
          })
          queued = piecesReady.then(
            () => undefined,
            () => undefined,
          ) // settles with this range, holds none of it
          piecesReady.catch(() => {})
          return piecesReady
        }
        const rangeWindow: ReturnType<typeof startRange>[] = []
        let rangesSeen = 0
        let pending = nextRange()
        try {
          while ((pending || rangeWindow.length) && !signal.aborted) {
            // slow start: one range until the first answer has sized the next ones (log density is unknown)
            // and no further range while those fetched or still out would pass the bounds in flight (one at least)
            while (pending && rangeWindow.length < (rangesSeen === 0 ? 1 : concurrency) && (rangeWindow.length === 0 || roomForRange())) {
              rangeWindow.push(startRange(pending))
              pending = nextRange()
            }
            for (const slot of await rangeWindow.shift()!) {
              const fetched = await slot.fetched
              if (signal.aborted) break
              await ensureChainId() // before writing anything read after an RPC failure
              const first = fetched.blocks.get(fetched.fromBlock)
              if (fetched.verified && parentHash && first && first.parentHash !== parentHash) {
                throw new RpcError('eth_getBlockByNumber', `block ${fetched.fromBlock} does not build on the committed block (reorg)`, { retryable: true })
              }
              const started = performance.now()
              const build = (range: FetchedRange) => buildBatch(chain.chainId, range, getSchemaFields)
              const builtBatch = await build(fetched)
              const built = performance.now()
              // values the database refuses (a poison pill) are stored as skipped logs and the rest commits
              const { lastSeq, batch } = await commitBatchResilient({ prisma, fetched, build, batch: builtBatch, logger: log })
              slot.release()
              log.debug(
                {
                  from_block: Number(batch.fromBlock),
                  to_block: Number(batch.toBlock),
                  attestations: batch.attestations.length,
                  build_ms: Math.round(built - started),
                  commit_ms: Math.round(performance.now() - built),
                },
                'Committed range',
              )
              parentHash = batch.toBlockHash || null
              for (const s of batch.schemas) schemaFields.set(s.schemaId, s.fields)
              for (const j of batch.journal) eventsTotal.inc({ chain_id: chain.chainId, kind: `${j.subjectType}_${j.kind}` })
              events += batch.journal.length
              indexedBlock.set({ chain_id: chain.chainId }, Number(batch.toBlock))
              lagBlocks.set({ chain_id: chain.chainId }, Number(head - batch.toBlock))
              for (const s of batch.skipped) log.warn({ block_number: Number(s.blockNumber), log_index: s.logIndex, reason: s.reason }, 'Skipped log')
              params.onCommit?.({ chainId: chain.chainId, toBlock: batch.toBlock, lastSeq })
              params.onProgress?.({ chainId: chain.chainId, phase, indexedBlock: batch.toBlock, targetBlock: head, startBlock: chain.startBlock, events })
              failures = 0
              health.recordProgress(batch.toBlock)
            }
          }
        } finally {
          abandoned = true
          for (const slot of slots) slot.release()
        }
      } catch (error) {
        if (signal.aborted) break
        failures++
        const backoff = backoffDelay(SYNC_BACKOFF, failures)
        health.recordFailure(error, { backoffMs: backoff })
        if (error instanceof ChainIdMismatchError && !chainIdVerified) {
          await health.flush()
          throw error // the configuration names another chain than the node's: refuse to start
        }
        chainIdChecked.rpcFailures = -1 // whatever failed, ask the node which chain it is before going on
        await sleep(backoff)
      }
    }
  } finally {
    unwatch?.()
  }
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
