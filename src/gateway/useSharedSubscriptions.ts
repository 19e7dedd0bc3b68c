/**
 * Shared subscription execution (an envelop plugin). Explorers open thousands of identical live subscriptions —
 * same document, same variables. Executing GraphQL once per subscriber per event made the gateway spend ~230 µs
 * of CPU per delivery (bench:subscribers, N = 1,000: graphql-tools' per-event execution, variable coercion,
 * allocation). Here every identical subscription without a resume cursor shares ONE execution: its results are
 * handed to each subscriber's own bounded queue.
 *
 * - Key: the parsed document object (yoga caches parses by source text) + the JSON of the variables. Operations
 *   with `after` are never shared (each replays its own past).
 * - A subscriber attaches at the shared stream's current point: it may see events committed an instant before it
 *   subscribed, never fewer than a fresh subscription would.
 * - Each subscriber's queue holds at most `bufferSize` results; the shared execution waits up to `overflowGraceMs`
 *   for a full queue to drain, then a subscriber still full (it fell behind) is ended with a
 *   `SUBSCRIPTION_OVERFLOW` error carrying the cursor of the last event it received (see `lastSeqOf`).
 * - The shared execution ends when its last subscriber leaves.
 * - `maxSubscriptions` counts every subscriber (shared or not); one more gets `SUBSCRIPTION_LIMIT`.
 *
 * Sharing is sound because no subscription resolver reads per-request state (no auth, no per-user fields).
 */
import type { Plugin } from '@envelop/core'
import { type DocumentNode, type ExecutionResult, GraphQLError, Kind, type OperationDefinitionNode } from 'graphql'
import { subscriptionOverflows } from '../common/metrics.js'
import { SubscriptionOverflowError } from './errors.js'

export type SharedSubscriptionsOptions = {
  /** results a subscriber may have queued before it is ended with SUBSCRIPTION_OVERFLOW (default 1000) */
  bufferSize?: number
  /** how long a full subscriber queue may hold the shared execution back before it overflows, ms (default 2000) */
  overflowGraceMs?: number
  /** subscribers this process serves at most (default 20,000) */
  maxSubscriptions?: number
  /** the journal cursor of the event behind the latest result of a shared execution (read right after it) */
  lastSeqOf: (contextValue: unknown) => string | undefined
  /** the cursor given to a subscriber that overflowed before receiving anything */
  startCursor: () => string | null
}

type Listener = { push(result: ExecutionResult, seq: string | undefined): void; end(error?: unknown): void; room(): number }
type Shared = { listeners: Set<Listener>; stop(): void }

export type SharedSubscriptions = {
  plugin: Plugin
  /** live subscribers (shared or not) and distinct executions */
  stats(): { subscribers: number; executions: number }
}

export function createSharedSubscriptions(options: SharedSubscriptionsOptions): SharedSubscriptions {
  const bufferSize = options.bufferSize ?? 1000
  const maxSubscriptions = options.maxSubscriptions ?? 20_000
  const overflowGraceMs = options.overflowGraceMs ?? 2_000
  const documentIds = new WeakMap<DocumentNode, number>()
  let nextDocumentId = 0
  const shared = new Map<string, Shared>()
  const fullSince = new WeakMap<Listener, number>()
  let subscribers = 0

  const keyOf = (args: { document: DocumentNode; operationName?: string | null; variableValues?: Record<string, unknown> | null }): string | null => {
    const variables = args.variableValues ?? {}
    const operation = args.document.definitions.find(
      (d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION && (!args.operationName || d.name?.value === args.operationName),
    )
    const root = operation?.selectionSet.selections[0]
    if (!operation || operation.operation !== 'subscription' || root?.kind !== Kind.FIELD) return null
    // a resume cursor replays this subscriber's own past: never shared
    const after = root.arguments?.find((arg) => arg.name.value === 'after')?.value
    if (after && after.kind !== Kind.NULL && (after.kind !== Kind.VARIABLE || variables[after.name.value] != null)) return null
    let id = documentIds.get(args.document)
    if (id === undefined) documentIds.set(args.document, (id = nextDocumentId++))
    return `${id}:${args.operationName ?? ''}:${JSON.stringify(variables)}`
  }

  /** One subscriber's view: a bounded queue over the shared results. */
  function listen(group: Shared, key: string): AsyncIterableIterator<ExecutionResult> {
    const queue: ExecutionResult[] = []
    let lastSeq: string | undefined
    let done = false
    let failure: ExecutionResult | undefined
    let wake: (() => void) | undefined
    const leave = () => {
      if (!group.listeners.delete(listener)) return
      subscribers--
      if (!group.listeners.size) {
        shared.delete(key)
        group.stop()
      }
    }
    const listener: Listener = {
      push(result, seq) {
        if (done) return
        if (queue.length >= bufferSize) {
          subscriptionOverflows.inc()
          failure = { errors: [new SubscriptionOverflowError(lastSeq ?? options.startCursor() ?? '0')] }
          queue.length = 0
          leave()
        } else {
          queue.push(result)
          lastSeqs.set(result, seq)
        }
        wake?.()
      },
      end(error) {
        if (error !== undefined && !done) failure = { errors: [error instanceof GraphQLError ? error : new GraphQLError('Subscription source failed', { originalError: error as Error })] }
        done = true
        wake?.()
      },
      room: () => bufferSize - queue.length,
    }
    const lastSeqs = new WeakMap<ExecutionResult, string | undefined>()
    group.listeners.add(listener)
    subscribers++
    const iterator: AsyncIterableIterator<ExecutionResult> = {
      [Symbol.asyncIterator]: () => iterator,
      async next() {
        for (;;) {
          if (queue.length) {
            const value = queue.shift()!
            lastSeq = lastSeqs.get(value) ?? lastSeq
            return { done: false, value }
          }
          if (failure) {
            const value = failure
            failure = undefined
            done = true
            leave()
            return { done: false, value }
          }
          if (done) return { done: true, value: undefined }
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
    return iterator
  }

  const plugin: Plugin = {
    onSubscribe({ args, subscribeFn, setSubscribeFn }) {
      if (subscribers >= maxSubscriptions) {
        setSubscribeFn(() => ({ errors: [new GraphQLError('Too many live subscriptions on this gateway; retry later or on another replica', { extensions: { code: 'SUBSCRIPTION_LIMIT' } })] }))
        return
      }
      const key = keyOf(args as never)
      if (key === null) {
        // not shared, still counted
        setSubscribeFn(async (a) => {
          const result = await subscribeFn(a)
          if (!(Symbol.asyncIterator in (result as object))) return result
          const inner = result as AsyncIterableIterator<ExecutionResult>
          subscribers++
          let counted = true
          const release = () => {
            if (counted) subscribers--
            counted = false
          }
          return {
            [Symbol.asyncIterator]() { return this },
            next: async () => {
              const r = await inner.next().catch((e) => { release(); throw e })
              if (r.done) release()
              return r
            },
            return: async () => {
              release()
              return (await inner.return?.()) ?? { done: true, value: undefined }
            },
          } as AsyncIterableIterator<ExecutionResult>
        })
        return
      }
      setSubscribeFn(async (a) => {
        const existing = shared.get(key)
        if (existing) return listen(existing, key)
        const result = await subscribeFn(a)
        if (!(Symbol.asyncIterator in (result as object))) return result // an error result: not shared
        const raced = shared.get(key) // another subscriber created it while we awaited
        const source = result as AsyncIterableIterator<ExecutionResult>
        if (raced) {
          void source.return?.()
          return listen(raced, key)
        }
        let stopped = false
        const group: Shared = {
          listeners: new Set(),
          stop: () => {
            stopped = true
            void source.return?.()
          },
        }
        shared.set(key, group)
        const iterator = listen(group, key)
        void (async () => {
          try {
            for (;;) {
              const next = await source.next()
              if (next.done || stopped) break
              const seq = options.lastSeqOf(a.contextValue)
              // give each full queue ONE grace period to drain (a burst must not overflow subscribers that keep up);
              // a queue full for longer than that overflows on this push instead of stalling everyone again
              for (;;) {
                const now = Date.now()
                let waiting = false
                for (const l of group.listeners) {
                  if (l.room() >= 1) fullSince.delete(l)
                  else {
                    const since = fullSince.get(l) ?? now
                    fullSince.set(l, since)
                    if (now - since < overflowGraceMs) waiting = true
                  }
                }
                if (!waiting || stopped) break
                await new Promise((r) => setTimeout(r, 10))
              }
              for (const listener of [...group.listeners]) listener.push(next.value, seq)
            }
            for (const listener of [...group.listeners]) listener.end()
          } catch (error) {
            for (const listener of [...group.listeners]) listener.end(error)
          } finally {
            if (shared.get(key) === group) shared.delete(key)
          }
        })()
        return iterator
      })
    },
  }

  return { plugin, stats: () => ({ subscribers, executions: shared.size }) }
}
