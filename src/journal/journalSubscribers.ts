/**
 * The subscribers attached to one journal tail, and how many of them want annotated journal entries (the tail
 * reads the annotator's facts only while one does).
 */
import type { Metrics } from '../common/metrics.js'
import type { JournalEntry } from './journalEntry.js'

/** What the tail sees of a subscriber (journalSubscriberBuffer.ts). */
export type JournalSubscriber = {
  /**
   * Offers one journal entry, in seq order. `dropped`: the gate drops it for this tail (the subscriber still passes
   * over it); `seq`: the entry's seq as a bigint, parsed once per entry rather than once per subscriber.
   */
  push(event: JournalEntry, dropped: boolean, seq: bigint): void
  /** ends the subscriber (its consumer sees the end once it has read what it has) */
  end(): void
  /** entries its buffer can still take */
  room(): number
}

export type JournalSubscribers = Iterable<JournalSubscriber> & {
  readonly size: number
  /** subscribers added with `annotated` */
  readonly annotated: number
  add(subscriber: JournalSubscriber, annotated: boolean): void
  /** false when `subscriber` was not attached (then nothing changes) */
  delete(subscriber: JournalSubscriber, annotated: boolean): boolean
  /** offers the entry to every attached subscriber (see `JournalSubscriber.push`) */
  fanOut(event: JournalEntry, dropped: boolean, seq: bigint): void
  /** ends every attached subscriber */
  endAll(): void
}

/** @param params.metrics `subscriptionsActive` counts the attached subscribers */
export function createJournalSubscribers(params: { metrics: Pick<Metrics, 'subscriptionsActive'> }): JournalSubscribers {
  const { subscriptionsActive } = params.metrics
  const subscribers = new Set<JournalSubscriber>()
  let annotated = 0
  return {
    [Symbol.iterator]: () => subscribers.values(),
    get size() {
      return subscribers.size
    },
    get annotated() {
      return annotated
    },
    add(subscriber, wantsAnnotations) {
      subscribers.add(subscriber)
      subscriptionsActive.inc()
      if (wantsAnnotations) annotated++
    },
    delete(subscriber, wantsAnnotations) {
      if (!subscribers.delete(subscriber)) return false
      subscriptionsActive.dec()
      if (wantsAnnotations) annotated--
      return true
    },
    fanOut(event, dropped, seq) {
      for (const subscriber of subscribers) subscriber.push(event, dropped, seq)
    },
    endAll() {
      for (const subscriber of [...subscribers]) subscriber.end()
    },
  }
}
