/**
 * The checks themselves, pure: an attestation's stored facts (as ingest wrote them from `getAttestation` pinned
 * to the log's block), its schema, its ancestors and the chain's clock in; a status with reasons out.
 * Semantics from sign-protocol-facts.md: expiry is `validUntil != 0 && validUntil <= now` judged against the
 * chain head block's timestamp (never the wall clock); `maxValidFor` caps `validUntil - attestTimestamp`;
 * `linkedAttestationId` must be an existing LOWER id with the SAME attester (SP v1.1.2+); born-revoked records
 * are revoked with no AttestationRevoked event; delegation is `tx.from != attester`.
 */
import { LINEAGE_DEPTH_CAP } from '../db/lineageSql.js'
import { isInvalidating, sortReasons, toStatus, type VerificationReason, type VerificationStatus } from './reasons.js'

/** Ancestors checked for LINEAGE_* reasons ({@link LINEAGE_DEPTH_CAP}); deeper ones are reported as LINEAGE_TRUNCATED. */
export { LINEAGE_DEPTH_CAP }

/** Largest unix time in seconds a JS `Date` can hold. */
const MAX_DATE_SECONDS = 8_640_000_000_000n

/** What the checks need of one attestation (Attestation row + its schema row). uint64 values as bigint. */
export type AttestationFacts = {
  chainId: number
  attestationId: bigint
  schemaId: bigint
  linkedAttestationId: bigint | null
  attestTimestamp: bigint
  attester: string
  txFrom: string
  /** unix seconds, 0 = never expires */
  validUntil: bigint
  revoked: boolean
  revokeReason: string | null
  revokeBlockNumber: bigint | null
  decodeError: string | null
  blockNumber: bigint
  blockHash: string
  logIndex: number
  /** unix seconds of the attestation's block */
  blockTimestamp: bigint
  /** the schema row; null when the schema is not indexed */
  schema: { maxValidFor: bigint } | null
}

/** The chain's state as the sync loop last wrote it (`Chain` row); nulls before the first poll. */
export type ChainClock = {
  /** required confirmations (the chain's setting) */
  confirmations: number
  headBlock: bigint | null
  /** unix seconds of the head block: the clock expiry is judged against */
  headTimestamp: bigint | null
  finalizedBlock: bigint | null
}

/** Finds an indexed attestation by chain and id; undefined when it is not indexed. */
export type FactsLookup = (chainId: number, attestationId: bigint) => AttestationFacts | undefined

/** The verify stage's verdict on one attestation (the `Verification` row minus its keys). */
export type VerificationResult = {
  status: VerificationStatus
  reasons: VerificationReason[]
  finalized: boolean
  delegated: boolean
  /** validUntil as a time; null when it never expires (or lies beyond the Date range) */
  expiresAt: Date | null
  /**
   * Earliest chain-clock time at which the result may change without a new contract event: the expiry time, or
   * the current head time while a block-based transition (confirmations, finality) is still ahead — the
   * scheduler then tests the block condition itself. null: only a new event can change it.
   */
  nextCheckAt: Date | null
}

/** `onchain_evm_<chainId>_0x<hex>`: the SignScan full id of an attestation or schema, for messages. */
export function toFullRef(chainId: number, id: bigint): string {
  return `onchain_evm_${chainId}_0x${id.toString(16)}`
}

function toDate(seconds: bigint): Date | null {
  return seconds > 0n && seconds <= MAX_DATE_SECONDS ? new Date(Number(seconds) * 1000) : null
}

function isoOf(seconds: bigint): string {
  return toDate(seconds)?.toISOString() ?? 'beyond the Date range'
}

/**
 * The attestation's own checks, without lineage and without confirmations: SCHEMA_MISSING, REVOKED, EXPIRED,
 * VALID_UNTIL_EXCEEDS_MAX_VALID_FOR, DATA_UNDECODABLE / DATA_NOT_CHECKED, LINKED_*. Also used on ancestors.
 * @param a the attestation
 * @param lookup resolves its linked attestation
 * @param nowSeconds the chain clock (head block timestamp), unix seconds
 */
export function checkOwn(a: AttestationFacts, lookup: FactsLookup, nowSeconds: bigint): VerificationReason[] {
  const reasons: VerificationReason[] = []
  if (!a.schema) reasons.push({ code: 'SCHEMA_MISSING', message: `schema ${toFullRef(a.chainId, a.schemaId)} is not indexed` })
  if (a.revoked) {
    reasons.push({
      code: 'REVOKED',
      message:
        a.revokeBlockNumber == null
          ? 'born revoked: stored as revoked at creation, with no AttestationRevoked event'
          : `revoked in block ${a.revokeBlockNumber}${a.revokeReason ? `: ${a.revokeReason}` : ''}`,
    })
  }
  if (a.validUntil !== 0n && a.validUntil <= nowSeconds) {
    reasons.push({ code: 'EXPIRED', message: `validUntil ${a.validUntil} (${isoOf(a.validUntil)}) has passed on the chain clock` })
  }
  const cap = a.schema?.maxValidFor ?? 0n
  if (cap > 0n) {
    if (a.validUntil === 0n)
      reasons.push({ code: 'VALID_UNTIL_EXCEEDS_MAX_VALID_FOR', message: `validUntil is 0 (never expires) but the schema caps validity at ${cap} s` })
    else if (a.validUntil - a.attestTimestamp > cap) {
      reasons.push({
        code: 'VALID_UNTIL_EXCEEDS_MAX_VALID_FOR',
        message: `validUntil - attestTimestamp = ${a.validUntil - a.attestTimestamp} s exceeds the schema maxValidFor of ${cap} s`,
      })
    }
  }
  if (a.decodeError && a.schema) {
    // DATA_NO_SCHEMA_FIELDS / DATA_CUSTOM_LOCATION: nothing to check against. DATA_NOT_STORABLE: the data decodes
    // against its schema, only the decoded value nests too deep to store. The rest: the data breaks its schema.
    const unchecked = /^DATA_(NO_SCHEMA_FIELDS|CUSTOM_LOCATION|UNKNOWN_SCHEMA|NOT_STORABLE)\b/.test(a.decodeError)
    reasons.push({ code: unchecked ? 'DATA_NOT_CHECKED' : 'DATA_UNDECODABLE', message: a.decodeError })
  }
  if (a.linkedAttestationId != null) {
    const ref = toFullRef(a.chainId, a.linkedAttestationId)
    const parent = lookup(a.chainId, a.linkedAttestationId)
    if (!parent) reasons.push({ code: 'LINKED_MISSING', message: `linked attestation ${ref} is not indexed` })
    else if (parent.attester !== a.attester) {
      reasons.push({ code: 'LINKED_DIFFERENT_ATTESTER', message: `linked attestation ${ref} was made by ${parent.attester}, this one by ${a.attester}` })
    }
    if (a.linkedAttestationId >= a.attestationId) reasons.push({ code: 'LINKED_NOT_LOWER_ID', message: `linked attestation ${ref} does not have a lower id` })
  }
  return reasons
}

/**
 * LINEAGE_* reasons: walks the ancestors (cycle-safe, up to {@link LINEAGE_DEPTH_CAP}) and reports, per code,
 * the NEAREST ancestor whose own status (see {@link checkOwn}) is REVOKED, EXPIRED or INVALID.
 */
export function checkLineage(a: AttestationFacts, lookup: FactsLookup, nowSeconds: bigint): VerificationReason[] {
  const seen = new Set<bigint>([a.attestationId])
  const found = new Map<'LINEAGE_REVOKED' | 'LINEAGE_EXPIRED' | 'LINEAGE_INVALID' | 'LINEAGE_TRUNCATED', VerificationReason>()
  let node = a
  for (let depth = 1; node.linkedAttestationId != null; depth++) {
    if (seen.has(node.linkedAttestationId)) break // a cycle (only possible with LINKED_NOT_LOWER_ID somewhere on it)
    const parent = lookup(node.chainId, node.linkedAttestationId)
    if (!parent) break // reported as LINKED_MISSING by whoever links to it
    if (depth > LINEAGE_DEPTH_CAP) {
      found.set('LINEAGE_TRUNCATED', { code: 'LINEAGE_TRUNCATED', message: `ancestors beyond depth ${LINEAGE_DEPTH_CAP} were not checked` })
      break
    }
    seen.add(parent.attestationId)
    const own = checkOwn(parent, lookup, nowSeconds)
    const status = toStatus(own)
    const ref = `ancestor ${toFullRef(parent.chainId, parent.attestationId)} (depth ${depth})`
    if (status === 'REVOKED' && !found.has('LINEAGE_REVOKED')) found.set('LINEAGE_REVOKED', { code: 'LINEAGE_REVOKED', message: `${ref} is revoked` })
    if (own.some((r) => r.code === 'EXPIRED') && !found.has('LINEAGE_EXPIRED'))
      found.set('LINEAGE_EXPIRED', { code: 'LINEAGE_EXPIRED', message: `${ref} is expired` })
    const invalid = own.filter((r) => isInvalidating(r.code)).map((r) => r.code)
    if (invalid.length && !found.has('LINEAGE_INVALID'))
      found.set('LINEAGE_INVALID', { code: 'LINEAGE_INVALID', message: `${ref} is invalid: ${invalid.join(', ')}` })
    node = parent
  }
  return [...found.values()]
}

/**
 * Runs every check on one attestation.
 * @param a the attestation
 * @param lookup resolves linked attestations (ancestors up to LINEAGE_DEPTH_CAP + 1 must be reachable)
 * @param chain the chain's clock; null when the chain has no `Chain` row (then no confirmations are required and
 *   the attestation's own block timestamp stands in for the clock)
 * @returns the verdict; never throws
 */
export function checkAttestation(a: AttestationFacts, lookup: FactsLookup, chain: ChainClock | null): VerificationResult {
  const nowSeconds = chain?.headTimestamp ?? a.blockTimestamp
  const reasons = [...checkOwn(a, lookup, nowSeconds), ...checkLineage(a, lookup, nowSeconds)]
  const required = chain?.confirmations ?? 0
  const confirmations = chain?.headBlock == null ? null : chain.headBlock - a.blockNumber
  const pending = required > 0 && (confirmations === null || confirmations < BigInt(required))
  if (pending) reasons.push({ code: 'PENDING_CONFIRMATIONS', message: `block ${a.blockNumber} needs ${required} confirmations` })
  const delegated = a.txFrom !== a.attester
  if (delegated) reasons.push({ code: 'DELEGATED', message: `sent by ${a.txFrom} for attester ${a.attester}` })

  const finalizedBlock = chain?.finalizedBlock ?? null
  const finalized = finalizedBlock !== null && a.blockNumber <= finalizedBlock && (a.revokeBlockNumber == null || a.revokeBlockNumber <= finalizedBlock)
  const expiresAt = a.validUntil === 0n ? null : toDate(a.validUntil)
  let nextCheckAt = a.validUntil > nowSeconds ? toDate(a.validUntil) : null
  if (pending || !finalized) nextCheckAt = toDate(nowSeconds) ?? new Date(0)
  const sorted = sortReasons(reasons)
  return { status: toStatus(sorted), reasons: sorted, finalized, delegated, expiresAt, nextCheckAt }
}
