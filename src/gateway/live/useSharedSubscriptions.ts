/**
 * Shared subscription execution (an envelop plugin). Explorers open thousands of identical live subscriptions —
 * same document, same variables. Executing GraphQL once per subscriber per event made the gateway spend ~230 µs
 * of CPU per delivery (bench:subscribers, N = 1,000: graphql-tools' per-event execution, variable coercion,
 * allocation). Here every identical subscription without a resume cursor shares ONE execution: its results are
 * handed to each subscriber's own bounded queue.
 *
 * - Key: the parsed document object (yoga caches parses by source text) + the JSON of the variables, without the
 *   `after` variable. An operation resuming `after` a cursor replays its own past alone (a group of one, same
 *   queue), then, once caught up, merges into the shared execution (its subscriber skips what it already got) or,
 *   if there is none, becomes it: reconnect waves (gateway restarts, overloads) end up shared again. One that is
 *   live but kept a hand-over behind (a steady stream, the shared execution always a step ahead) joins at the shared
 *   execution's next hand-over, its subscribers first given what they lack from its recent results. At most
 *   `maxCatchingUp` resumed executions replay at once (a slot is held until the execution merges, becomes
 *   shared or ends); the others wait in line, at most `maxWaitingToCatchUp` of them (one more gets REPLAY_LIMIT).
 * - A subscriber attaches at the shared stream's current point: it may see events committed an instant before it
 *   subscribed, never fewer than a fresh subscription would.
 * - Each subscriber's queue holds at most `bufferSize` results; the shared execution waits up to `overflowGraceMs`
 *   for a full queue to drain, then a subscriber still full (it fell behind) is ended with a
 *   `SUBSCRIPTION_OVERFLOW` error carrying its resume cursor: the execution's journal cursor (`streamOf`) right
 *   after the last result it received, or, if it received none, right after the last result the execution had
 *   handed to subscribers when it joined (it gets every later one) — so resuming leaves no gap and no duplicate.
 * - While the source still holds events, results are collected for up to `holdMs` and handed over together.
 * - The shared execution ends when its last subscriber leaves.
 * - `maxSubscriptions` counts every subscriber (shared or not); one more gets `SUBSCRIPTION_LIMIT`.
 *
 * Sharing is sound because no subscription resolver reads per-request state (no auth, no per-user fields).
 *
 * The parts: subscriptionKey.ts (the key), catchUpLine.ts (the line of resumed executions), sharedExecution.ts
 * (an execution: pumpExecution.ts, handOverResults.ts, mergeIfCaughtUp.ts, recentResults.ts, executionRegistry.ts),
 * serveSubscription.ts (join or start an execution),
 * subscriberQueue.ts (a subscriber's bounded queue, read through toSubscriberIterator.ts or toDirectSubscription.ts).
 */
import type { Plugin } from '@envelop/core'
import type { ExecutionResult } from 'graphql'
import type { Metrics } from '../../common/metrics.js'
import { createOverflowGrace } from '../../journal/overflowGrace.js'
import { createCatchUpLine } from './catchUpLine.js'
import { createExecutionRegistry } from './executionRegistry.js'
import type { CursoredResult } from './recentResults.js'
import { type ExecutionSubscriber, type SharedExecution, startSharedExecution } from './sharedExecution.js'
import { limitError, SUBSCRIPTION_LIMIT, type SubscribeResult, serveSubscription } from './serveSubscription.js'
import { createSubscriberQueue } from './subscriberQueue.js'
import { createSubscriptionKeys } from './subscriptionKey.js'
import { type DirectSubscription, toDirectSubscription } from './toDirectSubscription.js'
import { toSubscriberIterator } from './toSubscriberIterator.js'

export type { DirectSubscription } from './toDirectSubscription.js'

export type SharedSubscriptionsOptions = {
  /** `liveSubscribers`, `subscriptionExecutions` and `subscriptionOverflows` follow the subscribers and executions */
  metrics: Pick<Metrics, 'liveSubscribers' | 'subscriptionExecutions' | 'subscriptionOverflows'>
  /** results a subscriber may have queued before it is ended with SUBSCRIPTION_OVERFLOW (default 1000) */
  bufferSize?: number
  /** how long a full subscriber queue may hold the shared execution back before it overflows, ms (default 2000) */
  overflowGraceMs?: number
  /** subscribers this process serves at most (default 20,000) */
  maxSubscriptions?: number
  /** how long results may be collected while the source still holds events, before subscribers see them, ms (default 50) */
  holdMs?: number
  /**
   * The event stream feeding an execution, read with the execution's context value; undefined when unknown (its
   * results then carry no cursor, are not batched, and a resumed execution never merges).
   */
  streamOf: (contextValue: unknown) => EventStreamState | undefined
  /**
   * Resumed executions replaying at once (default 50); further resumed subscriptions wait in line (their events
   * wait in the table), so a reconnect wave is worked through instead of replayed all at once.
   */
  maxCatchingUp?: number
  /**
   * Resumed subscriptions that may wait in that line (default 1,000); one more is refused with REPLAY_LIMIT
   * (retry later or on another replica) instead of the line growing without bound.
   */
  maxWaitingToCatchUp?: number
  /**
   * Results a shared execution keeps after handing them over (default: 2 × bufferSize). A subscription resuming
   * `after` a cursor they cover joins at once, its queue filled from them: no execution, no replay; a live resumed
   * execution a hand-over behind joins through them. 0 disables both.
   */
  recentResults?: number
}

/** What an execution's source says of itself (a journal subscription, journal/journalSubscription.ts). */
export type EventStreamState = {
  /** decimal seq through which the source has consumed (or filtered out) every event; null while unknown */
  readonly cursor: string | null
  /** events it can hand out without waiting */
  readonly buffered: number
  /** true while a resumed source still replays history; a resumed execution merges or becomes shared after */
  readonly replaying: boolean
}

export type SharedSubscriptions = {
  plugin: Plugin
  /** live subscribers (shared or not) and distinct executions */
  stats(): { subscribers: number; executions: number }
  /**
   * The direct view of the subscription started with this context value (or its `request` / `wsOperation`), for a
   * transport that writes pre-serialized frames itself (see directTransports.ts); undefined when there is none.
   */
  direct(key: object): DirectSubscription | undefined
}

/**
 * Creates the plugin (add it LAST to the envelop plugin list: it wraps the subscribe function the others have set)
 * and its counters.
 * @returns `plugin`; `stats()` = live subscribers and running executions; `direct(key)` = a subscriber's
 *   drain-based view for the direct transports
 */
export function createSharedSubscriptions(options: SharedSubscriptionsOptions): SharedSubscriptions {
  const { metrics } = options
  const bufferSize = options.bufferSize ?? 1000
  const maxSubscriptions = options.maxSubscriptions ?? 20_000
  const grace = createOverflowGrace<ExecutionSubscriber>(options.overflowGraceMs ?? 2_000)
  const line = createCatchUpLine({ maxCatchingUp: options.maxCatchingUp ?? 50, maxWaiting: options.maxWaitingToCatchUp ?? 1_000 })
  const registry = createExecutionRegistry({ metrics })
  const keyOf = createSubscriptionKeys()
  const directs = new WeakMap<object, DirectSubscription>()
  let subscribers = 0

  /** One subscriber's view: a bounded queue over the execution's results. */
  function listen(execution: SharedExecution, contextValue: unknown, resumed?: { after: string; recent: CursoredResult[] }) {
    const queue = createSubscriberQueue({
      execution,
      bufferSize,
      cursor: resumed ? resumed.after : execution.cursor(),
      queued: resumed?.recent,
      metrics,
      onLeave: () => (subscribers--, metrics.liveSubscribers.dec()),
    })
    subscribers++
    metrics.liveSubscribers.inc()
    registerDirect(directs, contextValue, toDirectSubscription(queue))
    return toSubscriberIterator(queue)
  }

  const start = (key: string | null, source: AsyncIterableIterator<ExecutionResult>, contextValue: unknown, baseKey: string | null, caughtUp: () => void) =>
    startSharedExecution({
      key,
      baseKey,
      source,
      stream: () => options.streamOf(contextValue) ?? undefined,
      releaseCatchUpSlot: caughtUp,
      registry,
      grace,
      recentResults: options.recentResults ?? 2 * bufferSize,
      holdMs: options.holdMs ?? 50,
      maxBatch: Math.max(1, Math.floor(bufferSize / 4)),
      metrics,
    })

  const plugin: Plugin = {
    onSubscribe({ args, subscribeFn, setSubscribeFn }) {
      if (subscribers >= maxSubscriptions) {
        setSubscribeFn(() => limitError(SUBSCRIPTION_LIMIT, 'SUBSCRIPTION_LIMIT'))
        return
      }
      const keyed = keyOf(args as never)
      const serving = { registry, line, listen, start }
      setSubscribeFn((a) => serveSubscription(serving, keyed, a.contextValue, () => subscribeFn(a) as Promise<SubscribeResult> | SubscribeResult))
    },
  }
  return { plugin, stats: () => ({ subscribers, executions: registry.size }), direct: (key) => directs.get(key) }
}

/** Keyed by the context and by the objects it carries, which survive a plugin copying the context. */
function registerDirect(directs: WeakMap<object, DirectSubscription>, contextValue: unknown, direct: DirectSubscription): void {
  if (!contextValue || typeof contextValue !== 'object') return
  const { request, wsOperation } = contextValue as { request?: unknown; wsOperation?: unknown }
  for (const key of [contextValue, request, wsOperation]) if (key && typeof key === 'object') directs.set(key, direct)
}
