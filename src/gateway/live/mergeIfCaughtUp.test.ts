import { describe, expect, it } from 'vitest'
import { createMetrics } from '../../common/metrics.js'
import { createExecutionRegistry } from './executionRegistry.js'
import { mergeIfCaughtUp } from './mergeIfCaughtUp.js'
import type { ExecutionSubscriber, SharedExecution } from './sharedExecution.js'

function fakeExecution(key: string | null, baseKey: string | null, at: string | undefined) {
  const execution = {
    key,
    baseKey,
    subscribers: new Set<ExecutionSubscriber>(),
    mergers: new Set<SharedExecution>(),
    cursor: () => at,
    handedOverCursor: () => at,
    stopped: false,
    released: 0,
    stop: () => void (execution.stopped = true),
    releaseCatchUpSlot: () => void execution.released++,
  }
  return execution as unknown as SharedExecution & { stopped: boolean; released: number }
}

function setup(baseAt?: string) {
  const registry = createExecutionRegistry({ metrics: createMetrics() })
  const base = baseAt === undefined ? undefined : fakeExecution('k', null, baseAt)
  if (base) registry.add(base)
  return { registry, base }
}

describe('mergeIfCaughtUp', () => {
  it('lets a live resumed execution become the shared one when there is none', () => {
    const { registry } = setup()
    const resumed = fakeExecution(null, 'k', '5')
    mergeIfCaughtUp(resumed, registry, () => false)
    expect(registry.shared('k')).toBeUndefined() // still replaying
    mergeIfCaughtUp(resumed, registry, () => true)
    expect([resumed.key, registry.shared('k'), resumed.released]).toEqual(['k', resumed, 1])
  })

  it('moves the subscribers of one that reached the shared execution’s point there and stops it', () => {
    const { registry, base } = setup('10')
    const resumed = fakeExecution(null, 'k', '10')
    const subscriber = { moveTo: (target: SharedExecution) => void target.subscribers.add(subscriber) } as unknown as ExecutionSubscriber
    resumed.subscribers.add(subscriber)
    mergeIfCaughtUp(resumed, registry, () => false)
    expect([resumed.stopped, base!.subscribers.has(subscriber)]).toEqual([true, true])
  })

  it('puts one that is live but behind in the shared execution’s mergers and frees its slot; leaves one still replaying alone', () => {
    const { registry, base } = setup('10')
    const replaying = fakeExecution(null, 'k', '8')
    mergeIfCaughtUp(replaying, registry, () => false)
    expect([base!.mergers.size, replaying.released]).toEqual([0, 0])
    const live = fakeExecution(null, 'k', '8')
    mergeIfCaughtUp(live, registry, () => true)
    expect([base!.mergers.has(live), live.released, live.stopped]).toEqual([true, 1, false])
  })

  it('does nothing for a shared, unresumed or stopped execution', () => {
    const { registry, base } = setup('10')
    const stopped = fakeExecution(null, 'k', '10')
    stopped.stopped = true
    for (const execution of [base!, fakeExecution(null, null, '10'), stopped]) mergeIfCaughtUp(execution, registry, () => true)
    expect([base!.mergers.size, base!.subscribers.size, registry.size]).toEqual([0, 0, 1])
  })
})
