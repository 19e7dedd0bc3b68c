/**
 * The verify stage's vocabulary: statuses, reason codes and what each reason does to the status.
 *
 * Every reason has one fixed effect:
 * - `status` reasons decide the status by themselves: PENDING_CONFIRMATIONS → PENDING, REVOKED → REVOKED,
 *   EXPIRED → EXPIRED.
 * - `invalidating` reasons make an otherwise live attestation INVALID: the record breaks a rule of the protocol
 *   (or of a newer contract version than the one that wrote it), or cannot be checked against what it claims.
 * - `informational` reasons never change the status: facts a client may weigh itself (the protocol explicitly
 *   allows linking to a revoked or expired attestation, and delegation is legitimate).
 *
 * Status precedence: PENDING (too few confirmations: anything else is provisional) > REVOKED > INVALID > EXPIRED
 * > VALID. Reasons are always listed in full (a PENDING attestation also shows its REVOKED reason, if any), in
 * the order of {@link REASON_CODES}, with messages that do not change while the facts do not change (so a
 * re-check that finds nothing new writes no journal entry).
 */
import type { VerificationStatus } from '../generated/prisma/client.js'

export type { VerificationStatus }

/** What a reason does to the status (see the module comment). */
export type ReasonEffect = 'status' | 'invalidating' | 'informational'

/** Every reason code, in the order reasons are listed, with its effect and a one-line description. */
export const REASON_CODES = {
  PENDING_CONFIRMATIONS: { effect: 'status', description: 'fewer confirmations than the chain setting: the block may still be reorganised away' },
  REVOKED: { effect: 'status', description: 'revoked by a transaction, or born revoked (revoked at creation, no AttestationRevoked event, SP <= v1.1.2)' },
  EXPIRED: { effect: 'status', description: 'validUntil != 0 and validUntil <= the chain head block timestamp' },
  SCHEMA_MISSING: { effect: 'invalidating', description: 'the schema is not indexed (registered before the start block, or never)' },
  VALID_UNTIL_EXCEEDS_MAX_VALID_FOR: {
    effect: 'invalidating',
    description: 'validUntil - attestTimestamp exceeds the schema maxValidFor (or validUntil is 0 under a capped schema)',
  },
  DATA_UNDECODABLE: { effect: 'invalidating', description: 'data does not decode against the schema fields (or is not abi.encode(string cid))' },
  LINKED_MISSING: { effect: 'invalidating', description: 'the linked attestation is not indexed' },
  LINKED_DIFFERENT_ATTESTER: { effect: 'invalidating', description: 'the linked attestation has another attester (SP >= v1.1.2 forbids it)' },
  LINKED_NOT_LOWER_ID: { effect: 'invalidating', description: 'the linked attestation id is not lower than this id' },
  LINEAGE_INVALID: { effect: 'invalidating', description: 'an ancestor is INVALID on its own checks' },
  LINEAGE_REVOKED: { effect: 'informational', description: 'an ancestor is revoked' },
  LINEAGE_EXPIRED: { effect: 'informational', description: 'an ancestor is expired' },
  LINEAGE_TRUNCATED: { effect: 'informational', description: 'ancestors beyond the verifier depth cap were not checked' },
  DATA_NOT_CHECKED: { effect: 'informational', description: 'nothing to check the data against (schema without ABI fields, CUSTOM data location)' },
  DELEGATED: { effect: 'informational', description: 'tx.from differs from the attester (relayer, contract or delegate signature)' },
  NOT_YET_VERIFIED: { effect: 'status', description: 'the verifier has not checked this attestation yet (status PENDING); served by the gateway only' },
} as const satisfies Record<string, { effect: ReasonEffect; description: string }>

export type ReasonCode = keyof typeof REASON_CODES

/** One reason as stored in `Verification.reasons` (JSON) and served by GraphQL. */
export type VerificationReason = { code: ReasonCode; message: string }

const ORDER = new Map(Object.keys(REASON_CODES).map((code, i) => [code, i]))

/** Sorts reasons into the canonical order of {@link REASON_CODES} (stable for equal codes). */
export function sortReasons(reasons: VerificationReason[]): VerificationReason[] {
  return [...reasons].sort((a, b) => (ORDER.get(a.code) ?? 99) - (ORDER.get(b.code) ?? 99))
}

/** true when `code` never changes the status. */
export function isInformational(code: string): boolean {
  return (REASON_CODES as Record<string, { effect: ReasonEffect }>)[code]?.effect === 'informational'
}

/** true when `code` makes a live attestation INVALID. */
export function isInvalidating(code: string): boolean {
  return (REASON_CODES as Record<string, { effect: ReasonEffect }>)[code]?.effect === 'invalidating'
}

/**
 * Decides the status from a full reason list (precedence PENDING > REVOKED > INVALID > EXPIRED > VALID).
 * @param reasons reasons found by the checks, any order
 */
export function toStatus(reasons: readonly VerificationReason[]): VerificationStatus {
  const has = (code: ReasonCode) => reasons.some((r) => r.code === code)
  if (has('PENDING_CONFIRMATIONS') || has('NOT_YET_VERIFIED')) return 'PENDING'
  if (has('REVOKED')) return 'REVOKED'
  if (reasons.some((r) => isInvalidating(r.code))) return 'INVALID'
  if (has('EXPIRED')) return 'EXPIRED'
  return 'VALID'
}

/**
 * Parses `Verification.reasons` (JSON written by this stage) defensively: anything that is not a list of
 * `{ code, message }` strings is dropped.
 */
export function parseReasons(value: unknown): VerificationReason[] {
  if (!Array.isArray(value)) return []
  return value.flatMap((r) =>
    r && typeof r === 'object' && typeof (r as VerificationReason).code === 'string' && typeof (r as VerificationReason).message === 'string'
      ? [{ code: (r as VerificationReason).code, message: (r as VerificationReason).message }]
      : [],
  )
}

/** true when two reason lists are the same (codes and messages, in order). */
export function sameReasons(a: readonly VerificationReason[], b: readonly VerificationReason[]): boolean {
  return a.length === b.length && a.every((r, i) => r.code === b[i]!.code && r.message === b[i]!.message)
}
