import { describe, expect, it } from 'vitest'
import { createReplayLimiter, ReplayLimitError } from './replayLimiter.js'

const tick = () => new Promise((r) => setImmediate(r))

describe('createReplayLimiter', () => {
  it('refuses replays beyond the process and per-connection caps, and admits again once one ends', () => {
    const limiter = createReplayLimiter({ maxReplays: 3, maxPerConnection: 2 })
    const connection = {}
    const a = limiter.admit(connection)
    limiter.admit(connection)
    expect(() => limiter.admit(connection)).toThrow(ReplayLimitError)
    const c = limiter.admit({})
    expect(() => limiter.admit({})).toThrowError(expect.objectContaining({ code: 'REPLAY_LIMIT', scope: 'process' }))
    c.end()
    a.end()
    a.end() // idempotent
    expect(limiter.stats().replays).toBe(1)
    limiter.admit(connection)
  })

  it('grants page permits in turn, first come first served, and lets a waiting replay leave the queue', async () => {
    const limiter = createReplayLimiter({ concurrentPages: 1 })
    const [a, b, c] = [limiter.admit(), limiter.admit(), limiter.admit()]
    const order: string[] = []
    await a.acquirePage()
    const waitB = b.acquirePage().then(() => order.push('b'))
    const waitC = c.acquirePage().then(() => order.push('c'))
    await tick()
    expect(order).toEqual([])
    expect(limiter.stats()).toEqual({ replays: 3, pagesInFlight: 1, waiting: 2 })
    c.end() // leaves the queue: its acquire resolves without a permit
    await waitC
    a.releasePage()
    await waitB
    expect(order).toEqual(['c', 'b'])
    expect(limiter.stats()).toEqual({ replays: 2, pagesInFlight: 1, waiting: 0 })
    const again = a.acquirePage().then(() => order.push('a'))
    b.end() // ending the holder hands its permit on
    await again
    expect(limiter.stats()).toEqual({ replays: 1, pagesInFlight: 1, waiting: 0 })
  })
})
