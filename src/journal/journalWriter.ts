/**
 * The journal's one writer. Every journal entry (a row of the `Event` table: one change of a schema, attestation or
 * off-chain attestation, in delivery order `seq`) is written here, always inside the caller's transaction — the
 * ingest commit (CREATED / REVOKED, with the rows and the checkpoint), the reorg rollback (REMOVED mirrors, with the
 * deletes and the checkpoint) and the verify stage (STATUS_CHANGED, with the verdicts). Entries committed together
 * become visible together, so the tail (journalTail.ts) never sees a row without its entry or an entry without its row.
 */
import { bulkInsertReturning } from '../db/bulkInsert.js'
import type { RawTx } from '../db/rawWriter.js'
import type { EventKind, Finality, Prisma, SubjectType } from '../generated/prisma/client.js'

/** A journal entry about to be written (its `seq` is given by the database). */
export type JournalEntryDraft = {
  chainId: number
  kind: EventKind
  subjectType: SubjectType
  /** the subject's id as stored: a decimal uint64 for schemas and attestations, the off-chain id text otherwise */
  subjectId: string
  /** block, block hash and log index of the change (for STATUS_CHANGED and REMOVED: of the change they are about) */
  blockNumber: bigint
  blockHash: string
  logIndex: number
  /** REMOVED only: how final the retracted entry had become (see prisma/schema.prisma, `Event.finality`) */
  finality?: Finality | null
}

/** `seq` of the first and last entry written (null when none), in the order given. */
export type AppendedEntries = { count: number; firstSeq: bigint | null; lastSeq: bigint | null }

/**
 * Appends `entries` in the order given (one INSERT … RETURNING; `seq` increases along the array).
 * @throws what the database throws (the caller's transaction then rolls back with everything else)
 */
export async function appendJournalEntries(tx: RawTx, entries: readonly JournalEntryDraft[]): Promise<AppendedEntries> {
  if (!entries.length) return { count: 0, firstSeq: null, lastSeq: null }
  const seqs = await bulkInsertReturning(tx, 'Event', entries, 'seq')
  return { count: seqs.length, firstSeq: BigInt(seqs[0]!.seq as bigint), lastSeq: BigInt(seqs[seqs.length - 1]!.seq as bigint) }
}

/**
 * A reorg takes back every block above `ancestorBlock`: each CREATED / REVOKED entry there gets a mirror REMOVED
 * entry (same subject, block hash and log index), newest first, unless an earlier rollback already retracted it.
 * @param finalityOf how final the retracted entry's block had become (decides which delivery levels see it)
 */
export async function retractJournalEntriesAbove(
  tx: Prisma.TransactionClient,
  chainId: number,
  ancestorBlock: bigint,
  finalityOf: (blockNumber: bigint) => Finality,
): Promise<AppendedEntries> {
  const above = { gt: ancestorBlock }
  const undone = await tx.event.findMany({
    where: { chainId, blockNumber: above, kind: { in: ['CREATED', 'REVOKED'] } },
    orderBy: { seq: 'desc' },
    select: { subjectType: true, subjectId: true, blockNumber: true, blockHash: true, logIndex: true },
  })
  const retracted = await tx.event.findMany({
    where: { chainId, blockNumber: above, kind: 'REMOVED' },
    select: { subjectType: true, subjectId: true, blockHash: true, logIndex: true },
  })
  const key = (e: { subjectType: string; subjectId: string; blockHash: string; logIndex: number }) =>
    `${e.subjectType}:${e.subjectId}:${e.blockHash}:${e.logIndex}`
  const done = new Set(retracted.map(key))
  const removals = undone.filter((e) => !done.has(key(e)))
  return appendJournalEntries(
    tx,
    removals.map((e) => ({ chainId, kind: 'REMOVED' as const, ...e, finality: finalityOf(e.blockNumber) })),
  )
}
