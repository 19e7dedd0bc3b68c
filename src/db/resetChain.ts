/**
 * Deletes everything stored for one chain (records, journal, checkpoint, block window) in one transaction.
 * Used when the embedded devnet starts afresh: its chain id is reused but its history is new, so rows from a
 * previous run describe blocks that no longer exist.
 */
import type { PrismaClient } from '../generated/prisma/client.js'

/** @returns the number of attestations removed. */
export async function resetChain(prisma: PrismaClient, chainId: number): Promise<number> {
  const [, , , , removed] = await prisma.$transaction([
    prisma.recipient.deleteMany({ where: { chainId } }),
    prisma.verification.deleteMany({ where: { chainId } }),
    prisma.verificationJob.deleteMany({ where: { chainId } }),
    prisma.offchainAttestation.deleteMany({ where: { chainId } }),
    prisma.attestation.deleteMany({ where: { chainId } }),
    prisma.schema.deleteMany({ where: { chainId } }),
    prisma.event.deleteMany({ where: { chainId } }),
    prisma.skippedLog.deleteMany({ where: { chainId } }),
    prisma.block.deleteMany({ where: { chainId } }),
    prisma.checkpoint.deleteMany({ where: { chainId } }),
    prisma.chain.deleteMany({ where: { chainId } }),
  ])
  return removed.count
}
