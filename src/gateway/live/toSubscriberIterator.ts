import type { ExecutionResult } from 'graphql'
import type { SubscriberQueue } from './subscriberQueue.js'

/**
 * The async iterator yoga reads a subscriber's results through: every queued result in order, then its failure
 * (overflow or source failure) as a last result, then done. `return()` leaves the execution.
 */
export function toSubscriberIterator(queue: SubscriberQueue): AsyncIterableIterator<ExecutionResult> {
  const iterator: AsyncIterableIterator<ExecutionResult> = {
    [Symbol.asyncIterator]: () => iterator,
    async next() {
      for (;;) {
        const result = queue.shift()
        if (result) return { done: false, value: result }
        const failure = queue.takeFailure()
        if (failure) {
          queue.leave()
          return { done: false, value: failure }
        }
        if (queue.done) {
          queue.leave() // the source ended: this subscriber no longer counts
          return { done: true, value: undefined }
        }
        await queue.wait()
      }
    },
    async return() {
      queue.finish()
      queue.wakeReader()
      return { done: true, value: undefined }
    },
  }
  return iterator
}
