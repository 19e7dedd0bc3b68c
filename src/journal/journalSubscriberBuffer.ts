/**
 * A journal subscriber's bounded buffer of live journal entries. One that is full when the next matching entry comes
 * (it fell behind; the tail has already given it the overflow grace, overflowGrace.ts) is ended with a
 * `JournalOverflowError` carrying its resume cursor instead of growing memory.
 */
import type { Logger } from '../common/logger.js'
import type { Metrics } from '../common/metrics.js'
import type { JournalEntry } from './journalEntry.js'
import { JournalOverflowError } from './journalOverflowError.js'
import type { JournalSubscriber } from './journalSubscribers.js'

export type CreateJournalSubscriberBufferParameters = {
  /** the buffer's size, in journal entries */
  limit: number
  /** only entries for which this returns true are buffered */
  filter: (event: JournalEntry) => boolean
  /** the subscriber's resume cursor, if any: entries at or below it are ignored (a cursor ahead of this tail's) */
  after: bigint | undefined
  /** an entry filtered out or dropped while the buffer was empty: the subscriber has passed everything through `seq` */
  onPassed(seq: bigint): void
  /** the cursor an overflow now would carry (decimal seq) */
  resumeCursor(): string
  /** detaches the subscriber from its tail; called on overflow and on every `end()` */
  detach(): void
  metrics: Pick<Metrics, 'subscriptionOverflows'>
  logger: Logger
}

export type JournalSubscriberBuffer = JournalSubscriber & {
  /** entries buffered */
  readonly length: number
  /** true once ended (by `end()` or by handing out its overflow error) */
  readonly done: boolean
  /** true while an overflow error waits to be handed out */
  readonly failed: boolean
  /** the oldest buffered entry, removed; undefined when empty */
  take(): JournalEntry | undefined
  /** the oldest `limit` buffered entries, not removed */
  peek(limit: number): JournalEntry[]
  /** the overflow error, once (the buffer is then done); undefined when it did not overflow */
  takeFailure(): JournalOverflowError | undefined
  /** resolves at the next push, overflow or end */
  wait(): Promise<void>
}

/** Creates an empty buffer; attach it to the tail's subscribers (journalSubscribers.ts) to receive entries. */
export function createJournalSubscriberBuffer(params: CreateJournalSubscriberBufferParameters): JournalSubscriberBuffer {
  const { limit, after } = params
  let queue: JournalEntry[] = []
  let failure: JournalOverflowError | undefined
  let done = false
  let waiter: (() => void) | undefined
  const wake = () => {
    waiter?.()
    waiter = undefined
  }
  const overflow = () => {
    failure = new JournalOverflowError(params.resumeCursor(), limit)
    queue = []
    params.detach()
    params.metrics.subscriptionOverflows.inc()
    params.logger.info({ cursor: failure.cursor, buffer_size: limit }, 'Journal subscriber overflowed')
  }
  return {
    push(event, dropped, seq) {
      if (done || failure) return
      if (after !== undefined && seq <= after) return // a cursor ahead of this tail (another replica's): not twice
      if (dropped || !params.filter(event)) {
        if (!queue.length) params.onPassed(seq)
        return
      }
      if (queue.length >= limit) overflow()
      else queue.push(event)
      wake()
    },
    end() {
      done = true
      params.detach()
      wake()
    },
    room: () => limit - queue.length,
    get length() {
      return queue.length
    },
    get done() {
      return done
    },
    get failed() {
      return failure !== undefined
    },
    take: () => queue.shift(),
    peek: (count) => queue.slice(0, count),
    takeFailure() {
      const error = failure
      if (error) {
        failure = undefined
        done = true
      }
      return error
    },
    wait: () => new Promise<void>((resolve) => (waiter = resolve)),
  }
}
