import { describe, expect, it } from 'vitest'
import { createRecentResults } from './recentResults.js'

const results = (...cursors: (number | undefined)[]) => cursors.map((c) => ({ result: { data: { c } }, cursor: c === undefined ? undefined : String(c) }))

describe('createRecentResults', () => {
  it('answers the results after a cursor it covers, and undefined before its floor', () => {
    const recent = createRecentResults(10, '100')
    recent.add(results(101, 102, 103))
    expect(recent.after('101')?.map((r) => r.cursor)).toEqual(['102', '103'])
    expect(recent.after('100')?.map((r) => r.cursor)).toEqual(['101', '102', '103'])
    expect(recent.after('103')).toEqual([])
    expect(recent.after('99')).toBeUndefined()
    expect(recent.after('not a cursor')).toBeUndefined()
  })

  it('forgets the oldest beyond its limit and raises its floor to the last one forgotten', () => {
    const recent = createRecentResults(2, '100')
    recent.add(results(101, 102, 103))
    expect(recent.after('100')).toBeUndefined()
    expect(recent.after('101')?.map((r) => r.cursor)).toEqual(['102', '103'])
  })

  it('cannot tell after a result without a cursor, or with an unknown start, or with no limit', () => {
    const uncursored = createRecentResults(10, '100')
    uncursored.add(results(101, undefined))
    expect(uncursored.after('101')).toBeUndefined()
    expect(createRecentResults(10, undefined).after('1')).toBeUndefined()
    const none = createRecentResults(0, '100')
    none.add(results(101))
    expect(none.after('100')).toBeUndefined()
  })
})
