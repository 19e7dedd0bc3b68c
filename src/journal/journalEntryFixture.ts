/**
 * Test fixture for the journal's unit tests: a journal entry row as the tail reads it (`CREATED` of attestation
 * `seq` at block 1, log index 0, no finality), with `seq` and `chainId` as given.
 */
import type { JournalEntryRow } from './journalEntry.js'

/** A `CREATED` journal entry row numbered `seq` on `chainId` (default 1); its subject id is `seq` too. */
export function journalEntryRow(seq: number, chainId = 1): JournalEntryRow {
  return {
    seq: BigInt(seq),
    chainId,
    kind: 'CREATED',
    subjectType: 'ATTESTATION',
    subjectId: String(seq),
    blockNumber: 1n,
    blockHash: '0x',
    logIndex: 0,
    finality: null,
  } as JournalEntryRow
}
