import { describe, expect, it } from 'vitest'
import { mulberry32 } from '../../test/helpers/faultProxy.js'
import { backoffDelay, createSleeper, MAX_BACKOFF_MS } from './retryPolicy.js'

describe('backoffDelay', () => {
  it('doubles per attempt, stays within [nominal/2, nominal) and never passes the cap', () => {
    const seed = 20261202
    console.log(`retryPolicy seed ${seed}`)
    const random = mulberry32(seed)
    for (let attempt = 0; attempt < 40; attempt++) {
      const nominal = Math.min(MAX_BACKOFF_MS, 250 * 2 ** attempt)
      for (let i = 0; i < 50; i++) {
        const delay = backoffDelay({ baseMs: 250 }, attempt, random)
        expect(delay).toBeGreaterThanOrEqual(nominal / 2)
        expect(delay).toBeLessThan(nominal)
      }
    }
  })

  it('spreads peers: the same attempt gives different waits', () => {
    const random = mulberry32(7)
    const waits = new Set(Array.from({ length: 20 }, () => Math.round(backoffDelay({ baseMs: 1_000 }, 3, random))))
    expect(waits.size).toBeGreaterThan(10)
  })

  it('honours maxMs, jitter: false, and clamps odd attempts', () => {
    expect(backoffDelay({ baseMs: 200, maxMs: 10_000, jitter: false }, 10)).toBe(10_000)
    expect(backoffDelay({ baseMs: 200, jitter: false }, 2)).toBe(800)
    expect(backoffDelay({ baseMs: 200, jitter: false }, -3)).toBe(200)
    expect(backoffDelay({ baseMs: 200, jitter: false }, 1e9)).toBe(MAX_BACKOFF_MS)
    expect(backoffDelay({ baseMs: 200, jitter: false }, 1.9)).toBe(400)
  })
})

describe('createSleeper', () => {
  it('wakeAll ends every pending sleep at once', async () => {
    const sleeper = createSleeper()
    const sleeps = Promise.all([sleeper.sleep(60_000), sleeper.sleep(60_000)]).then(() => 'woken')
    setTimeout(() => sleeper.wakeAll(), 20)
    const guard = new Promise((resolve) => setTimeout(() => resolve('still asleep'), 10_000).unref())
    expect(await Promise.race([sleeps, guard])).toBe('woken')
  })

  it('an abort ends pending sleeps, and later sleeps return at once', async () => {
    const controller = new AbortController()
    const sleeper = createSleeper(controller.signal)
    const pending = sleeper.sleep(60_000)
    controller.abort()
    await pending
    let resolved = false
    void sleeper.sleep(60_000).then(() => {
      resolved = true
    })
    await Promise.resolve()
    expect(resolved).toBe(true)
  })

  it('sleeps the given time when nobody wakes it', async () => {
    const sleeper = createSleeper()
    let resolved = false
    void sleeper.sleep(200).then(() => {
      resolved = true
    })
    await new Promise((r) => setTimeout(r, 20))
    expect(resolved).toBe(false)
    await new Promise((r) => setTimeout(r, 400))
    expect(resolved).toBe(true)
  })
})
