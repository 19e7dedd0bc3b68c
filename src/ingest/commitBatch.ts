/**
 * The ordered commit: rows, revocation updates, skipped logs, the journal and the checkpoint of one range in ONE
 * transaction (invariants 1 and 2 of ARCHITECTURE.md). A crash before COMMIT leaves nothing of the range; after it,
 * the checkpoint says the range is done, so a restart neither repeats nor skips it.
 */
import type { Prisma, PrismaClient } from '../generated/prisma/client.js'
import { bulkInsert } from '../db/bulkInsert.js'
import { forgetQueryArguments } from '../db/forgetQueryArguments.js'
import type { Metrics } from '../common/metrics.js'
import { DatabaseError } from '../errors/baseError.js'
import { appendJournalEntries } from '../journal/journalWriter.js'
import { isDataError } from '../db/getSqlState.js'
import type { Batch } from './buildBatch.js'

/** Window of block headers kept for reorg detection, in blocks. */
export const BLOCK_WINDOW = 256n

export type CommitResult = { firstSeq: bigint | null; lastSeq: bigint | null }

type Tx = Pick<PrismaClient, '$queryRawUnsafe'>

/**
 * Locks the chain's checkpoint row for the rest of the transaction (`FOR UPDATE`) and checks it is where this
 * writer expects. Every writer of a chain (commits, rollbacks) goes through this row, so two writers that overlap —
 * e.g. a killed indexer's last transaction still in flight while its successor starts — serialise here and the
 * later one fails instead of writing rows the checkpoint does not account for.
 * @param expected the block the checkpoint must be at, or `null` to only lock it
 * @throws {DatabaseError} (retryable) when the checkpoint is elsewhere; the caller resumes from the checkpoint.
 */
export async function assertCheckpoint(tx: Tx, chainId: number, expected: bigint | null, expectedHash?: string): Promise<void> {
  const rows = await tx.$queryRawUnsafe<{ blockNumber: bigint; blockHash: string }[]>(
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
export async function commitBatch(prisma: PrismaClient, batch: Batch, metrics: Metrics): Promise<CommitResult> {
  const end = metrics.dbCommitDuration.startTimer()
  try {
    return await prisma.$transaction((tx) => writeBatch(tx, batch), { timeout: 120_000, maxWait: 30_000 })
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
 * @throws whatever Prisma throws (the transaction is then unusable), or the checkpoint's DatabaseError.
 */
export async function writeBatch(tx: Prisma.TransactionClient, batch: Batch): Promise<CommitResult> {
  const { chainId } = batch
  await assertCheckpoint(tx, chainId, batch.fromBlock - 1n)
  await bulkInsert(tx, 'Schema', batch.schemas)
  await bulkInsert(tx, 'Attestation', batch.attestations)
  await bulkInsert(tx, 'Recipient', batch.recipients)
  await bulkInsert(tx, 'OffchainAttestation', batch.offchain)
  for (const r of batch.revocations) {
    const data = {
      revoked: true,
      revokeTimestamp: r.revokeTimestamp,
      revokeReason: r.reason,
      revokeTxHash: r.txHash,
      revokeBlockNumber: r.blockNumber,
      revokeBlockHash: r.blockHash,
      revokeLogIndex: r.logIndex,
    }
    if (r.subject === 'attestation') await tx.attestation.updateMany({ where: { chainId, attestationId: r.id as bigint }, data })
    else await tx.offchainAttestation.updateMany({ where: { chainId, offchainAttestationId: r.id as string }, data })
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
    { onConflictDoNothing: true },
  )
  // The verify stage's work, durable in the same transaction: it never blocks this commit.
  await bulkInsert(tx, 'VerificationJob', [
    ...batch.attestations.map((a) => ({ chainId, attestationId: a.attestationId, cause: 'CREATED' })),
    ...batch.revocations.filter((r) => r.subject === 'attestation').map((r) => ({ chainId, attestationId: r.id, cause: 'REVOKED' })),
  ])
  const { firstSeq, lastSeq } = await appendJournalEntries(tx, batch.journal)
  if (batch.blocks.length) {
    await bulkInsert(tx, 'Block', batch.blocks, { onConflictDoNothing: true })
    await tx.block.deleteMany({ where: { chainId, number: { lt: batch.toBlock - BLOCK_WINDOW } } })
  }
  await tx.checkpoint.upsert({
    where: { chainId },
    create: { chainId, blockNumber: batch.toBlock, blockHash: batch.toBlockHash },
    update: { blockNumber: batch.toBlock, blockHash: batch.toBlockHash, logIndex: -1 },
  })
  return { firstSeq, lastSeq }
}
