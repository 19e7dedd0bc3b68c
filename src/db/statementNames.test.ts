import { describe, expect, it } from 'vitest'
import { createStatementNames } from './statementNames.js'

describe('createStatementNames', () => {
  it('names a text the same every time, two texts differently, and stops naming new texts at the cap', () => {
    const nameOf = createStatementNames(3)
    const a = nameOf({ sql: 'SELECT 1' })
    expect(a).toMatch(/^s[0-9a-f]{24}$/)
    expect(nameOf({ sql: 'SELECT 1' })).toBe(a)
    expect(nameOf({ sql: 'SELECT 2' })).not.toBe(a)
    expect(nameOf({ sql: 'SELECT 3' })).toBeDefined()
    expect(nameOf({ sql: 'SELECT 4' })).toBeUndefined() // beyond the cap: sent unnamed, planned each time
    expect(nameOf({ sql: 'SELECT 1' })).toBe(a) // named texts keep their name
    expect(createStatementNames()({ sql: 'SELECT 1' })).toBe(a) // the same name in every process and pool
  })
})
