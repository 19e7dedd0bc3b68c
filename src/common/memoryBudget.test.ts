import { describe, expect, it } from 'vitest'
import { createSilentLogger } from './logger.js'
import { createMemoryBudget, jsMemoryBytes, type MemoryProbe } from './memoryBudget.js'

const MiB = 2 ** 20

/** A process whose RSS and heap the test sets; `collect` drops the heap to `live` and the RSS by what it freed. */
function fakeProcess(start: { rss: number; heap: number; live: number }) {
  const state = { ...start, collections: 0 }
  const probe: MemoryProbe = {
    rss: () => state.rss * MiB,
    heapUsed: () => state.heap * MiB,
    collect: () => {
      state.collections++
      state.rss -= state.heap - state.live
      state.heap = state.live
    },
  }
  return { state, probe }
}

describe('createMemoryBudget', () => {
  it('collects once the RSS nears the budget with enough garbage, and not otherwise', () => {
    const { state, probe } = fakeProcess({ rss: 150, heap: 80, live: 80 })
    const budget = createMemoryBudget({ budgetMiB: 400, logger: createSilentLogger(), probe, checkEveryMs: 0 })
    expect(budget.check()).toBe(false) // far under the budget

    Object.assign(state, { rss: 300, heap: 230 }) // 150 MiB of garbage, RSS under 85 % of the budget
    expect(budget.check()).toBe(false)

    Object.assign(state, { rss: 350, heap: 280 }) // over 85 %: collected
    expect(budget.check()).toBe(true)
    expect(state).toMatchObject({ collections: 1, heap: 80, rss: 150 })
    expect(budget.collections()).toBe(1)
  })

  it('does not collect back to back when the heap is mostly live (no garbage worth a collection), whatever the RSS', () => {
    const { state, probe } = fakeProcess({ rss: 390, heap: 300, live: 300 })
    const budget = createMemoryBudget({ budgetMiB: 400, logger: createSilentLogger(), probe, checkEveryMs: 0 })
    for (let i = 0; i < 10; i++) {
      state.heap += 5 // 50 MiB of garbage over ten checks: under half of the live heap
      state.rss += 5
      expect(budget.check()).toBe(false)
    }
    state.heap += 110 // now 160 MiB: over half of the 300 MiB the last reading kept
    expect(budget.check()).toBe(true)
    expect(state.collections).toBe(1)
  })

  it('is off at 0: never reads the process, never collects', () => {
    const { state, probe } = fakeProcess({ rss: 10_000, heap: 9_000, live: 100 })
    const budget = createMemoryBudget({ budgetMiB: 0, logger: createSilentLogger(), probe, checkEveryMs: 0 })
    expect(budget.check()).toBe(false)
    expect(state.collections).toBe(0)
  })

  it('runs a real collection in this process (V8 exposes gc at run time)', () => {
    const budget = createMemoryBudget({ budgetMiB: 1, logger: createSilentLogger(), checkEveryMs: 0 })
    let garbage: number[][] | null = Array.from({ length: 40 }, (_, i) => new Array(250_000).fill(i + 0.5)) // ~80 MB of doubles
    expect(garbage.length).toBe(40)
    garbage = null
    expect(budget.check()).toBe(true)
    expect(budget.collections()).toBe(1)
  })

  it("with PGlite in the process, reads JavaScript memory: Buffers count, WebAssembly memory (PGlite's PostgreSQL) does not", () => {
    const before = jsMemoryBytes()
    const wasm = new WebAssembly.Memory({ initial: 1_600 }) // 100 MiB, written so it is resident
    new Uint8Array(wasm.buffer).fill(1)
    const afterWasm = jsMemoryBytes()
    const buffer = Buffer.alloc(100 * MiB, 1)
    const afterBuffer = jsMemoryBytes()
    expect(afterWasm - before).toBeLessThan(20 * MiB)
    expect(afterBuffer - afterWasm).toBeGreaterThanOrEqual(95 * MiB)
    expect(wasm.buffer.byteLength + buffer.length).toBe(200 * MiB) // both still referenced while measured
  })
})
