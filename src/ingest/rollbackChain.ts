/**
 * Undoes everything committed above a block (invariant 4 of ARCHITECTURE.md) in ONE transaction:
 * - records created above it are deleted (attestations with their recipients and verification state, schemas,
 *   off-chain attestations, skipped logs, block headers);
 * - revocations above it are undone on records that stay (revoked = false, revocation fields cleared);
 * - every journal entry above it gets a mirror `REMOVED` entry (same subject, block hash and log index as the
 *   entry it retracts), so subscribers learn exactly what disappeared; its `finality` says how final the retracted
 *   block had become (judged against the chain row's safe and finalized blocks, the ones the gateway delivers by),
 *   so SAFE and FINALIZED subscribers see a retraction only of what they had been given;
 * - records whose state changed are queued for the verify stage;
 * - the checkpoint moves down to the ancestor.
 * Re-ingesting the canonical blocks afterwards is the sync loop's job. Attestation ids are per-contract counters:
 * after a reorg the same id may come back as a different attestation, which is why rows are deleted, not kept.
 */
import type { PrismaClient } from '../generated/prisma/client.js'
import { bulkInsert } from '../db/bulkInsert.js'
import { deleteAttestations, deleteSchemas } from '../db/deleteRecords.js'
import { DatabaseError } from '../errors/baseError.js'
import { retractJournalEntriesAbove } from '../journal/journalWriter.js'
import { assertCheckpoint } from './commitBatch.js'

export type RollbackResult = { removedEvents: number; removedAttestations: number; unrevoked: number; lastSeq: bigint | null }

/**
 * @param ancestor the highest block still canonical (number and hash); everything above it is undone
 * @param from the checkpoint the reorg was detected against; the rollback aborts if the checkpoint moved since
 * @throws {DatabaseError} (retryable) when the transaction fails; nothing is changed then.
 */
export async function rollbackChain(
  prisma: PrismaClient,
  chainId: number,
  ancestor: { number: bigint; hash: string },
  from?: { number: bigint; hash: string },
): Promise<RollbackResult> {
  const above = { gt: ancestor.number }
  try {
    return await prisma.$transaction(
      async (tx) => {
        // the reorg was detected against this checkpoint: if another writer moved it since, detect again
        await assertCheckpoint(tx, chainId, from ? from.number : null, from?.hash)
        const heights = await tx.chain.findUnique({ where: { chainId }, select: { safeBlock: true, finalizedBlock: true } })
        const finalityOf = (block: bigint) =>
          heights?.finalizedBlock != null && block <= heights.finalizedBlock
            ? ('FINALIZED' as const)
            : heights?.safeBlock != null && block <= heights.safeBlock
              ? ('SAFE' as const)
              : ('LATEST' as const)

        const removedAttestations = await tx.attestation.findMany({ where: { chainId, blockNumber: above }, select: { attestationId: true } })
        const ids = removedAttestations.map((a) => a.attestationId)
        if (ids.length) {
          await tx.recipient.deleteMany({ where: { chainId, attestationId: { in: ids } } })
          await tx.verificationJob.deleteMany({ where: { chainId, attestationId: { in: ids } } })
          await tx.verification.deleteMany({ where: { chainId, attestationId: { in: ids } } })
          await deleteAttestations(tx, chainId, ancestor.number) // the same rows: those committed above the ancestor
        }
        const unrevokedRows = await tx.attestation.findMany({ where: { chainId, revokeBlockNumber: above }, select: { attestationId: true } })
        await tx.attestation.updateMany({
          where: { chainId, revokeBlockNumber: above },
          data: {
            revoked: false,
            revokeTimestamp: 0n,
            revokeReason: null,
            revokeTxHash: null,
            revokeBlockNumber: null,
            revokeBlockHash: null,
            revokeLogIndex: null,
          },
        })
        await tx.offchainAttestation.deleteMany({ where: { chainId, blockNumber: above } })
        await tx.offchainAttestation.updateMany({
          where: { chainId, revokeBlockNumber: above },
          data: {
            revoked: false,
            revokeTimestamp: null,
            revokeReason: null,
            revokeTxHash: null,
            revokeBlockNumber: null,
            revokeBlockHash: null,
            revokeLogIndex: null,
          },
        })
        await deleteSchemas(tx, chainId, ancestor.number)
        await tx.skippedLog.deleteMany({ where: { chainId, blockNumber: above } })
        await tx.block.deleteMany({ where: { chainId, number: above } })
        await bulkInsert(
          tx,
          'VerificationJob',
          unrevokedRows.map((r) => ({ chainId, attestationId: r.attestationId, cause: 'REVOKED' })),
        )
        const journal = await retractJournalEntriesAbove(tx, chainId, ancestor.number, finalityOf)
        await tx.checkpoint.upsert({
          where: { chainId },
          create: { chainId, blockNumber: ancestor.number, blockHash: ancestor.hash },
          update: { blockNumber: ancestor.number, blockHash: ancestor.hash, logIndex: -1 },
        })
        return { removedEvents: journal.count, removedAttestations: ids.length, unrevoked: unrevokedRows.length, lastSeq: journal.lastSeq }
      },
      { timeout: 120_000, maxWait: 30_000 },
    )
  } catch (error) {
    throw new DatabaseError(`Rolling back chain ${chainId} to block ${ancestor.number} failed`, {
      cause: error,
      retryable: true,
      details: (error as Error)?.message,
    })
  }
}
