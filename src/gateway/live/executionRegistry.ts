/**
 * The running executions of live subscriptions (sharedExecution.ts), and the shared ones by sharing key
 * (subscriptionKey.ts).
 */
import type { Metrics } from '../../common/metrics.js'
import type { SharedExecution } from './sharedExecution.js'

export type ExecutionRegistry = {
  /** running executions */
  readonly size: number
  /** the shared execution under `key`, if any */
  shared(key: string): SharedExecution | undefined
  /** registers `execution` as the shared one under `key` (a resumed execution that became shared) */
  share(key: string, execution: SharedExecution): void
  /** counts a new execution; registers it as shared under its key unless that is null */
  add(execution: SharedExecution): void
  /** uncounts `execution` and unregisters it where it is the shared one; idempotent */
  retire(execution: SharedExecution): void
}

/** @param params.metrics `subscriptionExecutions` follows the running executions */
export function createExecutionRegistry(params: { metrics: Pick<Metrics, 'subscriptionExecutions'> }): ExecutionRegistry {
  const { subscriptionExecutions } = params.metrics
  const shared = new Map<string, SharedExecution>()
  const running = new Set<SharedExecution>()
  return {
    get size() {
      return running.size
    },
    shared: (key) => shared.get(key),
    share: (key, execution) => void shared.set(key, execution),
    add(execution) {
      if (execution.key !== null) shared.set(execution.key, execution)
      running.add(execution)
      subscriptionExecutions.inc()
    },
    retire(execution) {
      if (running.delete(execution)) subscriptionExecutions.dec()
      if (execution.key !== null && shared.get(execution.key) === execution) shared.delete(execution.key)
    },
  }
}
