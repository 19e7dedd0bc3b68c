import { describe, expect, it } from 'vitest'
import { createMetrics } from '../../common/metrics.js'
import type { SharedExecution } from './sharedExecution.js'
import { createSubscriberQueue } from './subscriberQueue.js'
import { toSubscriberIterator } from './toSubscriberIterator.js'

function setup(bufferSize = 4) {
  const execution = { subscribers: new Set(), stop: () => {} } as unknown as SharedExecution
  const left = { n: 0 }
  const queue = createSubscriberQueue({ execution, bufferSize, cursor: '0', metrics: createMetrics(), onLeave: () => void left.n++ })
  return { queue, iterator: toSubscriberIterator(queue), left }
}

describe('toSubscriberIterator', () => {
  it('yields queued results, waits for the next, and is done (and leaves) when the source ends', async () => {
    const { queue, iterator, left } = setup()
    queue.subscriber.push({ data: { n: 1 } }, '1')
    expect(await iterator.next()).toEqual({ done: false, value: { data: { n: 1 } } })
    const pending = iterator.next()
    queue.subscriber.push({ data: { n: 2 } }, '2')
    expect(await pending).toEqual({ done: false, value: { data: { n: 2 } } })
    queue.subscriber.end()
    expect((await iterator.next()).done).toBe(true)
    expect(left.n).toBe(1)
  })

  it('yields the failure as a last result, then is done', async () => {
    const { queue, iterator } = setup(1)
    queue.subscriber.push({ data: { n: 1 } }, '1')
    queue.subscriber.push({ data: { n: 2 } }, '2') // overflows
    expect((await iterator.next()).value?.errors?.[0]?.extensions?.code).toBe('SUBSCRIPTION_OVERFLOW')
    expect((await iterator.next()).done).toBe(true)
  })

  it('return() ends a pending next() and leaves', async () => {
    const { iterator, left } = setup()
    const pending = iterator.next()
    expect(await iterator.return?.()).toEqual({ done: true, value: undefined })
    expect((await pending).done).toBe(true)
    expect(left.n).toBe(1)
  })
})
