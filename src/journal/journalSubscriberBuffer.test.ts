import { describe, expect, it } from 'vitest'
import { createSilentLogger } from '../common/logger.js'
import { createMetrics } from '../common/metrics.js'
import type { JournalEntry } from './journalEntry.js'
import { JournalOverflowError } from './journalOverflowError.js'
import { createJournalSubscriberBuffer } from './journalSubscriberBuffer.js'

const entry = (seq: number, chainId = 1) => ({ seq: String(seq), chainId }) as JournalEntry

function buffer(options: { limit?: number; after?: bigint } = {}) {
  const metrics = createMetrics()
  const log = { passed: [] as bigint[], detached: 0 }
  const created = createJournalSubscriberBuffer({
    limit: options.limit ?? 2,
    filter: (event) => event.chainId === 1,
    after: options.after,
    onPassed: (seq) => void log.passed.push(seq),
    resumeCursor: () => '7',
    detach: () => void log.detached++,
    metrics,
    logger: createSilentLogger(),
  })
  return { buffer: created, log, metrics }
}

describe('createJournalSubscriberBuffer', () => {
  it('buffers matching entries in order and reports passing over the others while empty', () => {
    const { buffer: b, log } = buffer({ limit: 3 })
    b.push(entry(1, 2), false, 1n) // filtered out, empty: passed
    b.push(entry(2), true, 2n) // dropped by the gate, empty: passed
    b.push(entry(3), false, 3n)
    b.push(entry(4, 2), false, 4n) // filtered out behind a buffered entry: not passed yet
    expect(log.passed).toEqual([1n, 2n])
    expect([b.length, b.room()]).toEqual([1, 2])
    expect(b.peek(5).map((e) => e.seq)).toEqual(['3'])
    expect(b.take()?.seq).toBe('3')
    expect(b.take()).toBeUndefined()
  })

  it('ignores entries at or below its resume cursor', () => {
    const { buffer: b, log } = buffer({ after: 5n })
    b.push(entry(5), false, 5n)
    b.push(entry(6), false, 6n)
    expect(b.peek(2).map((e) => e.seq)).toEqual(['6'])
    expect(log.passed).toEqual([])
  })

  it('overflows once full: detaches, counts, hands out one JournalOverflowError with the resume cursor, then is done', async () => {
    const { buffer: b, log, metrics } = buffer()
    const woken = b.wait()
    b.push(entry(1), false, 1n)
    await woken
    b.push(entry(2), false, 2n)
    b.push(entry(3), false, 3n)
    expect(b.failed).toBe(true)
    expect(b.length).toBe(0)
    expect(log.detached).toBe(1)
    expect((await metrics.subscriptionOverflows.get()).values[0]?.value).toBe(1)
    b.push(entry(4), false, 4n) // nothing more after an overflow
    expect(b.length).toBe(0)
    const failure = b.takeFailure()
    expect(failure).toBeInstanceOf(JournalOverflowError)
    expect(failure?.cursor).toBe('7')
    expect(b.done).toBe(true)
    expect(b.takeFailure()).toBeUndefined()
  })

  it('end() detaches, wakes a waiter and refuses further entries', async () => {
    const { buffer: b, log } = buffer()
    const woken = b.wait()
    b.end()
    await woken
    expect([b.done, log.detached]).toEqual([true, 1])
    b.push(entry(1), false, 1n)
    expect(b.length).toBe(0)
  })
})
