/**
 * One GraphQL execution of a live subscription and its subscribers (useSharedSubscriptions.ts): a shared one
 * (registered under its sharing key) or a resumed one (replaying alone until it merges into the shared one or
 * becomes it). Created and pumped by `startSharedExecution`.
 */
import type { ExecutionResult } from 'graphql'
import type { Metrics } from '../../common/metrics.js'
import type { OverflowGrace } from '../../journal/overflowGrace.js'
import type { ExecutionRegistry } from './executionRegistry.js'
import { handOverResults } from './handOverResults.js'
import { mergeIfCaughtUp } from './mergeIfCaughtUp.js'
import { pumpExecution } from './pumpExecution.js'
import { type CursoredResult, createRecentResults } from './recentResults.js'

/** What an execution sees of one subscriber (its bounded queue, subscriberQueue.ts). */
export type ExecutionSubscriber = {
  push(result: ExecutionResult, cursor: string | undefined): void
  end(error?: unknown): void
  room(): number
  /** moves to another execution; results with a cursor at or below `skipThrough` are then ignored */
  moveTo(execution: SharedExecution, skipThrough: string): void
}

/**
 * One execution and its subscribers; `key` null for an unshared one (not in the registry). `baseKey`: for a resumed
 * execution, the key of the shared execution it may merge into (or become).
 */
export type SharedExecution = {
  key: string | null
  baseKey: string | null
  subscribers: Set<ExecutionSubscriber>
  /** resumed executions waiting to merge into this one at its next hand-over */
  mergers: Set<SharedExecution>
  /**
   * A joiner's position: right after the last result handed to subscribers (results the pump still holds, or is
   * resolving, reach the joiner too), or the source's own position before any was handed over.
   */
  cursor(): string | undefined
  /** the cursor of the last result handed to subscribers (or the start point); never a result still in flight */
  handedOverCursor(): string | undefined
  /**
   * The results after `after` (a cursor) this execution handed over, when it still holds all of them (its last
   * `recentResults`); undefined when `after` is before what it holds.
   */
  recentAfter(after: string): CursoredResult[] | undefined
  /** records `results` as handed to subscribers */
  recordHandOver(results: CursoredResult[]): void
  readonly stopped: boolean
  /** stops the execution (its source is returned) and retires it */
  stop(): void
  /** out of the registry and the counts, its catching-up slot freed; idempotent */
  retire(): void
  /** frees its catching-up slot (a resumed execution that caught up); idempotent */
  releaseCatchUpSlot(): void
}

export type StartSharedExecutionParameters = {
  /** the sharing key (null: unshared) */
  key: string | null
  /** a resumed execution's sharing key without `after` (null: not resumed) */
  baseKey: string | null
  source: AsyncIterableIterator<ExecutionResult>
  /** what the execution's event stream says of itself (undefined when unknown) */
  stream: () => { cursor: string | null; buffered: number; replaying: boolean } | undefined
  /** frees the execution's catching-up slot; idempotent */
  releaseCatchUpSlot: () => void
  registry: ExecutionRegistry
  grace: OverflowGrace<ExecutionSubscriber>
  /** results kept after a hand-over (recentResults.ts) */
  recentResults: number
  /** how long results may be collected while the source still holds events, ms */
  holdMs: number
  /** results handed over together at most */
  maxBatch: number
  metrics: Pick<Metrics, 'subscriptionExecutions'>
}

/**
 * Registers a new execution and starts pumping `source` into its subscribers (pumpExecution.ts). Attach the first
 * subscriber right after (before the pump's first step), so the first result is not missed.
 */
export function startSharedExecution(params: StartSharedExecutionParameters): SharedExecution {
  const cursorOf = () => params.stream()?.cursor ?? undefined
  const execution = createSharedExecution(params, cursorOf)
  const merge = () => mergeIfCaughtUp(execution, params.registry, () => params.stream()?.replaying === false)
  void pumpExecution({
    execution,
    source: params.source,
    cursor: cursorOf,
    buffered: () => params.stream()?.buffered ?? 0,
    holdMs: params.holdMs,
    maxBatch: params.maxBatch,
    async handOver(results) {
      await handOverResults(execution, results, params.grace)
      merge()
    },
    mergeIfCaughtUp: merge,
  })
  return execution
}

function createSharedExecution(params: StartSharedExecutionParameters, cursorOf: () => string | undefined): SharedExecution {
  const { registry, source } = params
  let stopped = false
  let handedOver = cursorOf()
  const recent = createRecentResults(params.recentResults, handedOver)
  const execution: SharedExecution = {
    key: params.key,
    baseKey: params.baseKey,
    subscribers: new Set(),
    mergers: new Set(),
    cursor: () => handedOver ?? cursorOf(),
    handedOverCursor: () => handedOver,
    recentAfter: (after) => recent.after(after),
    recordHandOver(results) {
      handedOver = results.findLast((r) => r.cursor !== undefined)?.cursor ?? handedOver
      recent.add(results)
    },
    get stopped() {
      return stopped
    },
    stop() {
      if (execution.baseKey !== null) registry.shared(execution.baseKey)?.mergers.delete(execution)
      stopped = true
      execution.retire()
      void source.return?.()
    },
    retire() {
      params.releaseCatchUpSlot()
      registry.retire(execution)
    },
    releaseCatchUpSlot: params.releaseCatchUpSlot,
  }
  registry.add(execution)
  return execution
}
