import { describe, expect, it } from 'vitest'
import { journalEntryRow } from './journalEntryFixture.js'
import { createSilentLogger } from '../common/logger.js'
import { createMetrics } from '../common/metrics.js'
import { toJournalEntry } from './journalEntry.js'
import { createJournalFanOut } from './journalFanOut.js'
import { createJournalGap } from './journalGap.js'
import type { ReleasedEntries } from './journalReader.js'
import { createJournalSubscribers, type JournalSubscriber } from './journalSubscribers.js'

const row = (seq: number) => journalEntryRow(seq)

function released(seqs: number[], dropped: string[] = []): ReleasedEntries {
  const rows = seqs.map(row)
  return { read: rows.length, rows, events: rows.map(toJournalEntry), dropped: new Set(dropped) }
}

function setup(options: { room?: () => number; overflowGraceMs?: number } = {}) {
  const metrics = createMetrics()
  const subscribers = createJournalSubscribers({ metrics })
  const got: [string, boolean][] = []
  const subscriber: JournalSubscriber = { push: (e, dropped) => void got.push([e.seq, dropped]), end: () => {}, room: options.room ?? (() => 100) }
  subscribers.add(subscriber, false)
  const gap = createJournalGap({ gapTimeoutMs: 60_000, logger: createSilentLogger() })
  const fanOut = createJournalFanOut({ subscribers, gap, overflowGraceMs: options.overflowGraceMs ?? 1_000, bufferSize: 4, metrics })
  return { fanOut, got, gap, metrics }
}

describe('createJournalFanOut', () => {
  it('hands out entries in seq order, marks the dropped ones, and moves the position and the journalSeq gauge', async () => {
    const { fanOut, got, metrics } = setup()
    fanOut.start(10n)
    expect(await fanOut.fanOut(released([11, 12, 13, 14, 15], ['12']), undefined, () => false)).toBe(5)
    expect(got).toEqual([
      ['11', false],
      ['12', true],
      ['13', false],
      ['14', false],
      ['15', false],
    ])
    expect(fanOut.position).toBe(15n)
    expect((await metrics.journalSeq.get()).values[0]?.value).toBe(15)
  })

  it('stops at a hole that is not final', async () => {
    const { fanOut, got, gap } = setup()
    fanOut.start(10n)
    expect(await fanOut.fanOut(released([11, 13, 14]), undefined, () => false)).toBe(1)
    expect(got.map(([seq]) => seq)).toEqual(['11'])
    expect(fanOut.position).toBe(11n)
    expect(gap.open).toBe(true)
  })

  it('waits for a full subscriber up to the grace before each slice of half a buffer, and stops once closed', async () => {
    let capacity = 0
    const { fanOut, got } = setup({ room: () => capacity - got.length, overflowGraceMs: 10_000 })
    fanOut.start(0n)
    let closed = false
    const running = fanOut.fanOut(released([1, 2, 3]), undefined, () => closed)
    await new Promise((resolve) => setTimeout(resolve, 30))
    expect(got).toEqual([]) // held: no room for the first slice of 2
    capacity = 2
    await new Promise((resolve) => setTimeout(resolve, 30))
    expect(got.map(([seq]) => seq)).toEqual(['1', '2'])
    closed = true // the last slice still waits for room
    expect(await running).toBeUndefined()
    expect(fanOut.position).toBe(2n)
  })
})
