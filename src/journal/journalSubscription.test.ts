import { describe, expect, it } from 'vitest'
import { journalEntryRow } from './journalEntryFixture.js'
import { createSilentLogger } from '../common/logger.js'
import { createMetrics } from '../common/metrics.js'
import { toJournalEntry } from './journalEntry.js'
import { JournalOverflowError } from './journalOverflowError.js'
import { createJournalSubscribers } from './journalSubscribers.js'
import { createJournalSubscription, type JournalTailView } from './journalSubscription.js'

const row = journalEntryRow

/** A tail over a table of entries 1..`committed` whose position is `position` (it fanned out everything through it). */
function fakeTail(committed: number, position: number | undefined, closed = false) {
  const table = Array.from({ length: committed }, (_, i) => row(i + 1, (i % 3) + 1))
  const state = { position: position === undefined ? undefined : BigInt(position), closed }
  let markReady!: () => void
  const view: JournalTailView = {
    position: () => state.position,
    initialPosition: () => (position === undefined ? undefined : BigInt(position)),
    started: new Promise<void>((resolve) => (markReady = resolve)),
    closed: () => state.closed,
    subscribers: createJournalSubscribers({ metrics: createMetrics() }),
    reader: {
      readRange: async (after, upTo) => table.filter((r) => r.seq > after && (upTo === undefined || r.seq <= upTo)).slice(0, 2),
      keepReplayed: async (events) => events,
    },
    replayLimiter: undefined,
    defaultBufferSize: 3,
    metrics: createMetrics(),
    logger: createSilentLogger(),
  }
  /** the tail reads and fans out the next committed entry */
  const commit = (chainId = 1) => {
    const next = row(table.length + 1, chainId)
    table.push(next)
    state.position = next.seq
    view.subscribers.fanOut(toJournalEntry(next), false, next.seq)
  }
  return { view, commit, markReady }
}

async function seqs(subscription: AsyncIterator<{ seq: string }>, count: number) {
  const out: string[] = []
  for (let i = 0; i < count; i++) out.push(((await subscription.next()) as IteratorYieldResult<{ seq: string }>).value.seq)
  return out
}

describe('createJournalSubscription', () => {
  it('replays from its cursor to where the tail was, then continues live with no gap and no duplicate', async () => {
    const { view, commit } = fakeTail(5, 5)
    const subscription = createJournalSubscription(view, { after: '2' })
    commit() // 6, live while the replay has not started
    expect(subscription.replaying).toBe(true)
    expect(await seqs(subscription, 4)).toEqual(['3', '4', '5', '6'])
    expect(subscription.replaying).toBe(false)
    commit()
    expect(subscription.buffered).toBe(1)
    expect(subscription.peek(5).map((e) => e.seq)).toEqual(['7'])
    expect(await seqs(subscription, 1)).toEqual(['7'])
    expect(subscription.cursor).toBe('7')
  })

  it('filters replayed and live entries alike, and its cursor passes over what it filters out', async () => {
    const { view, commit } = fakeTail(6, 6)
    const subscription = createJournalSubscription(view, { after: '0', filter: (e) => e.chainId === 1 })
    expect(await seqs(subscription, 2)).toEqual(['1', '4'])
    commit(2)
    commit(1)
    expect(await seqs(subscription, 1)).toEqual(['8'])
    commit(3)
    expect(subscription.cursor).toBe('9')
  })

  it('waits for the tail to be ready, and starts at its start position', async () => {
    const { view, markReady } = fakeTail(4, undefined)
    const subscription = createJournalSubscription(view)
    expect(subscription.cursor).toBeNull()
    const first = subscription.next()
    markReady()
    ;(view as { initialPosition: () => bigint }).initialPosition = () => 4n
    ;(view as { position: () => bigint }).position = () => 4n
    view.subscribers.fanOut(toJournalEntry(row(5)), false, 5n)
    expect(((await first) as IteratorYieldResult<{ seq: string }>).value.seq).toBe('5')
  })

  it('throws JournalOverflowError with its resume cursor once its buffer overflows, then ends', async () => {
    const { view, commit } = fakeTail(2, 2)
    const subscription = createJournalSubscription(view)
    for (let i = 0; i < 4; i++) commit()
    expect(view.subscribers.size).toBe(0)
    await expect(subscription.next()).rejects.toThrowError(JournalOverflowError)
    expect((await subscription.next()).done).toBe(true)
    expect(subscription.cursor).toBe('2')
  })

  it('is ended at once on a closed tail, and close() / return() end a pending next()', async () => {
    expect((await createJournalSubscription(fakeTail(1, 1, true).view).next()).done).toBe(true)
    const { view } = fakeTail(1, 1)
    const subscription = createJournalSubscription(view)
    const pending = subscription.next()
    subscription.close()
    expect((await pending).done).toBe(true)
    expect(view.subscribers.size).toBe(0)
    expect((await createJournalSubscription(view).return?.())?.done).toBe(true)
    expect(view.subscribers.size).toBe(0)
  })
})
