import { describe, expect, it } from 'vitest'
import { createLogBudget } from './logBudget.js'

describe('log budget', () => {
  it('grants in arrival order, holds a request that does not fit, and lets an oversized one through alone', async () => {
    const budget = createLogBudget(10)
    const order: string[] = []
    const a = await budget.acquire(6)
    const b = budget.acquire(6).then((r) => (order.push('b'), r)) // does not fit next to a
    const c = budget.acquire(1).then((r) => (order.push('c'), r)) // would fit, but must not overtake b
    await new Promise((r) => setTimeout(r, 10))
    expect(order).toEqual([])
    expect(budget.stats()).toEqual({ inUse: 6, waiting: 2 })
    a()
    const [rb, rc] = await Promise.all([b, c])
    expect(order).toEqual(['b', 'c'])
    rb()
    rc()
    rc() // releasing twice is harmless
    expect(budget.stats()).toEqual({ inUse: 0, waiting: 0 })
    const huge = await budget.acquire(1_000) // larger than the budget: alone
    expect(budget.stats().inUse).toBe(10)
    huge()
  })
})
