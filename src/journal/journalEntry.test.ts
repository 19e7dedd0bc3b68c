import { describe, expect, it } from 'vitest'
import { toJournalEntry } from './journalEntry.js'

describe('toJournalEntry', () => {
  it('turns the row’s bigints into decimal strings and keeps every other field', () => {
    const row = {
      seq: 12345678901234567890n,
      chainId: 31337,
      kind: 'REMOVED' as const,
      subjectType: 'ATTESTATION' as const,
      subjectId: '42',
      blockNumber: 18446744073709551615n,
      blockHash: '0xab',
      logIndex: 3,
      finality: 'SAFE' as const,
    }
    const entry = toJournalEntry(row)
    expect(entry).toEqual({ ...row, seq: '12345678901234567890', blockNumber: '18446744073709551615' })
    expect(JSON.parse(JSON.stringify(entry))).toEqual(entry)
  })
})
