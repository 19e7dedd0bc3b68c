import { describe, expect, it } from 'vitest'
import { journalEntryRow } from './journalEntryFixture.js'
import { createJournalReplay, REPLAY_AGAIN, REPLAY_YIELD_EVERY, type SubscriptionCursor } from './journalReplay.js'
import type { ReplayTicket } from './replayLimiter.js'

const row = (seq: number) => journalEntryRow(seq, seq % 2)

/** A table of entries 1..`last`, read in pages of `page`; `keep` keeps the even chain ids' entries when `filtered`. */
function replayOf(after: bigint | undefined, last: number, options: { page?: number; filtered?: boolean; ticket?: ReplayTicket } = {}) {
  const cursor: SubscriptionCursor = { value: after }
  const reads: [bigint, bigint][] = []
  const replay = createJournalReplay({
    after,
    ticket: options.ticket,
    cursor,
    readRange: async (from, upTo) => {
      reads.push([from, upTo])
      const rows = []
      for (let seq = Number(from) + 1; seq <= Math.min(last, Number(upTo)) && rows.length < (options.page ?? 2); seq++) rows.push(row(seq))
      return rows
    },
    keep: async (events) => (options.filtered ? events.filter((e) => e.chainId === 0) : events),
  })
  return { replay, cursor, reads }
}

async function drain(replay: ReturnType<typeof replayOf>['replay'], registeredAt: bigint) {
  const seqs: string[] = []
  for (let steps = 0; steps < 1_000 && (replay.active || replay.buffered); steps++) {
    const next = await replay.next(registeredAt, () => false)
    if (next !== REPLAY_AGAIN) seqs.push(next.seq)
  }
  return seqs
}

describe('createJournalReplay', () => {
  it('is inactive without a resume cursor', async () => {
    const { replay, reads } = replayOf(undefined, 5)
    expect([replay.active, replay.buffered]).toEqual([false, 0])
    expect(await replay.next(5n, () => false)).toBe(REPLAY_AGAIN)
    expect(reads).toEqual([])
  })

  it('hands out the window (after, registeredAt] page by page, moving the cursor, then ends at registeredAt', async () => {
    const { replay, cursor, reads } = replayOf(1n, 10)
    expect(await drain(replay, 6n)).toEqual(['2', '3', '4', '5', '6'])
    expect(reads).toEqual([
      [1n, 6n],
      [3n, 6n],
      [5n, 6n], // its last row is registeredAt: the window is read to its end
    ])
    expect(cursor.value).toBe(6n)
    expect(replay.active).toBe(false)
  })

  it('moves the cursor over a page its subscriber keeps nothing of, and peeks without consuming', async () => {
    const { replay, cursor } = replayOf(0n, 10, { page: 3, filtered: true })
    expect(await replay.next(9n, () => false)).toBe(REPLAY_AGAIN)
    expect(replay.peek(5).map((e) => e.seq)).toEqual(['2'])
    expect(replay.buffered).toBe(1)
    expect(await drain(replay, 9n)).toEqual(['2', '4', '6', '8'])
    expect(cursor.value).toBe(9n)
  })

  it('keeps a cursor already beyond the window', async () => {
    const { replay, cursor } = replayOf(8n, 10)
    expect(await drain(replay, 5n)).toEqual([])
    expect(cursor.value).toBe(8n)
  })

  it('reads a page only under its ticket’s page permit, gives it back once the page is handed out, and ends the ticket', async () => {
    const calls: string[] = []
    const ticket: ReplayTicket = {
      acquirePage: async () => void calls.push('acquire'),
      releasePage: () => void calls.push('release'),
      end: () => void calls.push('end'),
    }
    const { replay } = replayOf(0n, 10, { ticket, page: 2 })
    expect(await drain(replay, 3n)).toEqual(['1', '2', '3'])
    expect(calls).toEqual(['release', 'acquire', 'release', 'release', 'acquire', 'end', 'release', 'end'])
  })

  it('does not read when the subscription stopped while it waited for the permit', async () => {
    const ticket: ReplayTicket = { acquirePage: async () => {}, releasePage: () => {}, end: () => {} }
    const { replay, reads } = replayOf(0n, 10, { ticket })
    expect(await replay.next(5n, () => true)).toBe(REPLAY_AGAIN)
    expect(reads).toEqual([])
  })

  it('yields to the event loop every REPLAY_YIELD_EVERY entries of a page', async () => {
    const { replay } = replayOf(0n, 200, { page: 200 })
    expect(await replay.next(200n, () => false)).toBe(REPLAY_AGAIN)
    let yielded = false
    setImmediate(() => (yielded = true))
    for (let i = 1; i < REPLAY_YIELD_EVERY; i++) await replay.next(200n, () => false)
    expect(yielded).toBe(false)
    await replay.next(200n, () => false)
    expect(yielded).toBe(true)
    expect(replay.buffered).toBe(200 - REPLAY_YIELD_EVERY)
  })
})
