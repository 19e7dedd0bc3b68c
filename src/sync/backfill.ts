/**
 * The backfill step of a chain loop: from the block after the checkpoint up to the head read in this pass, ranges
 * fetched in parallel (fetchPipeline.ts) and committed strictly in block order, piece by piece, each in ONE
 * transaction with its checkpoint (commitBatchResilient). Slow start: one range until an answer with logs has sized
 * the next ones (log density is unknown). Above the finalized block every header is fetched and the first block of each
 * piece must build on the last committed one.
 */
import type { ChainClient } from '../chain/createChainClient.js'
import type { Logger } from '../common/logger.js'
import type { Metrics } from '../common/metrics.js'
import { RpcError } from '../errors/baseError.js'
import type { RawWriter } from '../db/rawWriter.js'
import type { PrismaClient } from '../generated/prisma/client.js'
import { type Batch, buildBatch } from '../ingest/buildBatch.js'
import { commitBatchResilient } from '../ingest/commitBatchResilient.js'
import type { FetchedRange } from '../ingest/fetchRange.js'
import { createFetchPipeline } from './fetchPipeline.js'
import { createRangeCutter, nextRangeSize } from './rangeCutter.js'
import type { ChainSyncConfig } from './runChainSync.js'
import type { SchemaFieldsCache } from './schemaFieldsCache.js'

export type BackfillParameters = {
  prisma: PrismaClient
  /** the commits' transactions (src/db/rawWriter.ts; default: Prisma's transactions on `prisma`) */
  writer?: RawWriter
  client: ChainClient
  chain: ChainSyncConfig
  /** first block to fetch (checkpoint + 1) and the last (the head read in this pass) */
  from: bigint
  head: bigint
  /** the finalized block read with the head: ranges above it are small and header-checked */
  finalized: bigint
  /** hash of the checkpoint's block (null: none yet, or not recorded): the first checked block must build on it */
  parentHash: string | null
  /** the adaptive `eth_getLogs` range size, carried from step to step: read at every cut, updated by every answer */
  rangeSize: { current: bigint }
  /** ranges fetched ahead of the committer (config `limits.parallelRanges`) */
  parallelRanges: number
  /** the chain-id check, asked before anything read after an RPC failure is written */
  ensureChainId: () => Promise<void>
  schemaFields: SchemaFieldsCache
  /** the chain's logger (`chain_id` bound) */
  logger: Logger
  /** `sign_indexer_events_total`, `_indexed_block`, `_lag_blocks`, `_db_commit_duration_seconds` */
  metrics: Metrics
  /** ends the step after the current commit */
  signal: AbortSignal
  /** after every commit: the batch committed and the last journal seq it wrote (null: no journal entry) */
  onCommitted: (e: { batch: Batch; lastSeq: bigint | null }) => void
}

/**
 * Resolves once `head` is committed, or after the current commit when `signal` aborts.
 * @throws the first RPC or database error (nothing after the last commit is kept; the loop resumes from the
 *   checkpoint), {@link RpcError} (retryable) when a checked block does not build on the committed one (a reorg
 *   under the backfill), or the chain-id check's errors
 */
export async function backfill(params: BackfillParameters): Promise<void> {
  const { prisma, client, chain, head, logger: log, metrics, signal, rangeSize } = params
  const maxRange = BigInt(chain.maxBlockRange)
  let parentHash = params.parentHash
  const nextRange = createRangeCutter({ from: params.from, head, finalized: params.finalized, size: () => rangeSize.current })
  // the log density is known once a range brought logs back (or ranges are as long as allowed): until then one range
  // at a time, each sized by the last answer
  let densityKnown = rangeSize.current >= maxRange
  const pipeline = createFetchPipeline({
    client,
    contract: chain.contract,
    multicall3: chain.multicall3,
    parallelRanges: params.parallelRanges,
    logger: log,
    onRangeLogs: (range, pieces) => {
      rangeSize.current = nextRangeSize(rangeSize.current, maxRange, range.toBlock - range.fromBlock + 1n, pieces)
      if (rangeSize.current >= maxRange || pieces.some((p) => p.events.length + p.skipped.length > 0)) densityKnown = true
    },
  })
  const build = (range: FetchedRange) => buildBatch(chain.chainId, range, params.schemaFields.get)
  const rangeWindow: ReturnType<typeof pipeline.startRange>[] = []
  let pending = nextRange()
  // slow start: one range until an answer with logs has sized the next ones (log density is unknown: empty first
  // ranges only double the size, and four ranges cut at once from one empty answer held 10,000-20,000 logs each)
  // and no further range while those fetched or still out would pass the bounds in flight (one at least)
  const startRanges = () => {
    while (pending && rangeWindow.length < (densityKnown ? params.parallelRanges : 1) && (rangeWindow.length === 0 || pipeline.roomForRange())) {
      rangeWindow.push(pipeline.startRange(pending))
      pending = nextRange()
    }
  }
  try {
    while ((pending || rangeWindow.length) && !signal.aborted) {
      startRanges()
      for (const slot of await rangeWindow.shift()!) {
        // again before each piece: the answer that taught the density, or the commit that made room, starts the next
        // ranges now rather than after the last piece of this range (the first dense range was read and committed
        // alone, its successors' getLogs waiting ~3 s behind it)
        startRanges()
        const fetched = await slot.fetched
        if (signal.aborted) break
        await params.ensureChainId() // before writing anything read after an RPC failure
        const first = fetched.blocks.get(fetched.fromBlock)
        if (fetched.verified && parentHash && first && first.parentHash !== parentHash) {
          throw new RpcError('eth_getBlockByNumber', `block ${fetched.fromBlock} does not build on the committed block (reorg)`, { retryable: true })
        }
        const started = performance.now()
        const builtBatch = await build(fetched)
        const built = performance.now()
        // values the database refuses (a poison pill) are stored as skipped logs and the rest commits
        const { lastSeq, batch } = await commitBatchResilient({ prisma, writer: params.writer, fetched, build, batch: builtBatch, logger: log, metrics })
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
        for (const s of batch.schemas) params.schemaFields.set(s.schemaId, s.fields)
        for (const j of batch.journal) metrics.eventsTotal.inc({ chain_id: chain.chainId, kind: `${j.subjectType}_${j.kind}` })
        metrics.indexedBlock.set({ chain_id: chain.chainId }, Number(batch.toBlock))
        metrics.lagBlocks.set({ chain_id: chain.chainId }, Number(head - batch.toBlock))
        for (const s of batch.skipped) log.warn({ block_number: Number(s.blockNumber), log_index: s.logIndex, reason: s.reason }, 'Skipped log')
        params.onCommitted({ batch, lastSeq })
      }
    }
  } finally {
    pipeline.abandon()
  }
}
