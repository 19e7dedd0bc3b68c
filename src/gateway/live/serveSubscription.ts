/**
 * Serves one live subscription for the shared-subscriptions plugin (useSharedSubscriptions.ts): joins a shared
 * execution, or runs the operation and starts one.
 */
import { type ExecutionResult, GraphQLError } from 'graphql'
import type { CatchUpLine } from './catchUpLine.js'
import type { ExecutionRegistry } from './executionRegistry.js'
import type { CursoredResult } from './recentResults.js'
import type { SharedExecution } from './sharedExecution.js'
import type { SubscriptionKey } from './subscriptionKey.js'

/** What the wrapped subscribe function answers: a result stream, or an error result. */
export type SubscribeResult = AsyncIterableIterator<ExecutionResult> | ExecutionResult

export const SUBSCRIPTION_LIMIT = 'Too many live subscriptions on this gateway; retry later or on another replica'
const REPLAY_LIMIT = 'Too many subscriptions waiting to replay from a cursor on this gateway; retry later or on another replica'

/** What `serveSubscription` works with: the executions, the catch-up line, and how to join or start an execution. */
export type Serving = {
  registry: ExecutionRegistry
  line: CatchUpLine
  listen(execution: SharedExecution, contextValue: unknown, resumed?: { after: string; recent: CursoredResult[] }): AsyncIterableIterator<ExecutionResult>
  start(
    key: string | null,
    source: AsyncIterableIterator<ExecutionResult>,
    contextValue: unknown,
    baseKey: string | null,
    caughtUp: () => void,
  ): SharedExecution
}

/**
 * Serves one subscription: joins the shared execution under its key, or a resume the shared execution can serve
 * from its recent results; otherwise runs `execute` and starts an execution (a resumed one first waits for a
 * catching-up slot, held until it merges, becomes shared or ends; a full line answers REPLAY_LIMIT).
 * @throws what `execute` throws
 */
export async function serveSubscription(
  serving: Serving,
  keyed: SubscriptionKey | null,
  contextValue: unknown,
  execute: () => Promise<SubscribeResult> | SubscribeResult,
) {
  const { registry, line, listen } = serving
  const key = keyed && !keyed.resumes ? keyed.key : null
  const baseKey = keyed?.resumes ? keyed.key : null
  const existing = key === null ? undefined : registry.shared(key)
  if (existing) return listen(existing, contextValue)
  const base = baseKey === null ? undefined : registry.shared(baseKey)
  const recent = base && keyed?.after !== undefined ? base.recentAfter(keyed.after) : undefined
  if (base && recent) return listen(base, contextValue, { after: keyed!.after!, recent })
  if (baseKey !== null && line.full()) return limitError(REPLAY_LIMIT, 'REPLAY_LIMIT', { scope: 'process' })
  const caughtUp = baseKey !== null ? await line.enter() : () => {}
  let result: SubscribeResult
  try {
    result = await execute()
  } catch (error) {
    caughtUp()
    throw error
  }
  if (!(Symbol.asyncIterator in (result as object))) {
    caughtUp()
    return result // an error result: nothing to share
  }
  const source = result as AsyncIterableIterator<ExecutionResult>
  const raced = key === null ? undefined : registry.shared(key) // created by another subscriber while we awaited
  if (raced) {
    void source.return?.()
    return listen(raced, contextValue)
  }
  // listen before the pump's first step, so the first result is not missed
  return listen(serving.start(key, source, contextValue, baseKey, caughtUp), contextValue)
}

/** An error result with `extensions.code` (and more `extensions`). */
export function limitError(message: string, code: string, extensions: Record<string, unknown> = {}): ExecutionResult {
  return { errors: [new GraphQLError(message, { extensions: { code, ...extensions } })] }
}
