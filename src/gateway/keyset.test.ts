import { describe, expect, it } from 'vitest'
import { limitSql } from './keyset.js'

describe('limitSql', () => {
  it("writes a usual page's LIMIT into the text only when the statement's generic plan is known bounded", () => {
    expect(limitSql(51, true)).toMatchObject({ sql: 'LIMIT 51', values: [] })
    expect(limitSql(21, true)).toMatchObject({ sql: 'LIMIT 21', values: [] })
    // an unusual size, or a statement whose generic plan may not be bounded: a parameter, one text for every size
    expect(limitSql(37, true)).toMatchObject({ sql: 'LIMIT ?', values: [37] })
    expect(limitSql(51)).toMatchObject({ sql: 'LIMIT ?', values: [51] })
    expect(limitSql(51, false)).toMatchObject({ sql: 'LIMIT ?', values: [51] })
  })

  it('refuses anything but a non-negative safe integer', () => {
    for (const bad of [-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 53]) expect(() => limitSql(bad, true), String(bad)).toThrow(RangeError)
  })
})
