import { describe, expect, it } from 'vitest'
import { createMetrics } from '../../common/metrics.js'
import { createExecutionRegistry } from './executionRegistry.js'
import type { SharedExecution } from './sharedExecution.js'

const execution = (key: string | null) => ({ key }) as SharedExecution

describe('createExecutionRegistry', () => {
  it('counts executions, registers shared ones by key, and retires each once', async () => {
    const metrics = createMetrics()
    const registry = createExecutionRegistry({ metrics })
    const shared = execution('k')
    const resumed = execution(null)
    registry.add(shared)
    registry.add(resumed)
    expect(registry.size).toBe(2)
    expect(registry.shared('k')).toBe(shared)
    expect((await metrics.subscriptionExecutions.get()).values[0]?.value).toBe(2)
    registry.retire(shared)
    registry.retire(shared)
    expect(registry.size).toBe(1)
    expect(registry.shared('k')).toBeUndefined()
    expect((await metrics.subscriptionExecutions.get()).values[0]?.value).toBe(1)
  })

  it('lets a resumed execution become the shared one, and keeps a newer one registered when an older retires', () => {
    const registry = createExecutionRegistry({ metrics: createMetrics() })
    const resumed = execution(null)
    registry.add(resumed)
    resumed.key = 'k'
    registry.share('k', resumed)
    expect(registry.shared('k')).toBe(resumed)
    const stale = execution('k')
    registry.retire(stale) // not the one registered under k
    expect(registry.shared('k')).toBe(resumed)
  })
})
