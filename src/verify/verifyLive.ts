/**
 * The checks run on demand, outside the queue (GraphQL `verifyAttestation`): the same reads and the same pure
 * checks as a worker, without writing anything.
 */
import type { PrismaClient, Verification } from '../generated/prisma/client.js'
import { type AttestationFacts, checkAttestation, type VerificationResult } from './checkAttestation.js'
import { type AttestationKey, keyOf, loadVerificationInputs } from './loadVerificationInputs.js'
import { parseReasons, sameReasons } from './reasons.js'

export type LiveVerification = {
  /** the attestation's facts as checked */
  facts: AttestationFacts
  /** the fresh verdict */
  result: VerificationResult
  /** the verdict the verify stage stored, null when it has not checked the attestation yet */
  stored: Verification | null
  /** true when status, reasons, finality, delegation or expiry differ from the stored verdict (or none is stored) */
  differsFromStored: boolean
}

/**
 * Verifies one attestation now (three queries: facts + ancestors, chain, stored verdict).
 * @returns null when the attestation is not indexed
 * @throws database errors
 */
export async function verifyLive(prisma: PrismaClient, key: AttestationKey): Promise<LiveVerification | null> {
  const inputs = await loadVerificationInputs(prisma, [key])
  const facts = inputs.facts.get(keyOf(key.chainId, key.attestationId))
  if (!facts) return null
  const result = checkAttestation(facts, inputs.lookup, inputs.chains.get(key.chainId) ?? null)
  const stored = inputs.stored.get(keyOf(key.chainId, key.attestationId)) ?? null
  return { facts, result, stored, differsFromStored: differs(result, stored) }
}

function differs(result: VerificationResult, stored: Verification | null): boolean {
  if (!stored) return true
  return (
    stored.status !== result.status ||
    !sameReasons(parseReasons(stored.reasons), result.reasons) ||
    stored.finalized !== result.finalized ||
    stored.delegated !== result.delegated ||
    (stored.expiresAt?.getTime() ?? null) !== (result.expiresAt?.getTime() ?? null)
  )
}
