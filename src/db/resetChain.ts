/**
 * Deletes everything stored for one chain (records, journal, checkpoint, block window) in one transaction.
 * Used when the embedded devnet starts afresh: its chain id is reused but its history is new, so rows from a
 * previous run describe blocks that no longer exist.
 */
import type { PrismaClient } from '../generated/prisma/client.js'
import { deleteAttestations, deleteSchemas } from './deleteRecords.js'

/**
 * @returns the number of attestations removed.
 * @throws the database's error when the transaction fails; nothing is removed then.
 */
export async function resetChain(prisma: PrismaClient, chainId: number): Promise<number> {
  return prisma.$transaction(
    async (tx) => {
      await tx.recipient.deleteMany({ where: { chainId } })
      await tx.verification.deleteMany({ where: { chainId } })
      await tx.verificationJob.deleteMany({ where: { chainId } })
      await tx.offchainAttestation.deleteMany({ where: { chainId } })
      // linked attestations are removed together with what they link to (see deleteRecords.ts)
      const removed = await deleteAttestations(tx, chainId, null)
      await deleteSchemas(tx, chainId, null)
      await tx.event.deleteMany({ where: { chainId } })
      await tx.skippedLog.deleteMany({ where: { chainId } })
      await tx.block.deleteMany({ where: { chainId } })
      await tx.checkpoint.deleteMany({ where: { chainId } })
      await tx.chain.deleteMany({ where: { chainId } })
      return removed
    },
    { timeout: 120_000, maxWait: 30_000 },
  )
}
