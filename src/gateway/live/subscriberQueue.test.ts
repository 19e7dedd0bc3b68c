import { GraphQLError } from 'graphql'
import { describe, expect, it } from 'vitest'
import { createMetrics } from '../../common/metrics.js'
import type { SharedExecution } from './sharedExecution.js'
import { createSubscriberQueue } from './subscriberQueue.js'

const result = (n: number) => ({ data: { n } })
/** an execution that counts how often it was stopped */
function fakeExecution() {
  const execution = { subscribers: new Set(), stops: 0, stop: () => void execution.stops++ }
  return execution as unknown as SharedExecution & { stops: number }
}
let fake: ReturnType<typeof fakeExecution>

function queueOn(execution: SharedExecution, bufferSize = 2, cursor: string | undefined = '100') {
  const metrics = createMetrics()
  const left = { n: 0 }
  const queue = createSubscriberQueue({ execution, bufferSize, cursor, metrics, onLeave: () => void left.n++ })
  return { queue, metrics, left }
}

describe('createSubscriberQueue', () => {
  it('queues results in order and leaves its execution, stopping it when it was the last subscriber', () => {
    fake = fakeExecution()
    const { queue, left } = queueOn(fake)
    expect(fake.subscribers.size).toBe(1)
    queue.subscriber.push(result(1), '101')
    expect(queue.subscriber.room()).toBe(1)
    expect(queue.shift()).toEqual(result(1))
    expect(queue.shift()).toBeUndefined()
    queue.leave()
    queue.leave()
    expect([left.n, fake.subscribers.size, fake.stops]).toEqual([1, 0, 1])
  })

  it('overflows once full: one SUBSCRIPTION_OVERFLOW result with the cursor after the last result it took', async () => {
    fake = fakeExecution()
    const { queue, metrics, left } = queueOn(fake)
    queue.subscriber.push(result(1), '101')
    expect(queue.shift()).toEqual(result(1))
    for (let n = 2; n <= 4; n++) queue.subscriber.push(result(n), String(100 + n))
    expect(left.n).toBe(1)
    expect(queue.shift()).toBeUndefined()
    const failure = queue.takeFailure()
    expect(failure?.errors?.[0]?.extensions?.code).toBe('SUBSCRIPTION_OVERFLOW')
    expect(failure?.errors?.[0]?.extensions?.cursor).toBe('101')
    expect(queue.done).toBe(true)
    expect(queue.takeFailure()).toBeUndefined()
    expect((await metrics.subscriptionOverflows.get()).values[0]?.value).toBe(1)
  })

  it('turns a source failure into its last result, keeping a GraphQLError as it is', () => {
    fake = fakeExecution()
    const { queue } = queueOn(fake)
    queue.subscriber.end(new Error('boom'))
    expect(queue.takeFailure()?.errors?.[0]?.message).toBe('Subscription source failed')
    const other = queueOn(fakeExecution()).queue
    const error = new GraphQLError('known', { extensions: { code: 'X' } })
    other.subscriber.end(error)
    expect(other.takeFailure()?.errors?.[0]).toBe(error)
  })

  it('moves to another execution and skips results it already has from the one it came from', () => {
    fake = fakeExecution()
    const { queue } = queueOn(fake, 10)
    const target = fakeExecution()
    queue.subscriber.moveTo(target, '105')
    expect([fake.subscribers.size, target.subscribers.size]).toEqual([0, 1])
    queue.subscriber.push(result(5), '105')
    queue.subscriber.push(result(6), '106')
    queue.subscriber.push(result(5), '105') // once past the skip point, nothing more is skipped
    expect(queue.shiftAll()).toEqual([result(6), result(5)])
  })

  it('wakes its reader and its direct callback on push and end', async () => {
    fake = fakeExecution()
    const { queue } = queueOn(fake)
    let direct = 0
    queue.onWake(() => direct++)
    const woken = queue.wait()
    queue.subscriber.push(result(1), '101')
    await woken
    queue.subscriber.end()
    expect(direct).toBe(2)
    expect(queue.done).toBe(true)
  })
})
