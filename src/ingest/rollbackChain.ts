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
import { assertCheckpoint } from './commitBatch.js'

export type RollbackResult = { removedEvents: number; removedAttestations: number; unrevoked: number; lastSeq: bigint | null }

/**
 * @param ancestor the highest block still canonical (number and hash); everything above it is undone
 * @param from the checkpoint the reorg was detected against; the rollback aborts if the checkpoint moved since
 * @throws {DatabaseError} (retryable) when the transaction fails; nothing is changed then.
 */
export async function rollbackChain(prisma: PrismaClient, chainId: number, ancestor: { number: bigint; hash: string }, from?: { number: bigint; hash: string }): Promise<RollbackResult> {
  const above = { gt: ancestor.number }
  try {
    return await prisma.$transaction(
      async (tx) => {
        // the reorg was detected against this checkpoint: if another writer moved it since, detect again
        await assertCheckpoint(tx, chainId, from ? from.number : null, from?.hash)
        const undone = await tx.event.findMany({
          where: { chainId, blockNumber: above, kind: { in: ['CREATED', 'REVOKED'] } },
          orderBy: { seq: 'desc' },
          select: { kind: true, subjectType: true, subjectId: true, blockNumber: true, blockHash: true, logIndex: true, seq: true },
        })
        // Events already retracted by an earlier rollback must not be retracted twice.
        const retracted = await tx.event.findMany({ where: { chainId, blockNumber: above, kind: 'REMOVED' }, select: { subjectType: true, subjectId: true, blockHash: true, logIndex: true } })
        const key = (e: { subjectType: string; subjectId: string; blockHash: string; logIndex: number }) => `${e.subjectType}:${e.subjectId}:${e.blockHash}:${e.logIndex}`
        const done = new Set(retracted.map(key))
        const removals = undone.filter((e) => !done.has(key(e)))

        const heights = await tx.chain.findUnique({ where: { chainId }, select: { safeBlock: true, finalizedBlock: true } })
        const finalityOf = (block: bigint) =>
          heights?.finalizedBlock != null && block <= heights.finalizedBlock ? 'FINALIZED' as const
          : heights?.safeBlock != null && block <= heights.safeBlock ? 'SAFE' as const
          : 'LATEST' as const

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
          data: { revoked: false, revokeTimestamp: 0n, revokeReason: null, revokeTxHash: null, revokeBlockNumber: null, revokeBlockHash: null, revokeLogIndex: null },
        })
        await tx.offchainAttestation.deleteMany({ where: { chainId, blockNumber: above } })
        await tx.offchainAttestation.updateMany({
          where: { chainId, revokeBlockNumber: above },
          data: { revoked: false, revokeTimestamp: null, revokeReason: null, revokeTxHash: null, revokeBlockNumber: null, revokeBlockHash: null, revokeLogIndex: null },
        })
        await deleteSchemas(tx, chainId, ancestor.number)
        await tx.skippedLog.deleteMany({ where: { chainId, blockNumber: above } })
        await tx.block.deleteMany({ where: { chainId, number: above } })
        await bulkInsert(tx, 'VerificationJob', unrevokedRows.map((r) => ({ chainId, attestationId: r.attestationId, cause: 'REVOKED' })))
        const seqs = await tx.event.createManyAndReturn({
          data: removals.map((e) => ({ chainId, kind: 'REMOVED' as const, subjectType: e.subjectType, subjectId: e.subjectId, blockNumber: e.blockNumber, blockHash: e.blockHash, logIndex: e.logIndex, finality: finalityOf(e.blockNumber) })),
          select: { seq: true },
        })
        await tx.checkpoint.upsert({
          where: { chainId },
          create: { chainId, blockNumber: ancestor.number, blockHash: ancestor.hash },
          update: { blockNumber: ancestor.number, blockHash: ancestor.hash, logIndex: -1 },
        })
        return { removedEvents: removals.length, removedAttestations: ids.length, unrevoked: unrevokedRows.length, lastSeq: seqs.length ? seqs[seqs.length - 1]!.seq : null }
      },
      { timeout: 120_000, maxWait: 30_000 },
    )
  } catch (error) {
    throw new DatabaseError(`Rolling back chain ${chainId} to block ${ancestor.number} failed`, { cause: error, retryable: true, details: (error as Error)?.message })
  }
}
