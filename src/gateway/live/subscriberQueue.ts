/**
 * One subscriber of a shared execution: its bounded queue of results. A subscriber whose queue is still full when
 * the next result comes (the execution gave it the overflow grace, handOverResults.ts) is ended with one
 * `SUBSCRIPTION_OVERFLOW` error carrying its resume cursor: the journal cursor right after the last result it
 * received, or, if it received none, the point it joined at (it gets every later result) — so resuming leaves no gap
 * and no duplicate. Read through `toSubscriberIterator` or `toDirectSubscription`.
 */
import { type ExecutionResult, GraphQLError } from 'graphql'
import type { Metrics } from '../../common/metrics.js'
import { SubscriptionOverflowError } from '../errors.js'
import type { CursoredResult } from './recentResults.js'
import type { ExecutionSubscriber, SharedExecution } from './sharedExecution.js'

export type CreateSubscriberQueueParameters = {
  execution: SharedExecution
  /** results it may have queued before it overflows */
  bufferSize: number
  /** where it resumes while it has received nothing: the point it joined at (or resumed from) */
  cursor: string | undefined
  /** results it starts with (a resume served from the execution's recent results) */
  queued?: CursoredResult[]
  metrics: Pick<Metrics, 'subscriptionOverflows'>
  /** called once, when it leaves its execution (the execution stops once its last subscriber left) */
  onLeave(): void
}

export type SubscriberQueue = {
  /** what the execution pushes to */
  subscriber: ExecutionSubscriber
  /** true once nothing more will be queued (ended, closed, or its failure handed out) */
  readonly done: boolean
  /** the oldest queued result, removed (the resume cursor moves past it); undefined when none */
  shift(): ExecutionResult | undefined
  /** every queued result, removed, in order */
  shiftAll(): ExecutionResult[]
  /** its last result, once: an overflow or source-failure error result (it is then done) */
  takeFailure(): ExecutionResult | undefined
  /** it is done and leaves its execution */
  finish(): void
  /** leaves its execution (idempotent); nothing queued outlives it */
  leave(): void
  /** resolves at the next push or end, or at `wakeReader()` */
  wait(): Promise<void>
  wakeReader(): void
  /** `callback` runs synchronously whenever a result is queued or the subscriber ends (one; replaces) */
  onWake(callback: () => void): void
}

/** Creates the queue and attaches it to `params.execution`. */
export function createSubscriberQueue(params: CreateSubscriberQueueParameters): SubscriberQueue {
  const { bufferSize } = params
  let execution = params.execution
  let skipThrough: bigint | undefined
  const queue: CursoredResult[] = params.queued ? [...params.queued] : []
  let cursor = params.cursor
  let done = false
  let failure: ExecutionResult | undefined
  let wake: (() => void) | undefined
  let wakeDirect: (() => void) | undefined
  const leave = () => {
    queue.length = 0 // nothing queued outlives the subscriber (the execution may keep running for others)
    if (!execution.subscribers.delete(subscriber)) return
    params.onLeave()
    if (!execution.subscribers.size) execution.stop()
  }
  const subscriber: ExecutionSubscriber = {
    push(result, resultCursor) {
      if (done || failure) return // after an overflow nothing more is queued: the client resumes from the cursor
      if (skipThrough !== undefined && resultCursor !== undefined) {
        if (BigInt(resultCursor) <= skipThrough) return // already delivered by the execution it came from
        skipThrough = undefined
      }
      if (queue.length >= bufferSize) {
        params.metrics.subscriptionOverflows.inc()
        failure = { errors: [new SubscriptionOverflowError(cursor ?? '0')] }
        queue.length = 0
        leave()
      } else queue.push({ result, cursor: resultCursor })
      wake?.()
      wakeDirect?.()
    },
    end(error) {
      if (error !== undefined && !done && !failure)
        failure = { errors: [error instanceof GraphQLError ? error : new GraphQLError('Subscription source failed', { originalError: error as Error })] }
      done = true
      wake?.()
      wakeDirect?.()
    },
    room: () => bufferSize - queue.length,
    moveTo(target, through) {
      execution.subscribers.delete(subscriber)
      execution = target
      skipThrough = BigInt(through)
      target.subscribers.add(subscriber)
    },
  }
  execution.subscribers.add(subscriber)
  return {
    subscriber,
    get done() {
      return done
    },
    shift() {
      const head = queue.shift()
      if (head) cursor = head.cursor ?? cursor
      return head?.result
    },
    shiftAll() {
      const taken = queue.splice(0, queue.length)
      if (taken.length) cursor = taken.findLast((entry) => entry.cursor !== undefined)?.cursor ?? cursor
      return taken.map((entry) => entry.result)
    },
    takeFailure() {
      const value = failure
      if (value) {
        failure = undefined
        done = true
      }
      return value
    },
    finish() {
      done = true
      leave()
    },
    leave,
    async wait() {
      await new Promise<void>((resolve) => (wake = resolve))
      wake = undefined
    },
    wakeReader: () => wake?.(),
    onWake(callback) {
      wakeDirect = callback
    },
  }
}
