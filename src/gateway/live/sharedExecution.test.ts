import type { ExecutionResult } from 'graphql'
import { describe, expect, it } from 'vitest'
import { createMetrics } from '../../common/metrics.js'
import { createOverflowGrace } from '../../journal/overflowGrace.js'
import { createExecutionRegistry } from './executionRegistry.js'
import { type ExecutionSubscriber, startSharedExecution } from './sharedExecution.js'
import { createSubscriberQueue } from './subscriberQueue.js'
import { toSubscriberIterator } from './toSubscriberIterator.js'

/** A source of results 1..`count` whose stream cursor is `100 + i`; it holds the next until `release()`. */
function steppedSource(count: number) {
  const stream = { cursor: '100' as string | null, buffered: 0, replaying: false }
  let release = () => {}
  const source = (async function* () {
    for (let i = 1; i <= count; i++) {
      await new Promise<void>((resolve) => (release = resolve))
      stream.cursor = String(100 + i)
      yield { data: { i } } as ExecutionResult
    }
  })()
  return { source, stream, step: () => release() }
}

function start(
  key: string | null,
  source: AsyncIterableIterator<ExecutionResult>,
  stream: () => { cursor: string | null; buffered: number; replaying: boolean },
) {
  const metrics = createMetrics()
  const registry = createExecutionRegistry({ metrics })
  let released = 0
  const execution = startSharedExecution({
    key,
    baseKey: null,
    source,
    stream,
    releaseCatchUpSlot: () => void released++,
    registry,
    grace: createOverflowGrace<ExecutionSubscriber>(10),
    recentResults: 2,
    holdMs: 0,
    maxBatch: 10,
    metrics,
  })
  return { execution, registry, metrics, released: () => released }
}

describe('startSharedExecution', () => {
  it('registers the execution, pumps results to its subscribers, keeps recent results, and retires when the source ends', async () => {
    const { source, stream, step } = steppedSource(3)
    const { execution, registry, released } = start('k', source, () => stream)
    expect([registry.shared('k'), registry.size]).toEqual([execution, 1])
    expect(execution.cursor()).toBe('100')
    const queue = createSubscriberQueue({ execution, bufferSize: 10, cursor: execution.cursor(), metrics: createMetrics(), onLeave: () => {} })
    const iterator = toSubscriberIterator(queue)
    for (let i = 1; i <= 3; i++) {
      await new Promise((resolve) => setImmediate(resolve))
      step()
      expect((await iterator.next()).value).toEqual({ data: { i } })
    }
    expect(execution.handedOverCursor()).toBe('103')
    expect(execution.recentAfter('101')?.map((r) => r.cursor)).toEqual(['102', '103'])
    expect(execution.recentAfter('100')).toBeUndefined() // the limit of 2 forgot 101
    expect((await iterator.next()).done).toBe(true)
    expect([registry.size, registry.shared('k')]).toEqual([0, undefined])
    expect(released()).toBeGreaterThan(0) // its catching-up slot is freed (idempotently: once per retire)
  })

  it('stops (returning its source) when its last subscriber leaves', async () => {
    const { source, stream } = steppedSource(3)
    const { execution, registry } = start('k', source, () => stream)
    const queue = createSubscriberQueue({ execution, bufferSize: 10, cursor: execution.cursor(), metrics: createMetrics(), onLeave: () => {} })
    await toSubscriberIterator(queue).return?.()
    expect([execution.stopped, registry.size]).toEqual([true, 0])
  })
})
