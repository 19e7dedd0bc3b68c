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
 */
import type { Plugin } from '@envelop/core'
import pLimit from 'p-limit'
import { type DocumentNode, type ExecutionResult, GraphQLError, Kind, type OperationDefinitionNode } from 'graphql'
import { liveSubscribers, subscriptionExecutions, subscriptionOverflows } from '../../common/metrics.js'
import { SubscriptionOverflowError } from '../errors.js'
import { createOverflowGrace } from '../../journal/overflowGrace.js'

/** how often an idle resumed execution checks whether it can merge, ms */
const IDLE_MERGE_CHECK_MS = 250

export type SharedSubscriptionsOptions = {
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

/** What an execution's source says of itself (a journal subscription, journal.ts). */
export type EventStreamState = {
  /** decimal seq through which the source has consumed (or filtered out) every event; null while unknown */
  readonly cursor: string | null
  /** events it can hand out without waiting */
  readonly buffered: number
  /** true while a resumed source still replays history; a resumed execution merges or becomes shared after */
  readonly replaying: boolean
}

type Listener = {
  push(result: ExecutionResult, cursor: string | undefined): void
  end(error?: unknown): void
  room(): number
  /** moves to another execution; results with a cursor at or below `skipThrough` are then ignored */
  moveTo(group: Group, skipThrough: string): void
}
/**
 * One execution and its listeners; `key` null for an unshared one (not in the registry). `baseKey`: for a resumed
 * execution, the key of the shared execution it may merge into (or become).
 */
type Group = {
  key: string | null
  baseKey: string | null
  listeners: Set<Listener>
  cursor(): string | undefined
  /** the cursor of the last result handed to listeners (or the start point); never a result still in flight */
  handedOverCursor(): string | undefined
  stop(): void
  /** resumed executions waiting to merge into this one at its next hand-over */
  mergers: Set<Group>
  /**
   * The results after `after` (a cursor) this execution handed over, when it still holds all of them (its last
   * `recentResults`); undefined when `after` is before what it holds.
   */
  recentAfter(after: string): { result: ExecutionResult; cursor: string | undefined }[] | undefined
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

/**
 * Creates the plugin (add it LAST to the envelop plugin list: it wraps the subscribe function the others have set)
 * and its counters.
 * @returns `plugin`; `stats()` = live subscribers and running executions; `direct(key)` = a subscriber's
 *   drain-based view for the direct transports
 */
export function createSharedSubscriptions(options: SharedSubscriptionsOptions): SharedSubscriptions {
  const bufferSize = options.bufferSize ?? 1000
  const maxSubscriptions = options.maxSubscriptions ?? 20_000
  const grace = createOverflowGrace<Listener>(options.overflowGraceMs ?? 2_000)
  const holdMs = options.holdMs ?? 50
  const maxBatch = Math.max(1, Math.floor(bufferSize / 4))
  const catchUp = pLimit(options.maxCatchingUp ?? 50)
  const maxWaitingToCatchUp = options.maxWaitingToCatchUp ?? 1_000
  const recentLimit = options.recentResults ?? 2 * bufferSize
  const cursorOf = (contextValue: unknown) => options.streamOf(contextValue)?.cursor ?? undefined
  const isLive = (contextValue: unknown) => options.streamOf(contextValue)?.replaying === false
  const documentIds = new WeakMap<DocumentNode, number>()
  let nextDocumentId = 0
  const shared = new Map<string, Group>()
  const groups = new Set<Group>()
  const directs = new WeakMap<object, DirectSubscription>()
  let subscribers = 0

  /**
   * The sharing key of a subscription operation (null: not shareable), and whether it resumes from a cursor. A
   * resumed operation runs alone until it has caught up; its `key` is then the one of the same operation without
   * `after` (the `after` variable is left out of every key), so it can merge into that execution or become it.
   */
  const keyOf = (args: {
    document: DocumentNode
    operationName?: string | null
    variableValues?: Record<string, unknown> | null
  }): { key: string; resumes: boolean; after?: string } | null => {
    const variables = { ...(args.variableValues ?? {}) }
    const operation = args.document.definitions.find(
      (d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION && (!args.operationName || d.name?.value === args.operationName),
    )
    const root = operation?.selectionSet.selections[0]
    if (operation?.operation !== 'subscription' || root?.kind !== Kind.FIELD) return null
    const after = root.arguments?.find((arg) => arg.name.value === 'after')?.value
    let resumes = false
    let afterValue: string | undefined
    if (after?.kind === Kind.VARIABLE) {
      resumes = variables[after.name.value] != null
      if (resumes) afterValue = String(variables[after.name.value])
      delete variables[after.name.value]
    } else if (after && after.kind !== Kind.NULL) return null // a literal cursor in the document: runs alone
    let id = documentIds.get(args.document)
    if (id === undefined) documentIds.set(args.document, (id = nextDocumentId++))
    return { key: `${id}:${args.operationName ?? ''}:${JSON.stringify(variables)}`, resumes, after: afterValue }
  }

  /** One subscriber's view: a bounded queue over the group's results. */
  function listen(
    joined: Group,
    contextValue: unknown,
    resumed?: { after: string; recent: { result: ExecutionResult; cursor: string | undefined }[] },
  ): AsyncIterableIterator<ExecutionResult> {
    let group = joined
    let skipThrough: bigint | undefined
    const queue: { result: ExecutionResult; cursor: string | undefined }[] = resumed ? [...resumed.recent] : []
    // where a subscriber that receives nothing resumes: the point it joined at (or resumed from)
    let cursor = resumed ? resumed.after : group.cursor()
    let done = false
    let failure: ExecutionResult | undefined
    let wake: (() => void) | undefined
    let wakeDirect: (() => void) | undefined
    const leave = () => {
      queue.length = 0 // nothing queued outlives the subscriber (the group may keep running for others)
      if (!group.listeners.delete(listener)) return
      subscribers--
      liveSubscribers.dec()
      if (!group.listeners.size) group.stop()
    }
    const listener: Listener = {
      push(result, resultCursor) {
        if (done || failure) return // after an overflow nothing more is queued: the client resumes from the cursor
        if (skipThrough !== undefined && resultCursor !== undefined) {
          if (BigInt(resultCursor) <= skipThrough) return // already delivered by the execution it came from
          skipThrough = undefined
        }
        if (queue.length >= bufferSize) {
          subscriptionOverflows.inc()
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
        group.listeners.delete(listener)
        group = target
        skipThrough = BigInt(through)
        target.listeners.add(listener)
      },
    }
    group.listeners.add(listener)
    subscribers++
    liveSubscribers.inc()
    const iterator: AsyncIterableIterator<ExecutionResult> = {
      [Symbol.asyncIterator]: () => iterator,
      async next() {
        for (;;) {
          const head = queue.shift()
          if (head) {
            cursor = head.cursor ?? cursor
            return { done: false, value: head.result }
          }
          if (failure) {
            const value = failure
            failure = undefined
            done = true
            leave()
            return { done: false, value }
          }
          if (done) {
            leave() // the source ended: this subscriber no longer counts
            return { done: true, value: undefined }
          }
          await new Promise<void>((resolve) => (wake = resolve))
          wake = undefined
        }
      },
      async return() {
        done = true
        leave()
        wake?.()
        return { done: true, value: undefined }
      },
    }
    const direct: DirectSubscription = {
      drain() {
        const taken = queue.splice(0, queue.length)
        const results = taken.map((entry) => entry.result)
        if (taken.length) cursor = taken.findLast((entry) => entry.cursor !== undefined)?.cursor ?? cursor
        if (failure) {
          results.push(failure)
          failure = undefined
          done = true
        }
        if (done) leave()
        return { results, done }
      },
      onWake(callback) {
        wakeDirect = callback
      },
      close() {
        done = true
        leave()
      },
    }
    if (contextValue && typeof contextValue === 'object') {
      // keyed by the context and by the objects it carries, which survive a plugin copying the context
      const { request, wsOperation } = contextValue as { request?: unknown; wsOperation?: unknown }
      for (const key of [contextValue, request, wsOperation]) if (key && typeof key === 'object') directs.set(key, direct)
    }
    return iterator
  }

  /** Moves every listener of `merger` into `base` (skipping results up to `through`, which they have) and stops it. */
  function absorb(merger: Group, base: Group, through: string): void {
    base.mergers.delete(merger)
    for (const listener of [...merger.listeners]) listener.moveTo(base, through)
    merger.stop()
  }

  /**
   * Starts pumping `source` into a new group's listeners; registers it under `key` unless null. A resumed group
   * (`baseKey`) checks after each hand-over whether it has caught up: with no shared execution under `baseKey`
   * and its source no longer replaying, it becomes that execution; with one whose hand-over point it has reached,
   * its listeners move there (skipping what they already got) and it stops. So a wave of reconnecting clients
   * (a gateway restart, an overload) costs one replay each, not one execution each for as long as they stay.
   */
  function startGroup(
    key: string | null,
    source: AsyncIterableIterator<ExecutionResult>,
    contextValue: unknown,
    baseKey: string | null = null,
    caughtUp: () => void = () => {},
  ): Group {
    let stopped = false
    let handedOver = cursorOf(contextValue)
    // the last results handed over, and the cursor through which results may be missing from them
    const recent: { result: ExecutionResult; cursor: string | undefined }[] = []
    let recentFloor = handedOver
    const group: Group = {
      key,
      baseKey,
      mergers: new Set(),
      recentAfter(after) {
        if (recentLimit === 0 || recentFloor === undefined || !/^\d+$/.test(after) || BigInt(after) < BigInt(recentFloor)) return undefined
        const from = BigInt(after)
        return recent.filter((entry) => entry.cursor !== undefined && BigInt(entry.cursor) > from)
      },
      listeners: new Set(),
      // a joiner's position: right after the last result handed to listeners (results the pump still holds,
      // or is resolving, reach the joiner too), or the source's own position before any was handed over
      cursor: () => handedOver ?? cursorOf(contextValue),
      handedOverCursor: () => handedOver,
      stop: () => {
        if (group.baseKey !== null) shared.get(group.baseKey)?.mergers.delete(group)
        stopped = true
        retire()
        void source.return?.()
      },
    }
    /** Out of the registry and the counts, its catching-up slot freed; idempotent. */
    const retire = () => {
      caughtUp()
      if (groups.delete(group)) subscriptionExecutions.dec()
      if (group.key !== null && shared.get(group.key) === group) shared.delete(group.key)
    }
    if (key !== null) shared.set(key, group)
    groups.add(group)
    subscriptionExecutions.inc()
    let batch: { result: ExecutionResult; cursor: string | undefined }[] = []
    let batchStarted = 0
    void (async () => {
      try {
        // Results are handed over in batches: while the source still holds events (each result waits for its
        // fields to resolve, one at a time), they are collected for up to `holdMs`, so a subscriber is woken once
        // per batch instead of once per event (bench:subscribers N = 10,000: one socket write per event per
        // subscriber kept the gateway in `writev`).
        const handOver = async () => {
          const results = batch
          batch = []
          await grace.waitForRoom(
            group.listeners,
            (l) => l.room(),
            results.length,
            () => stopped,
          )
          // a live resumed execution close behind joins before these results. In lockstep with this one it stays a
          // hand-over behind (its own check, after each of its hand-overs, always finds this one further on), so
          // its subscribers first get what this execution handed over after them, from its recent results
          const at = group.cursor()
          for (const merger of [...group.mergers]) {
            const through = merger.handedOverCursor()
            if (at === undefined || through === undefined) continue
            if (BigInt(through) >= BigInt(at)) absorb(merger, group, through)
            else {
              const missing = group.recentAfter(through)
              // gone from the recent results, or more than its subscribers have room for: it goes on alone
              if (!missing || [...merger.listeners].some((l) => l.room() < missing.length + results.length)) continue
              for (const listener of [...merger.listeners]) for (const { result, cursor } of missing) listener.push(result, cursor)
              absorb(merger, group, at)
            }
          }
          for (const listener of [...group.listeners]) for (const { result, cursor } of results) listener.push(result, cursor)
          handedOver = results.findLast((r) => r.cursor !== undefined)?.cursor ?? handedOver
          for (const entry of results) {
            if (entry.cursor === undefined) recentFloor = undefined // cannot tell what a resume would miss
            recent.push(entry)
          }
          if (recent.length > recentLimit) recentFloor = recent.splice(0, recent.length - recentLimit).at(-1)?.cursor ?? recentFloor
          mergeIfCaughtUp()
        }
        /** A resumed execution that has caught up merges into the shared one, or becomes it (see above). */
        const mergeIfCaughtUp = () => {
          if (stopped || group.baseKey === null || group.key !== null) return
          const base = shared.get(group.baseKey)
          if (!base) {
            if (isLive(contextValue)) {
              group.key = group.baseKey
              shared.set(group.key!, group)
              caughtUp()
            }
            return
          }
          const through = handedOver
          const baseAt = base.cursor()
          if (through !== undefined && baseAt !== undefined && BigInt(through) >= BigInt(baseAt)) absorb(group, base, through)
          else if (isLive(contextValue)) {
            base.mergers.add(group) // live and close behind: joins at the base's next hand-over
            caughtUp() // no replay left: its catching-up slot can go to the next in line
          }
        }
        let pending: Promise<IteratorResult<ExecutionResult>> | undefined
        let holdTimer: ReturnType<typeof setTimeout> | undefined
        for (;;) {
          pending ??= source.next()
          let next: IteratorResult<ExecutionResult> | undefined
          if (batch.length) {
            // a held batch goes out after `holdMs` even if the source's next result is slow to come (its buffered
            // events may all be filtered out, and the next match be far away)
            const wait = holdMs - (performance.now() - batchStarted)
            next =
              wait <= 0
                ? undefined
                : await Promise.race([pending, new Promise<undefined>((resolve) => (holdTimer = setTimeout(() => resolve(undefined), wait)))])
            clearTimeout(holdTimer)
            if (next === undefined) {
              await handOver()
              if (stopped) break
              continue
            }
          } else if (group.baseKey !== null && group.key === null) {
            // a resumed execution with nothing to hand over: its replay may have ended with no result, so check
            // now and then whether it can merge (or become shared) instead of waiting for the next event
            let idleTimer: ReturnType<typeof setTimeout> | undefined
            next = await Promise.race([pending, new Promise<undefined>((resolve) => (idleTimer = setTimeout(() => resolve(undefined), IDLE_MERGE_CHECK_MS)))])
            clearTimeout(idleTimer)
            if (next === undefined) {
              mergeIfCaughtUp()
              continue
            }
          } else next = await pending
          pending = undefined
          if (next.done || stopped) break
          if (!batch.length) batchStarted = performance.now()
          batch.push({ result: next.value, cursor: cursorOf(contextValue) })
          const more = (options.streamOf(contextValue)?.buffered ?? 0) > 0
          if (!more || batch.length >= maxBatch) await handOver()
        }
        if (batch.length && !stopped) await handOver()
        for (const listener of [...group.listeners]) listener.end()
      } catch (error) {
        for (const listener of [...group.listeners]) {
          for (const { result, cursor } of batch) listener.push(result, cursor) // what was resolved before the failure
          listener.end(error)
        }
      } finally {
        retire()
      }
    })()
    return group
  }

  const plugin: Plugin = {
    onSubscribe({ args, subscribeFn, setSubscribeFn }) {
      if (subscribers >= maxSubscriptions) {
        setSubscribeFn(() => ({
          errors: [
            new GraphQLError('Too many live subscriptions on this gateway; retry later or on another replica', { extensions: { code: 'SUBSCRIPTION_LIMIT' } }),
          ],
        }))
        return
      }
      const keyed = keyOf(args as never)
      const key = keyed && !keyed.resumes ? keyed.key : null
      const baseKey = keyed?.resumes ? keyed.key : null
      setSubscribeFn(async (a) => {
        const existing = key === null ? undefined : shared.get(key)
        if (existing) return listen(existing, a.contextValue)
        // a resume the shared execution can serve from its recent results needs no execution of its own
        const base = baseKey === null ? undefined : shared.get(baseKey)
        const recent = base && keyed?.after !== undefined ? base.recentAfter(keyed.after) : undefined
        if (base && recent) return listen(base, a.contextValue, { after: keyed!.after!, recent })
        // a resumed subscription waits for a catching-up slot, held until it merges, becomes shared or ends
        let caughtUp = () => {}
        if (baseKey !== null && catchUp.pendingCount >= maxWaitingToCatchUp) {
          return {
            errors: [
              new GraphQLError('Too many subscriptions waiting to replay from a cursor on this gateway; retry later or on another replica', {
                extensions: { code: 'REPLAY_LIMIT', scope: 'process' },
              }),
            ],
          }
        }
        if (baseKey !== null) {
          const held = new Promise<void>((resolve) => (caughtUp = resolve))
          await new Promise<void>((acquired) => void catchUp(() => (acquired(), held)))
        }
        let result: Awaited<ReturnType<typeof subscribeFn>>
        try {
          result = await subscribeFn(a)
        } catch (error) {
          caughtUp()
          throw error
        }
        if (!(Symbol.asyncIterator in (result as object))) {
          caughtUp()
          return result // an error result: nothing to share
        }
        const source = result as AsyncIterableIterator<ExecutionResult>
        const raced = key === null ? undefined : shared.get(key) // created by another subscriber while we awaited
        if (raced) {
          void source.return?.()
          return listen(raced, a.contextValue)
        }
        // listen before the pump's first step, so the first result is not missed
        const group = startGroup(key, source, a.contextValue, baseKey, caughtUp)
        return listen(group, a.contextValue)
      })
    },
  }

  return { plugin, stats: () => ({ subscribers, executions: groups.size }), direct: (key) => directs.get(key) }
}
