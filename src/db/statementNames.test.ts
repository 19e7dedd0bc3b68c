import { describe, expect, it } from 'vitest'
import { createStatementNames } from './statementNames.js'

describe('createStatementNames', () => {
  it('names a text from its second sending on, the same name every time, two texts differently, and no new text past the cap', () => {
    const nameOf = createStatementNames(3)
    expect(nameOf({ sql: 'SELECT 1' })).toBeUndefined() // sent once: planned as before, never kept
    const a = nameOf({ sql: 'SELECT 1' })
    expect(a).toMatch(/^s[0-9a-f]{24}$/)
    expect(nameOf({ sql: 'SELECT 1' })).toBe(a)
    for (const sql of ['SELECT 2', 'SELECT 3', 'SELECT 4']) nameOf({ sql })
    const b = nameOf({ sql: 'SELECT 2' })
    expect(b).toBeDefined()
    expect(b).not.toBe(a)
    expect(nameOf({ sql: 'SELECT 3' })).toBeDefined()
    expect(nameOf({ sql: 'SELECT 4' })).toBeUndefined() // beyond the cap: sent unnamed, planned each time
    expect(nameOf({ sql: 'SELECT 1' })).toBe(a) // named texts keep their name
    const other = createStatementNames()
    other({ sql: 'SELECT 1' })
    expect(other({ sql: 'SELECT 1' })).toBe(a) // the same name in every pool and process
  })
})
