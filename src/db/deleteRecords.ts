/**
 * Deletes attestations and schemas of one chain as sets, in plain SQL.
 *
 * Why not Prisma's `deleteMany`: the schema runs with `relationMode = "prisma"` (no foreign keys in the database),
 * so Prisma emulates `onDelete: Restrict` by checking, before the DELETE, that no row still points at the rows
 * being deleted — including rows of the same set. An attestation and the attestation that links to it
 * (`linkedAttestationId`, relation "Lineage") can then never be deleted together, and a rollback or reset that
 * must remove both failed on every retry. The chain itself guarantees the integrity the check was for: a linked
 * attestation has a LOWER id that existed when the child was made (SP v1.1.2+, sign-protocol-facts.md item 7), so
 * removing every record above a block (or every record of a chain) never leaves a survivor pointing at a removed
 * row; the same holds for an attestation's schema.
 *
 * Callers delete children first (recipients, verification rows and jobs), then attestations, then schemas, all in
 * one transaction.
 */
import type { PrismaClient } from '../generated/prisma/client.js'

type Tx = Pick<PrismaClient, '$executeRawUnsafe'>

/**
 * Deletes the chain's attestations committed above `aboveBlock` (all of them when null), whatever links exist
 * between them. Recipients, verification rows and jobs of those attestations must be deleted first.
 * @returns the number of attestations deleted
 */
export function deleteAttestations(tx: Tx, chainId: number, aboveBlock: bigint | null): Promise<number> {
  return aboveBlock === null
    ? tx.$executeRawUnsafe('DELETE FROM "Attestation" WHERE "chainId" = $1', chainId)
    : tx.$executeRawUnsafe('DELETE FROM "Attestation" WHERE "chainId" = $1 AND "blockNumber" > $2', chainId, aboveBlock)
}

/**
 * Deletes the chain's schemas registered above `aboveBlock` (all of them when null). Their attestations must be
 * deleted first (they are always at the same block or later).
 * @returns the number of schemas deleted
 */
export function deleteSchemas(tx: Tx, chainId: number, aboveBlock: bigint | null): Promise<number> {
  return aboveBlock === null
    ? tx.$executeRawUnsafe('DELETE FROM "Schema" WHERE "chainId" = $1', chainId)
    : tx.$executeRawUnsafe('DELETE FROM "Schema" WHERE "chainId" = $1 AND "blockNumber" > $2', chainId, aboveBlock)
}
