import type { ExecutionResult } from 'graphql'
import { describe, expect, it } from 'vitest'
import { IDLE_MERGE_CHECK_MS, pumpExecution } from './pumpExecution.js'
import type { CursoredResult } from './recentResults.js'
import type { ExecutionSubscriber, SharedExecution } from './sharedExecution.js'

/** A source of `count` results, the next `delayMs` after the previous; `cursor.value` follows it. */
function sourceOf(count: number, cursor: { value: number }, delayMs = 0, failAt?: number): AsyncIterableIterator<ExecutionResult> {
  return (async function* () {
    for (let i = 1; i <= count; i++) {
      if (delayMs) await new Promise((resolve) => setTimeout(resolve, delayMs))
      if (i === failAt) throw new Error('boom')
      cursor.value = i
      yield { data: { i } }
    }
  })()
}

function setup(options: { baseKey?: string | null; key?: string | null } = {}) {
  const ended: unknown[] = []
  const pushed: string[] = []
  const subscriber = { push: (_r, c) => void pushed.push(c!), end: (error?: unknown) => void ended.push(error ?? 'end') } as ExecutionSubscriber
  const execution = {
    key: options.key === undefined ? 'k' : options.key,
    baseKey: options.baseKey ?? null,
    subscribers: new Set([subscriber]),
    stopped: false,
    retired: 0,
    retire: () => void execution.retired++,
  }
  return { execution: execution as unknown as SharedExecution & { retired: number }, ended, pushed }
}

describe('pumpExecution', () => {
  it('hands results over in batches while the source holds more, then ends every subscriber and retires', async () => {
    const { execution, ended } = setup()
    const cursor = { value: 0 }
    const batches: string[][] = []
    await pumpExecution({
      execution,
      source: sourceOf(5, cursor),
      cursor: () => String(cursor.value),
      buffered: () => 5 - cursor.value, // the last result is the only one with nothing behind it
      holdMs: 10_000,
      maxBatch: 3,
      handOver: async (results: CursoredResult[]) => void batches.push(results.map((r) => r.cursor!)),
      mergeIfCaughtUp: () => {},
    })
    expect(batches).toEqual([
      ['1', '2', '3'],
      ['4', '5'],
    ])
    expect([ended, execution.retired]).toEqual([['end'], 1])
  })

  it('hands a held batch over after holdMs even while the next result is slow to come', async () => {
    const { execution } = setup()
    const cursor = { value: 0 }
    const batches: string[][] = []
    await pumpExecution({
      execution,
      source: sourceOf(2, cursor, 60),
      cursor: () => String(cursor.value),
      buffered: () => 1, // always says more is coming
      holdMs: 10,
      maxBatch: 10,
      handOver: async (results) => void batches.push(results.map((r) => r.cursor!)),
      mergeIfCaughtUp: () => {},
    })
    expect(batches).toEqual([['1'], ['2']])
  })

  it('gives a source failure to every subscriber after what was resolved before it, and retires', async () => {
    const { execution, ended, pushed } = setup()
    const cursor = { value: 0 }
    await pumpExecution({
      execution,
      source: sourceOf(3, cursor, 0, 2),
      cursor: () => String(cursor.value),
      buffered: () => 1,
      holdMs: 10_000,
      maxBatch: 10,
      handOver: async () => {},
      mergeIfCaughtUp: () => {},
    })
    expect(pushed).toEqual(['1'])
    expect((ended[0] as Error).message).toBe('boom')
    expect(execution.retired).toBe(1)
  })

  it('checks now and then whether an idle resumed execution can merge', async () => {
    const { execution } = setup({ key: null, baseKey: 'k' })
    const cursor = { value: 0 }
    let checks = 0
    await pumpExecution({
      execution,
      source: sourceOf(1, cursor, IDLE_MERGE_CHECK_MS * 2 + 100),
      cursor: () => String(cursor.value),
      buffered: () => 0,
      holdMs: 10,
      maxBatch: 10,
      handOver: async () => {},
      mergeIfCaughtUp: () => void checks++,
    })
    expect(checks).toBeGreaterThanOrEqual(2)
  })
})
