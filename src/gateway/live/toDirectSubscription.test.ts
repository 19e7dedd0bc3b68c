import { describe, expect, it } from 'vitest'
import { createMetrics } from '../../common/metrics.js'
import type { SharedExecution } from './sharedExecution.js'
import { createSubscriberQueue } from './subscriberQueue.js'
import { toDirectSubscription } from './toDirectSubscription.js'

function setup(bufferSize = 4) {
  const execution = { subscribers: new Set(), stop: () => {} } as unknown as SharedExecution
  const left = { n: 0 }
  const queue = createSubscriberQueue({ execution, bufferSize, cursor: '7', metrics: createMetrics(), onLeave: () => void left.n++ })
  return { queue, direct: toDirectSubscription(queue), left }
}

describe('toDirectSubscription', () => {
  it('drains everything queued at once, wakes its callback, and reports done once the source ended', () => {
    const { queue, direct, left } = setup()
    let woken = 0
    direct.onWake(() => woken++)
    queue.subscriber.push({ data: { n: 1 } }, '8')
    queue.subscriber.push({ data: { n: 2 } }, '9')
    expect(woken).toBe(2)
    expect(direct.drain()).toEqual({ results: [{ data: { n: 1 } }, { data: { n: 2 } }], done: false })
    queue.subscriber.end()
    expect(direct.drain()).toEqual({ results: [], done: true })
    expect(left.n).toBe(1)
  })

  it('hands the overflow error out as the last drained result, with the cursor after the last drained one', () => {
    const { queue, direct } = setup(1)
    queue.subscriber.push({ data: { n: 1 } }, '8')
    direct.drain()
    queue.subscriber.push({ data: { n: 2 } }, '9')
    queue.subscriber.push({ data: { n: 3 } }, '10')
    const { results, done } = direct.drain()
    expect(done).toBe(true)
    expect(results).toHaveLength(1)
    expect(results[0]?.errors?.[0]?.extensions?.cursor).toBe('8')
  })

  it('close() leaves the execution', () => {
    const { direct, left } = setup()
    direct.close()
    direct.close()
    expect(left.n).toBe(1)
  })
})
