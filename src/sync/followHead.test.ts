import { describe, expect, it } from 'vitest'
import { createHeadWaiter } from './followHead.js'

describe('createHeadWaiter', () => {
  it('waits its time, ends early on wake() and on abort, and returns at once once aborted', async () => {
    const controller = new AbortController()
    const waiter = createHeadWaiter({ signal: controller.signal })
    let started = performance.now()
    await waiter.wait(30)
    expect(performance.now() - started).toBeGreaterThanOrEqual(25)

    started = performance.now()
    const woken = waiter.wait(10_000)
    setTimeout(() => waiter.wake(), 10)
    await woken
    expect(performance.now() - started).toBeLessThan(5_000)

    started = performance.now()
    const aborted = waiter.wait(10_000)
    setTimeout(() => controller.abort(), 10)
    await aborted
    await waiter.wait(10_000) // already aborted: no wait
    expect(performance.now() - started).toBeLessThan(5_000)
    waiter.close()
  })
})
