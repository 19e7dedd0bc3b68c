import type { ExecutionResult } from 'graphql'
import type { SubscriberQueue } from './subscriberQueue.js'

/**
 * A subscriber's queue read without a promise per result: a transport drains everything queued at once when woken.
 * Reading through `drain` and through the iterator's `next` must not be mixed.
 */
export type DirectSubscription = {
  /**
   * Takes every queued result, in order (the last may be a SUBSCRIPTION_OVERFLOW or source-failure error result);
   * `done` once nothing more will come (the subscriber has then left).
   */
  drain(): { results: ExecutionResult[]; done: boolean }
  /** `callback` runs synchronously whenever a result is queued or the subscription ends (one callback; replaces) */
  onWake(callback: () => void): void
  /** leaves the execution (same as the iterator's `return`); idempotent */
  close(): void
}

/** The drain-based view of a subscriber's queue, for the direct transports (directTransports.ts). */
export function toDirectSubscription(queue: SubscriberQueue): DirectSubscription {
  return {
    drain() {
      const results = queue.shiftAll()
      const failure = queue.takeFailure()
      if (failure) results.push(failure)
      if (queue.done) queue.leave()
      return { results, done: queue.done }
    },
    onWake: (callback) => queue.onWake(callback),
    close: () => queue.finish(),
  }
}
