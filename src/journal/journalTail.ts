/**
 * Journal tail: follows the `Event` table (written by ingest in the same transaction as the rows it describes)
 * in increasing `seq` order and fans each committed journal entry out to in-process subscribers. This file is the
 * loop; each part is a unit of its own:
 *
 * - Wakes on `notify()` (the in-process indexer calls it after each commit) and otherwise polls; a failed read is
 *   logged and retried with backoff. Reads, the finality gate's and the annotator's passes: journalReader.ts.
 * - Delivers in `seq` order with no gap, holding back at a hole until it is final (journalGap.ts), in slices that
 *   give full buffers the overflow grace (journalFanOut.ts).
 * - Every subscriber has a bounded buffer (journalSubscriberBuffer.ts); one that fell behind is ended with a
 *   `JournalOverflowError` carrying its resume cursor instead of growing memory.
 * - Cursors are `seq` values as decimal strings. `subscribe({ after })` replays from the table what came after a
 *   cursor (journalReplay.ts, paced by replayLimiter.ts), then continues live with no gap and no duplicate
 *   (journalSubscription.ts): the seam for resumable GraphQL subscriptions.
 *
 * Events carry small string facts only; consumers re-read the rows they describe.
 */
import type { Logger } from '../common/logger.js'
import { createSilentLogger } from '../common/logger.js'
import type { Metrics } from '../common/metrics.js'
import type { PrismaClient } from '../generated/prisma/client.js'
import { createJournalFanOut } from './journalFanOut.js'
import { createJournalGap } from './journalGap.js'
import { createJournalPoller } from './journalPoller.js'
import { createJournalReader, type JournalAnnotator, type JournalGate } from './journalReader.js'
import { createJournalSubscribers } from './journalSubscribers.js'
import { createJournalSubscription, type JournalSubscribeOptions, type JournalSubscription, type JournalTailView } from './journalSubscription.js'
import type { ReplayLimiter } from './replayLimiter.js'

export type { JournalEntry } from './journalEntry.js'
export { JournalOverflowError } from './journalOverflowError.js'
export type { JournalGate } from './journalReader.js'
export type { JournalSubscribeOptions, JournalSubscription } from './journalSubscription.js'

export type CreateJournalTailParameters = {
  prisma: PrismaClient
  /** `journalSeq` (last seq fanned out), `subscriptionsActive` (attached subscribers), `subscriptionOverflows` */
  metrics: Pick<Metrics, 'journalSeq' | 'subscriptionsActive' | 'subscriptionOverflows'>
  /** poll interval when nobody calls `notify()`, in ms (default 500) */
  pollIntervalMs?: number
  /** start cursor: deliver events with seq > after; default: the highest seq at startup (only new events) */
  after?: string
  /** rows read per query (default 500) */
  batchSize?: number
  /** default per-subscriber buffer, in events (default 1000) */
  bufferSize?: number
  /** last resort: a missing seq is skipped after this long even if transactions are still open, in ms (default 60000) */
  gapTimeoutMs?: number
  /** how long a full subscriber buffer may hold the tail back before that subscriber overflows, in ms (default 2000) */
  overflowGraceMs?: number
  /** holds entries until they may be delivered and drops some (default: every entry as committed) */
  gate?: JournalGate
  /** paces replays (`subscribe({ after })`); default: unpaced */
  replayLimiter?: ReplayLimiter
  /**
   * Reads what subscribers' filters need to know about events (and keeps it beside the event objects), before
   * those events are filtered: once per batch delivered live while any subscriber is `annotated`, and once per
   * replay page of such a subscriber. A failure counts as a failed read (retried).
   */
  annotate?: JournalAnnotator
  logger?: Logger
}

export type JournalTail = {
  /** resolves once the start position is known (the tail retries the database until then) */
  readonly ready: Promise<void>
  /** asks for an immediate read (call after each commit); cheap and safe to call often */
  notify(): void
  /** @throws {ReplayLimitError} when `after` is given and the replay limiter refuses one more replay */
  subscribe(options?: JournalSubscribeOptions): JournalSubscription
  stats(): { position: string | null; subscribers: number }
  /** stops polling and ends every subscription */
  close(): Promise<void>
}

/**
 * Creates and starts a journal tail over `prisma.event`.
 * @returns the tail; reads never throw to callers: database errors are logged and retried with backoff
 */
export function createJournalTail(params: CreateJournalTailParameters): JournalTail {
  const batchSize = params.batchSize ?? 500
  const bufferSize = params.bufferSize ?? 1000
  const { metrics } = params
  const logger = params.logger ?? createSilentLogger()
  const reader = createJournalReader({ prisma: params.prisma, batchSize, gate: params.gate, annotate: params.annotate, logger })
  const subscribers = createJournalSubscribers({ metrics })
  const gap = createJournalGap({ gapTimeoutMs: params.gapTimeoutMs ?? 60_000, logger })
  const fanOut = createJournalFanOut({ subscribers, gap, overflowGraceMs: params.overflowGraceMs ?? 2_000, bufferSize, metrics })
  let initialPosition: bigint | undefined
  let closed = false
  const isClosed = () => closed
  let resolveReady!: () => void
  const ready = new Promise<void>((resolve) => (resolveReady = resolve))
  let resolveClosed!: () => void
  const closedSignal = new Promise<void>((resolve) => (resolveClosed = resolve))

  /** One read and its fan-out; true when the journal may hold more right now (read again at once). */
  async function readOnce(): Promise<boolean> {
    const xmin = gap.horizonNoted ? (await reader.readSnapshot())?.xmin : undefined
    const released = await reader.readReleased(fanOut.position as bigint, () => subscribers.annotated > 0)
    if (closed) return false
    const consumed = await fanOut.fanOut(released, xmin, isClosed)
    if (consumed === undefined) return false
    if (gap.needsHorizon) gap.noteHorizon((await reader.readSnapshot())?.xmax)
    return released.read === batchSize && consumed === released.read
  }

  /** Finds the start position first (retried like any read until it is known), then reads until caught up. */
  async function read(): Promise<void> {
    if (fanOut.position === undefined) {
      const start = await reader.readStart(params.after)
      if (closed) return
      fanOut.start(start)
      initialPosition = start
      resolveReady()
    }
    while (await readOnce());
  }

  const poller = createJournalPoller({ pollIntervalMs: params.pollIntervalMs ?? 500, read, holding: () => gap.open, logger })
  const view: JournalTailView = {
    position: () => fanOut.position,
    initialPosition: () => initialPosition,
    started: Promise.race([ready, closedSignal]),
    closed: isClosed,
    subscribers,
    reader,
    replayLimiter: params.replayLimiter,
    defaultBufferSize: bufferSize,
    metrics,
    logger,
  }
  poller.start()
  return {
    ready,
    notify: () => poller.notify(),
    subscribe: (options) => createJournalSubscription(view, options),
    stats: () => ({ position: fanOut.position === undefined ? null : fanOut.position.toString(), subscribers: subscribers.size }),
    async close() {
      if (closed) return
      closed = true
      const stopped = poller.stop()
      resolveClosed()
      subscribers.endAll()
      await stopped
    },
  }
}
