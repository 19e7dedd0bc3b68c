/**
 * The ordered commit: rows, revocation updates, skipped logs, the journal and the checkpoint of one range in ONE
 * transaction (invariants 1 and 2 of ARCHITECTURE.md). A crash before COMMIT leaves nothing of the range; after it,
 * the checkpoint says the range is done, so a restart neither repeats nor skips it.
 */
import { bulkInsert } from '../db/bulkInsert.js'
import type { RawTx, RawWriter } from '../db/rawWriter.js'
import { forgetQueryArguments } from '../db/forgetQueryArguments.js'
import type { Metrics } from '../common/metrics.js'
import { DatabaseError } from '../errors/baseError.js'
import { appendJournalEntries } from '../journal/journalWriter.js'
import { isDataError } from '../db/getSqlState.js'
import type { Batch } from './buildBatch.js'

/** Window of block headers kept for reorg detection, in blocks. */
export const BLOCK_WINDOW = 256n

export type CommitResult = { firstSeq: bigint | null; lastSeq: bigint | null }

type Tx = Pick<RawTx, '$queryRawUnsafe'>

/**
 * Locks the chain's checkpoint row for the rest of the transaction (`FOR UPDATE`) and checks it is where this
 * writer expects. Every writer of a chain (commits, rollbacks) goes through this row, so two writers that overlap —
 * e.g. a killed indexer's last transaction still in flight while its successor starts — serialise here and the
 * later one fails instead of writing rows the checkpoint does not account for.
 * @param expected the block the checkpoint must be at, or `null` to only lock it
 * @throws {DatabaseError} (retryable) when the checkpoint is elsewhere; the caller resumes from the checkpoint.
 */
export async function assertCheckpoint(tx: Tx, chainId: number, expected: bigint | null, expectedHash?: string): Promise<void> {
  const rows = await tx.$queryRawUnsafe<{ blockNumber: bigint | string; blockHash: string }[]>(
    'SELECT "blockNumber", "blockHash" FROM "Checkpoint" WHERE "chainId" = $1 FOR UPDATE',
    chainId,
  )
  const row = rows[0]
  if (expected === null || !row) return
  if (BigInt(row.blockNumber) !== expected || (expectedHash !== undefined && row.blockHash !== expectedHash)) {
    throw new DatabaseError(`Checkpoint of chain ${chainId} is at block ${row.blockNumber}, expected ${expected}: another writer or a rollback moved it`, {
      retryable: true,
    })
  }
}

/**
 * Writes one batch atomically and moves the chain's checkpoint to `batch.toBlock`; its duration goes to
 * `metrics.dbCommitDuration` (`sign_indexer_db_commit_duration_seconds`).
 * @throws {DatabaseError} when the transaction fails; nothing of the batch is kept. `retryable` is false when the
 *   database refused the values themselves (SQLSTATE class 22/23/54, see isDataError): the same batch will fail
 *   again, which `commitBatchResilient` resolves by isolating the offending logs.
 */
export async function commitBatch(writer: RawWriter, batch: Batch, metrics: Metrics): Promise<CommitResult> {
  const end = metrics.dbCommitDuration.startTimer()
  try {
    return await writer.transaction((tx) => writeBatch(tx, batch))
  } catch (error) {
    throw new DatabaseError(`Committing blocks ${batch.fromBlock}-${batch.toBlock} failed`, {
      cause: error,
      retryable: !isDataError(error),
      details: (error as Error)?.message,
    })
  } finally {
    end()
    forgetQueryArguments() // the multi-megabyte bulk-insert JSON must not live on in Prisma's debug history
  }
}

/**
 * The statements of {@link commitBatch}, inside a transaction the caller opened (a probe of `commitBatchResilient`
 * runs them and rolls back).
 *
 * On a pipelined connection (node-postgres, src/db/rawWriter.ts) each statement is queued as soon as it is made and
 * all are awaited at the end: the server runs one while the next one's JSON is made, and the process is free for
 * the fetch pipeline while the server works (the backfill profile had them taking turns: process busy, then server
 * busy). Order and outcome are those of awaiting each in turn: the connection runs them in queue order, and the
 * first failure (the earliest statement) is what this throws; the ones after it fail as "transaction aborted". The
 * journal is the exception to the order: its chunks after the first (bulkInsertReturning awaits each) are queued
 * behind the statements made meanwhile, in the same transaction.
 * @throws whatever the database throws (the transaction is then unusable), or the checkpoint's DatabaseError.
 */
export async function writeBatch(tx: RawTx, batch: Batch): Promise<CommitResult> {
  const { chainId } = batch
  const pending: Promise<unknown>[] = []
  const step = async (statement: Promise<unknown>): Promise<void> => {
    if (!tx.pipelined) {
      await statement
      return
    }
    statement.catch(() => {}) // awaited below, with the others
    pending.push(statement)
  }
  const queued = tx.pipelined ? { pending } : {}
  await step(assertCheckpoint(tx, chainId, batch.fromBlock - 1n))
  await bulkInsert(tx, 'Schema', batch.schemas, queued)
  await bulkInsert(tx, 'Attestation', batch.attestations, queued)
  await bulkInsert(tx, 'Recipient', batch.recipients, queued)
  await bulkInsert(tx, 'OffchainAttestation', batch.offchain, queued)
  for (const r of batch.revocations) {
    const [table, key] = r.subject === 'attestation' ? ['Attestation', 'attestationId'] : ['OffchainAttestation', 'offchainAttestationId']
    await step(
      tx.$executeRawUnsafe(
        `UPDATE "${table}" SET "revoked" = true, "revokeTimestamp" = $3::bigint, "revokeReason" = $4, "revokeTxHash" = $5,
         "revokeBlockNumber" = $6::bigint, "revokeBlockHash" = $7, "revokeLogIndex" = $8
       WHERE "chainId" = $1 AND "${key}" = $2${r.subject === 'attestation' ? '::bigint' : ''}`,
        chainId,
        r.id.toString(),
        r.revokeTimestamp.toString(),
        r.reason,
        r.txHash,
        r.blockNumber.toString(),
        r.blockHash,
        r.logIndex,
      ),
    )
  }
  await bulkInsert(
    tx,
    'SkippedLog',
    batch.skipped.map((s) => ({
      chainId,
      blockNumber: s.blockNumber,
      logIndex: s.logIndex,
      blockHash: s.blockHash,
      txHash: s.txHash,
      topic0: s.topic0,
      data: s.data,
      reason: s.reason,
    })),
    { onConflictDoNothing: true, ...queued },
  )
  // The verify stage's work, durable in the same transaction: it never blocks this commit.
  await bulkInsert(
    tx,
    'VerificationJob',
    [
      ...batch.attestations.map((a) => ({ chainId, attestationId: a.attestationId, cause: 'CREATED' })),
      ...batch.revocations.filter((r) => r.subject === 'attestation').map((r) => ({ chainId, attestationId: r.id, cause: 'REVOKED' })),
    ],
    queued,
  )
  const journal = appendJournalEntries(tx, batch.journal)
  await step(journal)
  if (batch.blocks.length) {
    await bulkInsert(tx, 'Block', batch.blocks, { onConflictDoNothing: true, ...queued })
    await step(tx.$executeRawUnsafe('DELETE FROM "Block" WHERE "chainId" = $1 AND "number" < $2::bigint', chainId, (batch.toBlock - BLOCK_WINDOW).toString()))
  }
  // "updatedAt" as Prisma's @updatedAt writes it: UTC, in a timestamp without time zone
  await step(
    tx.$executeRawUnsafe(
      `INSERT INTO "Checkpoint" ("chainId", "blockNumber", "blockHash", "logIndex", "updatedAt")
     VALUES ($1, $2::bigint, $3, -1, now() AT TIME ZONE 'UTC')
     ON CONFLICT ("chainId") DO UPDATE SET "blockNumber" = EXCLUDED."blockNumber", "blockHash" = EXCLUDED."blockHash",
       "logIndex" = -1, "updatedAt" = EXCLUDED."updatedAt"`,
      chainId,
      batch.toBlock.toString(),
      batch.toBlockHash,
    ),
  )
  await Promise.all(pending)
  const { firstSeq, lastSeq } = await journal
  return { firstSeq, lastSeq }
}
