import { describe, expect, it } from 'vitest'
import { createCatchUpLine } from './catchUpLine.js'

const tick = () => new Promise((resolve) => setImmediate(resolve))

describe('createCatchUpLine', () => {
  it('lets `maxCatchingUp` in at once, the next in turn as slots are given back, and is full at `maxWaiting`', async () => {
    const line = createCatchUpLine({ maxCatchingUp: 1, maxWaiting: 1 })
    const first = await line.enter()
    let secondIn = false
    const second = line.enter().then((release) => ((secondIn = true), release))
    await tick()
    expect(secondIn).toBe(false)
    expect(line.full()).toBe(true)
    first()
    first() // idempotent
    const release = await second
    expect(secondIn).toBe(true)
    expect(line.full()).toBe(false)
    release()
  })
})
