/**
 * A journal entry as subscribers see it: the `Event` row (written by journalWriter.ts) with every bigint turned into a
 * decimal string, so it can be JSON-serialised as it is (e.g. for Redis pub/sub).
 */
import type { EventKind, Finality, SubjectType } from '../generated/prisma/client.js'
import type { JournalEntryDraft } from './journalWriter.js'

/** One journal entry, as strings and small numbers (safe to JSON-serialise, e.g. for Redis pub/sub). */
export type JournalEntry = {
  /** the journal cursor: `Event.seq` as a decimal string */
  seq: string
  chainId: number
  kind: EventKind
  subjectType: SubjectType
  /** decimal attestation or schema id, or the off-chain attestation id */
  subjectId: string
  blockNumber: string
  blockHash: string
  logIndex: number
  /** REMOVED only: how final the retracted entry had become (LATEST / SAFE / FINALIZED); null otherwise */
  finality: Finality | null
}

/** A journal entry as read from the table: what the writer wrote (journalWriter.ts), with its `seq`. */
export type JournalEntryRow = Required<JournalEntryDraft> & { seq: bigint }

/** Converts a row of the `Event` table to a journal entry (`seq` and `blockNumber` as decimal strings). */
export function toJournalEntry(row: JournalEntryRow): JournalEntry {
  return {
    seq: row.seq.toString(),
    chainId: row.chainId,
    kind: row.kind,
    subjectType: row.subjectType,
    subjectId: row.subjectId,
    blockNumber: row.blockNumber.toString(),
    blockHash: row.blockHash,
    logIndex: row.logIndex,
    finality: row.finality,
  }
}
