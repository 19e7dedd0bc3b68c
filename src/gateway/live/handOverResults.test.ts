import { describe, expect, it } from 'vitest'
import { createOverflowGrace } from '../../journal/overflowGrace.js'
import { absorb, handOverResults } from './handOverResults.js'
import type { CursoredResult } from './recentResults.js'
import type { ExecutionSubscriber, SharedExecution } from './sharedExecution.js'

const results = (...cursors: number[]): CursoredResult[] => cursors.map((c) => ({ result: { data: { c } }, cursor: String(c) }))

/** An execution that handed over through `handedOver` and keeps every result it handed over as recent. */
function fakeExecution(handedOver: string | undefined, recent: CursoredResult[] = []) {
  let at = handedOver
  const execution = {
    key: 'k',
    baseKey: null,
    subscribers: new Set<ExecutionSubscriber>(),
    mergers: new Set<SharedExecution>(),
    cursor: () => at,
    handedOverCursor: () => at,
    recentAfter: (after: string) => recent.filter((r) => BigInt(r.cursor!) > BigInt(after)),
    recordHandOver: (handed: CursoredResult[]) => {
      recent.push(...handed)
      at = handed.at(-1)?.cursor ?? at
    },
    stopped: false,
    stop: () => void (execution.stopped = true),
  }
  return execution as unknown as SharedExecution & { stopped: boolean }
}

/** A subscriber recording the cursors it got, with `room` free places, that really moves between executions. */
function fakeSubscriber(room = 100) {
  const got: string[] = []
  const subscriber: ExecutionSubscriber & { got: string[]; skip?: string } = {
    got,
    push: (_result, cursor) => void got.push(cursor!),
    end: () => {},
    room: () => room - got.length,
    moveTo(target, through) {
      target.subscribers.add(subscriber)
      subscriber.skip = through
    },
  }
  return subscriber
}

const grace = () => createOverflowGrace<ExecutionSubscriber>(10)

describe('handOverResults', () => {
  it('hands the results to every subscriber and records them', async () => {
    const execution = fakeExecution('100')
    const a = fakeSubscriber()
    const b = fakeSubscriber()
    execution.subscribers.add(a).add(b)
    await handOverResults(execution, results(101, 102), grace())
    expect([a.got, b.got]).toEqual([
      ['101', '102'],
      ['101', '102'],
    ])
    expect(execution.handedOverCursor()).toBe('102')
  })

  it('takes in a merger that has reached its hand-over point, and one a hand-over behind through its recent results', async () => {
    const base = fakeExecution('100', results(99, 100))
    const caughtUp = fakeExecution('100')
    const behind = fakeExecution('98')
    const [s1, s2] = [fakeSubscriber(), fakeSubscriber()]
    caughtUp.subscribers.add(s1)
    behind.subscribers.add(s2)
    base.mergers.add(caughtUp).add(behind)
    await handOverResults(base, results(101), grace())
    expect([caughtUp.stopped, behind.stopped, base.mergers.size]).toEqual([true, true, 0])
    expect(s1.got).toEqual(['101'])
    expect(s2.got).toEqual(['99', '100', '101'])
    expect([(s1 as { skip?: string }).skip, (s2 as { skip?: string }).skip]).toEqual(['100', '100'])
  })

  it('leaves a merger whose subscribers lack room for what they miss, or whose missing results are gone', async () => {
    const base = fakeExecution('100')
    base.recentAfter = (after) => (after === '98' ? results(99, 100) : undefined)
    const cramped = fakeExecution('98')
    cramped.subscribers.add(fakeSubscriber(2)) // 2 missing + 1 incoming > 2
    const gone = fakeExecution('97')
    gone.subscribers.add(fakeSubscriber())
    base.mergers.add(cramped).add(gone)
    await handOverResults(base, results(101), grace())
    expect([cramped.stopped, gone.stopped, base.mergers.size]).toEqual([false, false, 2])
  })
})

describe('absorb', () => {
  it('moves every subscriber to the base and stops the merger', () => {
    const base = fakeExecution('100')
    const merger = fakeExecution('100')
    const subscriber = fakeSubscriber()
    merger.subscribers.add(subscriber)
    base.mergers.add(merger)
    absorb(merger, base, '100')
    expect([base.subscribers.has(subscriber), base.mergers.size, merger.stopped]).toEqual([true, 0, true])
  })
})
