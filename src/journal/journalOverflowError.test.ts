import { describe, expect, it } from 'vitest'
import { BaseError } from '../errors/baseError.js'
import { JournalOverflowError } from './journalOverflowError.js'

describe('JournalOverflowError', () => {
  it('carries the resume cursor and the JOURNAL_OVERFLOW code', () => {
    const error = new JournalOverflowError('41', 8)
    expect(error).toBeInstanceOf(BaseError)
    expect(error.cursor).toBe('41')
    expect(error.code).toBe('JOURNAL_OVERFLOW')
    expect(error.message).toContain('more than 8 undelivered events; resume after seq 41')
  })
})
