import { describe, expect, it } from 'vitest'
import { createMetrics } from '../common/metrics.js'
import type { JournalEntry } from './journalEntry.js'
import { createJournalSubscribers, type JournalSubscriber } from './journalSubscribers.js'

const entry = { seq: '1' } as JournalEntry

function fakeSubscriber(): JournalSubscriber & { pushed: [string, boolean, bigint][]; ended: number } {
  const fake = {
    pushed: [] as [string, boolean, bigint][],
    ended: 0,
    push: (event: JournalEntry, dropped: boolean, seq: bigint) => void fake.pushed.push([event.seq, dropped, seq]),
    end: () => void fake.ended++,
    room: () => 1,
  }
  return fake
}

describe('createJournalSubscribers', () => {
  it('counts attached and annotated subscribers, in the gauge too', async () => {
    const metrics = createMetrics()
    const subscribers = createJournalSubscribers({ metrics })
    const a = fakeSubscriber()
    const b = fakeSubscriber()
    subscribers.add(a, true)
    subscribers.add(b, false)
    expect([subscribers.size, subscribers.annotated]).toEqual([2, 1])
    expect((await metrics.subscriptionsActive.get()).values[0]?.value).toBe(2)
    expect(subscribers.delete(a, true)).toBe(true)
    expect(subscribers.delete(a, true)).toBe(false) // twice: nothing changes
    expect([subscribers.size, subscribers.annotated]).toEqual([1, 0])
    expect((await metrics.subscriptionsActive.get()).values[0]?.value).toBe(1)
    expect([...subscribers]).toEqual([b])
  })

  it('fans an entry out to every subscriber, even one that detaches while receiving it', () => {
    const subscribers = createJournalSubscribers({ metrics: createMetrics() })
    const a = fakeSubscriber()
    const b = fakeSubscriber()
    a.push = (event, dropped, seq) => {
      a.pushed.push([event.seq, dropped, seq])
      subscribers.delete(a, false)
    }
    subscribers.add(a, false)
    subscribers.add(b, false)
    subscribers.fanOut(entry, true, 1n)
    expect(a.pushed).toEqual([['1', true, 1n]])
    expect(b.pushed).toEqual([['1', true, 1n]])
    expect(subscribers.size).toBe(1)
  })

  it('ends every subscriber', () => {
    const subscribers = createJournalSubscribers({ metrics: createMetrics() })
    const all = [fakeSubscriber(), fakeSubscriber()]
    for (const s of all) subscribers.add(s, false)
    subscribers.endAll()
    expect(all.map((s) => s.ended)).toEqual([1, 1])
  })
})
