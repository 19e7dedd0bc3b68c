/**
 * The ordered commit: rows, revocation updates, skipped logs, the journal and the checkpoint of one range in ONE
 * transaction (invariants 1 and 2 of ARCHITECTURE.md). A crash before COMMIT leaves nothing of the range; after it,
 * the checkpoint says the range is done, so a restart neither repeats nor skips it.
 */
import { Prisma, type PrismaClient } from '../generated/prisma/client.js'
import { dbCommitDuration } from '../common/metrics.js'
import { DatabaseError } from '../errors/baseError.js'
import type { Batch } from './buildBatch.js'

/** Window of block headers kept for reorg detection, in blocks. */
export const BLOCK_WINDOW = 256n

const jsonOrDbNull = (v: unknown) => (v === null || v === undefined ? Prisma.DbNull : (v as Prisma.InputJsonValue))

export type CommitResult = { firstSeq: bigint | null; lastSeq: bigint | null }

/**
 * Writes one batch atomically and moves the chain's checkpoint to `batch.toBlock`.
 * @throws {DatabaseError} (retryable) when the transaction fails; nothing of the batch is kept.
 */
export async function commitBatch(prisma: PrismaClient, batch: Batch): Promise<CommitResult> {
  const end = dbCommitDuration.startTimer()
  try {
    return await prisma.$transaction(
      async (tx) => {
        const { chainId } = batch
        if (batch.schemas.length) {
          await tx.schema.createMany({ data: batch.schemas.map((s) => ({ ...s, dataJson: jsonOrDbNull(s.dataJson), fields: jsonOrDbNull(s.fields) })) })
        }
        if (batch.attestations.length) {
          await tx.attestation.createMany({ data: batch.attestations.map((a) => ({ ...a, decodedData: jsonOrDbNull(a.decodedData) })) })
        }
        if (batch.recipients.length) await tx.recipient.createMany({ data: batch.recipients })
        if (batch.offchain.length) await tx.offchainAttestation.createMany({ data: batch.offchain })
        for (const r of batch.revocations) {
          const data = {
            revoked: true, revokeTimestamp: r.revokeTimestamp, revokeReason: r.reason, revokeTxHash: r.txHash,
            revokeBlockNumber: r.blockNumber, revokeBlockHash: r.blockHash, revokeLogIndex: r.logIndex,
          }
          if (r.subject === 'attestation') await tx.attestation.updateMany({ where: { chainId, attestationId: r.id as bigint }, data })
          else await tx.offchainAttestation.updateMany({ where: { chainId, offchainAttestationId: r.id as string }, data })
        }
        if (batch.skipped.length) {
          await tx.skippedLog.createMany({
            data: batch.skipped.map((s) => ({ chainId, blockNumber: s.blockNumber, logIndex: s.logIndex, blockHash: s.blockHash, txHash: s.txHash, topic0: s.topic0, data: s.data, reason: s.reason })),
            skipDuplicates: true,
          })
        }
        let firstSeq: bigint | null = null
        let lastSeq: bigint | null = null
        if (batch.journal.length) {
          const rows = await tx.event.createManyAndReturn({ data: batch.journal, select: { seq: true } })
          firstSeq = rows[0]!.seq
          lastSeq = rows[rows.length - 1]!.seq
        }
        if (batch.blocks.length) {
          await tx.block.createMany({ data: batch.blocks, skipDuplicates: true })
          await tx.block.deleteMany({ where: { chainId, number: { lt: batch.toBlock - BLOCK_WINDOW } } })
        }
        await tx.checkpoint.upsert({
          where: { chainId },
          create: { chainId, blockNumber: batch.toBlock, blockHash: batch.toBlockHash },
          update: { blockNumber: batch.toBlock, blockHash: batch.toBlockHash, logIndex: -1 },
        })
        return { firstSeq, lastSeq }
      },
      { timeout: 120_000, maxWait: 30_000 },
    )
  } catch (error) {
    throw new DatabaseError(`Committing blocks ${batch.fromBlock}-${batch.toBlock} failed`, { cause: error, retryable: true, details: (error as Error)?.message })
  } finally {
    end()
  }
}
