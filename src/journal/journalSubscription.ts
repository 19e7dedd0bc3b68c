/**
 * One subscription to a journal tail: an async iterator that replays from the table what came after its cursor
 * (journalReplay.ts), then hands out what the tail fans out live into its bounded buffer (journalSubscriberBuffer.ts),
 * with no gap and no duplicate: the seam for resumable GraphQL subscriptions.
 */
import type { Logger } from '../common/logger.js'
import type { Metrics } from '../common/metrics.js'
import type { JournalEntry } from './journalEntry.js'
import type { JournalReader } from './journalReader.js'
import { createJournalReplay, type JournalReplay, REPLAY_AGAIN, type SubscriptionCursor } from './journalReplay.js'
import { createJournalSubscriberBuffer, type JournalSubscriberBuffer } from './journalSubscriberBuffer.js'
import type { JournalSubscribers } from './journalSubscribers.js'
import type { ReplayLimiter } from './replayLimiter.js'

export type JournalSubscribeOptions = {
  /** replay events with seq > after from the table first, then continue live */
  after?: string
  /** only events for which this returns true are buffered and delivered */
  filter?: (event: JournalEntry) => boolean
  /** overrides the tail's default buffer size, in events */
  bufferSize?: number
  /** the client connection carrying this subscription, for the per-connection replay limit */
  connection?: object
  /** its filter reads what the tail's `annotate` prepared: events are annotated before it sees them */
  annotated?: boolean
}

/** An async iterator of journal events; ends when closed (by the consumer or the tail). */
export type JournalSubscription = AsyncIterableIterator<JournalEntry> & {
  /** seq up to which this subscriber has consumed (or filtered out) everything; null before the tail is ready */
  readonly cursor: string | null
  /** events `next()` can hand out without waiting (replayed or buffered live) */
  readonly buffered: number
  /** the next `limit` of those events, in order, without consuming them */
  peek(limit: number): JournalEntry[]
  /** true until the replay of a resumed subscription (`after`) has reached the live stream */
  readonly replaying: boolean
  /** detaches the subscriber; a pending `next()` resolves done */
  close(): void
}

/** What a subscription sees of its journal tail (journalTail.ts). */
export type JournalTailView = {
  /** the seq through which the tail has fanned out; undefined before it is ready */
  position(): bigint | undefined
  /** where the tail started; undefined before it is ready */
  initialPosition(): bigint | undefined
  /** resolves once the tail is ready or closed */
  started: Promise<void>
  closed(): boolean
  subscribers: JournalSubscribers
  reader: Pick<JournalReader, 'readRange' | 'keepReplayed'>
  replayLimiter: ReplayLimiter | undefined
  /** in journal entries */
  defaultBufferSize: number
  metrics: Pick<Metrics, 'subscriptionOverflows'>
  logger: Logger
}

const DONE: IteratorReturnResult<undefined> = { done: true, value: undefined }

/**
 * Attaches a subscriber to `tail` (a closed tail: the subscription is ended at once).
 * @throws {ReplayLimitError} when `after` is given and the replay limiter refuses one more replay
 */
export function createJournalSubscription(tail: JournalTailView, options: JournalSubscribeOptions = {}): JournalSubscription {
  const filter = options.filter ?? (() => true)
  const annotated = options.annotated === true
  const after = options.after !== undefined ? BigInt(options.after) : undefined
  const ticket = after !== undefined && !tail.closed() ? tail.replayLimiter?.admit(options.connection) : undefined
  const cursor: SubscriptionCursor = { value: after }
  // Replay window (after, registered.at]: the journal entries the tail had passed when this subscriber attached
  const registered = { at: tail.position() }
  const replay = createJournalReplay({
    after,
    ticket,
    cursor,
    readRange: tail.reader.readRange,
    keep: async (events) => (await tail.reader.keepReplayed(events, annotated)).filter(filter),
  })
  const buffer = createJournalSubscriberBuffer({
    limit: options.bufferSize ?? tail.defaultBufferSize,
    filter,
    after,
    onPassed: (seq) => {
      if (!replay.active) cursor.value = seq
    },
    resumeCursor: () => String(cursor.value ?? registered.at ?? tail.initialPosition() ?? 0n),
    detach: () => {
      ticket?.end()
      tail.subscribers.delete(buffer, annotated)
    },
    metrics: tail.metrics,
    logger: tail.logger,
  })
  if (tail.closed()) buffer.end()
  else tail.subscribers.add(buffer, annotated)
  return toJournalSubscription({ tail, buffer, replay, cursor, registered })
}

type SubscriptionParts = {
  tail: JournalTailView
  buffer: JournalSubscriberBuffer
  replay: JournalReplay
  cursor: SubscriptionCursor
  /** the tail's position when the subscriber attached (the end of its replay window); set at the first `next()` if unknown */
  registered: { at: bigint | undefined }
}

/** The iterator over a subscription's replay, then its live buffer. */
function toJournalSubscription({ tail, buffer, replay, cursor, registered }: SubscriptionParts): JournalSubscription {
  async function next(): Promise<IteratorResult<JournalEntry>> {
    for (;;) {
      const failure = buffer.takeFailure()
      if (failure) throw failure
      if (buffer.done) return DONE
      const initial = tail.initialPosition()
      if (initial === undefined) {
        await tail.started
        continue
      }
      registered.at ??= initial
      if (replay.active || replay.buffered > 0) {
        const replayed = await replay.next(registered.at, () => buffer.done || buffer.failed)
        if (replayed === REPLAY_AGAIN) continue
        return { done: false, value: replayed }
      }
      // from the checks above to the wait, no await: an end or push in between would wake nobody
      const event = buffer.take()
      if (event) {
        cursor.value = BigInt(event.seq)
        return { done: false, value: event }
      }
      await buffer.wait()
    }
  }

  const subscription: JournalSubscription = {
    get cursor() {
      const value = cursor.value ?? registered.at ?? tail.initialPosition()
      return value === undefined ? null : value.toString()
    },
    get buffered() {
      return buffer.length + replay.buffered
    },
    get replaying() {
      return !buffer.done && (replay.active || replay.buffered > 0)
    },
    peek(limit) {
      const ahead = replay.peek(limit)
      return ahead.length < limit && !replay.active ? ahead.concat(buffer.peek(limit - ahead.length)) : ahead
    },
    close: () => buffer.end(),
    [Symbol.asyncIterator]: () => subscription,
    async return() {
      buffer.end()
      return DONE
    },
    next,
  }
  return subscription
}
