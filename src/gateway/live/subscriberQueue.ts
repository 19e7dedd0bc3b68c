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

/** The queue's state, shared by its execution-facing side and its reader-facing side. */
type QueueState = {
  execution: SharedExecution
  /** results with a cursor at or below this are skipped (already delivered by the execution it came from) */
  skipThrough: bigint | undefined
  queue: CursoredResult[]
  /** where it resumes: after the last result taken, or where it joined */
  cursor: string | undefined
  done: boolean
  failure: ExecutionResult | undefined
  wake: (() => void) | undefined
  wakeDirect: (() => void) | undefined
}

/** Creates the queue and attaches it to `params.execution`. */
export function createSubscriberQueue(params: CreateSubscriberQueueParameters): SubscriberQueue {
  const state: QueueState = {
    execution: params.execution,
    skipThrough: undefined,
    queue: params.queued ? [...params.queued] : [],
    cursor: params.cursor,
    done: false,
    failure: undefined,
    wake: undefined,
    wakeDirect: undefined,
  }
  const leave = () => {
    state.queue.length = 0 // nothing queued outlives the subscriber (the execution may keep running for others)
    if (!state.execution.subscribers.delete(subscriber)) return
    params.onLeave()
    if (!state.execution.subscribers.size) state.execution.stop()
  }
  const subscriber = toExecutionSubscriber(state, params, leave)
  state.execution.subscribers.add(subscriber)
  return {
    subscriber,
    get done() {
      return state.done
    },
    shift() {
      const head = state.queue.shift()
      if (head) state.cursor = head.cursor ?? state.cursor
      return head?.result
    },
    shiftAll() {
      const taken = state.queue.splice(0, state.queue.length)
      if (taken.length) state.cursor = taken.findLast((entry) => entry.cursor !== undefined)?.cursor ?? state.cursor
      return taken.map((entry) => entry.result)
    },
    takeFailure() {
      const value = state.failure
      if (value) {
        state.failure = undefined
        state.done = true
      }
      return value
    },
    finish() {
      state.done = true
      leave()
    },
    leave,
    async wait() {
      await new Promise<void>((resolve) => (state.wake = resolve))
      state.wake = undefined
    },
    wakeReader: () => state.wake?.(),
    onWake(callback) {
      state.wakeDirect = callback
    },
  }
}

/** The side the execution pushes to: queues or overflows, ends, reports room, moves to another execution. */
function toExecutionSubscriber(state: QueueState, params: CreateSubscriberQueueParameters, leave: () => void): ExecutionSubscriber {
  const wake = () => {
    state.wake?.()
    state.wakeDirect?.()
  }
  const subscriber: ExecutionSubscriber = {
    push(result, resultCursor) {
      if (state.done || state.failure) return // after an overflow nothing more is queued: the client resumes from the cursor
      if (state.skipThrough !== undefined && resultCursor !== undefined) {
        if (BigInt(resultCursor) <= state.skipThrough) return // already delivered by the execution it came from
        state.skipThrough = undefined
      }
      if (state.queue.length >= params.bufferSize) {
        params.metrics.subscriptionOverflows.inc()
        state.failure = { errors: [new SubscriptionOverflowError(state.cursor ?? '0')] }
        state.queue.length = 0
        leave()
      } else state.queue.push({ result, cursor: resultCursor })
      wake()
    },
    end(error) {
      if (error !== undefined && !state.done && !state.failure)
        state.failure = { errors: [error instanceof GraphQLError ? error : new GraphQLError('Subscription source failed', { originalError: error as Error })] }
      state.done = true
      wake()
    },
    room: () => params.bufferSize - state.queue.length,
    moveTo(target, through) {
      state.execution.subscribers.delete(subscriber)
      state.execution = target
      state.skipThrough = BigInt(through)
      target.subscribers.add(subscriber)
    },
  }
  return subscriber
}
