/**
 * The fetch side of a backfill step: `eth_getLogs` for up to `parallelRanges` ranges ahead of the committer; each
 * range's logs are cut into pieces whose records are read under the log budget. A piece holds its share of the
 * budget from read until commit, and shares are requested in commit order, so at most MAX_LOGS_IN_FLIGHT logs (or one
 * denser block) are in memory and a slow database stalls the readers (backpressure) instead of letting fetched data
 * pile up. Pure network: nothing here writes.
 */
import type { Address } from 'viem'
import type { ChainClient } from '../chain/createChainClient.js'
import type { Logger } from '../common/logger.js'
import { estimateBytes, type FetchedRange, fetchPiece, getRangeLogs, type RangePiece } from '../ingest/fetchRange.js'
import pLimit from 'p-limit'
import { createLogBudget } from './logBudget.js'
import type { BlockRange } from './rangeCutter.js'

/**
 * Pieces whose records are read at the same time. Measured on anvil: reading pieces one or two at a time lets the
 * first piece's commit overlap the next reads; reading all at once finishes them together and serialises commits.
 */
const PIECES_READ_AT_ONCE = 2
/** logs (with their decoded events and read records) held between read and commit, at most — see logBudget.ts */
export const MAX_LOGS_IN_FLIGHT = 10_000
/**
 * What ranges hold from their getLogs answer to their commit, at most (about: `estimateBytes`), and at most
 * MAX_LOGS_IN_FLIGHT logs: no further range's getLogs starts while ranges fetched or in flight (counted at the last
 * range's size) would pass either bound ({@link FetchPipeline.roomForRange}). The log budget alone left up to
 * `parallelRanges` ranges of logs waiting for it unbounded; at 5,000 attestations per block that was most of the
 * indexer's ~180 MB live heap (1.1 GB peak RSS at 100,000 attestations).
 */
const MAX_BYTES_IN_FLIGHT = 32 * 2 ** 20

/** One piece on its way to the committer: `fetched` resolves once its records are read; `release()` after its commit. */
export type PieceSlot = { fetched: Promise<FetchedRange>; release: () => void }

export type FetchPipeline = {
  /**
   * Starts fetching `range` (its getLogs waits for one of the `parallelRanges` places). Resolves with the range's
   * piece slots in block order, once every earlier range's slots have been handed out (FIFO = commit order).
   * @throws (the promise rejects) with getLogs' RPC error
   */
  startRange(range: BlockRange): Promise<PieceSlot[]>
  /**
   * Whether another range may start: the logs and bytes held from getLogs to commit, with each range still out
   * counted at the last range's size, are under MAX_LOGS_IN_FLIGHT and MAX_BYTES_IN_FLIGHT.
   */
  roomForRange(): boolean
  /** Stops every piece not yet read (its `fetched` rejects) and releases every slot still held. */
  abandon(): void
}

export type CreateFetchPipelineParameters = {
  client: ChainClient
  contract: Address
  multicall3: Address
  /** ranges whose getLogs may run at once (config `limits.parallelRanges`) */
  parallelRanges: number
  /** called with each range and its pieces when its getLogs answers (adaptive range sizing) */
  onRangeLogs?: (range: BlockRange, pieces: RangePiece[]) => void
  /** the chain's logger (`Fetched piece` debug lines, Multicall3 fallback warnings) */
  logger: Logger
}

/** @see FetchPipeline — one per backfill step. */
export function createFetchPipeline(params: CreateFetchPipelineParameters): FetchPipeline {
  const { client, contract, multicall3, logger: log } = params
  const rangeLimit = pLimit(params.parallelRanges)
  const budget = createLogBudget(MAX_LOGS_IN_FLIGHT)
  const readLimit = pLimit(PIECES_READ_AT_ONCE)
  const slots = new Set<PieceSlot>()
  let abandoned = false
  let queued: Promise<unknown> = Promise.resolve()
  // held from getLogs to commit (ranges whose getLogs is still out count as the last range did)
  const held = { logs: 0, bytes: 0, rangesOut: 0, lastLogs: 0, lastBytes: 0 }

  const startRange = (range: BlockRange): Promise<PieceSlot[]> => {
    const { fromBlock, toBlock, unfinalized: verifyChain } = range
    held.rangesOut++
    const logsReady = rangeLimit(() => getRangeLogs({ client, contract, fromBlock, toBlock })).then((pieces) => {
      params.onRangeLogs?.(range, pieces)
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
              const result = await readLimit(() => fetchPiece({ client, contract, multicall3, piece, verifyChain, logger: log }))
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
        const slot: PieceSlot = {
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

  return {
    startRange,
    roomForRange: () => held.logs + held.rangesOut * held.lastLogs < MAX_LOGS_IN_FLIGHT && held.bytes + held.rangesOut * held.lastBytes < MAX_BYTES_IN_FLIGHT,
    abandon() {
      abandoned = true
      for (const slot of slots) slot.release()
    },
  }
}
