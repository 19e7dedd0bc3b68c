import { describe, expect, it } from 'vitest'
import { type AttestationFacts, type ChainClock, checkAttestation, type FactsLookup, LINEAGE_DEPTH_CAP } from './checkAttestation.js'

const ATTESTER = '0x00000000000000000000000000000000000000a1'
const RELAYER = '0x00000000000000000000000000000000000000b2'
const NOW = 1_800_000_000n // the head block's timestamp: the chain clock

/** An attestation that passes every check: id 10 in block 100, schema indexed, no link, never expires. */
function facts(overrides: Partial<AttestationFacts> = {}): AttestationFacts {
  return {
    chainId: 31337,
    attestationId: 10n,
    schemaId: 1n,
    linkedAttestationId: null,
    attestTimestamp: 1_700_000_000n,
    attester: ATTESTER,
    txFrom: ATTESTER,
    validUntil: 0n,
    revoked: false,
    revokeReason: null,
    revokeBlockNumber: null,
    decodeError: null,
    blockNumber: 100n,
    blockHash: '0x01',
    logIndex: 0,
    blockTimestamp: 1_700_000_000n,
    schema: { maxValidFor: 0n },
    ...overrides,
  }
}

/** head 200 (timestamp NOW), finalized 150, no confirmations required */
const clock = (overrides: Partial<ChainClock> = {}): ChainClock => ({
  confirmations: 0,
  headBlock: 200n,
  headTimestamp: NOW,
  finalizedBlock: 150n,
  ...overrides,
})

function lookupOf(...rows: AttestationFacts[]): FactsLookup {
  const byId = new Map(rows.map((r) => [`${r.chainId}:${r.attestationId}`, r]))
  return (chainId, id) => byId.get(`${chainId}:${id}`)
}

const none = lookupOf()
const verdict = (a: AttestationFacts, lookup = none, chain: ChainClock | null = clock()) => {
  const r = checkAttestation(a, lookup, chain)
  return { status: r.status, codes: r.reasons.map((x) => x.code) }
}

describe('checkAttestation', () => {
  it('is VALID with no reasons when every check passes, finalized at or below the finalized block', () => {
    const r = checkAttestation(facts(), none, clock())
    expect(r).toEqual({ status: 'VALID', reasons: [], finalized: true, delegated: false, expiresAt: null, nextCheckAt: null })
    expect(checkAttestation(facts({ blockNumber: 151n }), none, clock()).finalized).toBe(false)
    expect(checkAttestation(facts({ revoked: true, revokeBlockNumber: 151n }), none, clock()).finalized).toBe(false)
    expect(checkAttestation(facts(), none, clock({ finalizedBlock: null })).finalized).toBe(false)
  })

  it('is REVOKED by a revocation, and by a born-revoked record (no revocation event)', () => {
    const revoked = checkAttestation(facts({ revoked: true, revokeBlockNumber: 120n, revokeReason: 'stale' }), none, clock())
    expect(revoked.status).toBe('REVOKED')
    expect(revoked.reasons).toEqual([{ code: 'REVOKED', message: 'revoked in block 120: stale' }])
    const born = checkAttestation(facts({ revoked: true }), none, clock())
    expect(born.reasons).toEqual([{ code: 'REVOKED', message: expect.stringMatching(/^born revoked/) }])
  })

  it('is EXPIRED once validUntil <= the head block timestamp (the chain clock, not the attestation block)', () => {
    expect(verdict(facts({ validUntil: NOW }))).toEqual({ status: 'EXPIRED', codes: ['EXPIRED'] })
    const live = checkAttestation(facts({ validUntil: NOW + 1n }), none, clock())
    expect(live.status).toBe('VALID')
    expect(live.expiresAt).toEqual(new Date(Number(NOW + 1n) * 1000))
    expect(live.nextCheckAt).toEqual(new Date(Number(NOW + 1n) * 1000)) // re-checked when it expires
    // without a Chain row, the attestation's own block timestamp stands in for the clock
    expect(verdict(facts({ validUntil: NOW }), none, null)).toEqual({ status: 'VALID', codes: [] })
  })

  it('is INVALID without its schema, and checks no data then', () => {
    expect(verdict(facts({ schema: null }))).toEqual({ status: 'INVALID', codes: ['SCHEMA_MISSING'] })
    expect(verdict(facts({ schema: null, decodeError: 'DATA_BAD: x' }))).toEqual({ status: 'INVALID', codes: ['SCHEMA_MISSING'] })
  })

  it('is INVALID when validUntil exceeds the schema maxValidFor, or never expires under a capped schema', () => {
    const capped = { maxValidFor: 3600n }
    expect(verdict(facts({ schema: capped, attestTimestamp: NOW, validUntil: NOW + 3601n }))).toEqual({
      status: 'INVALID',
      codes: ['VALID_UNTIL_EXCEEDS_MAX_VALID_FOR'],
    })
    expect(verdict(facts({ schema: capped, attestTimestamp: NOW, validUntil: 0n }))).toEqual({
      status: 'INVALID',
      codes: ['VALID_UNTIL_EXCEEDS_MAX_VALID_FOR'],
    })
    expect(verdict(facts({ schema: capped, attestTimestamp: NOW, validUntil: NOW + 3600n }))).toEqual({ status: 'VALID', codes: [] })
  })

  it('is INVALID on data that breaks its schema; data with nothing to check against is informational', () => {
    expect(verdict(facts({ decodeError: 'DATA_UNDECODABLE: bad offset' }))).toEqual({ status: 'INVALID', codes: ['DATA_UNDECODABLE'] })
    for (const decodeError of ['DATA_NO_SCHEMA_FIELDS: x', 'DATA_CUSTOM_LOCATION: x', 'DATA_UNKNOWN_SCHEMA: x', 'DATA_NOT_STORABLE: x']) {
      expect({ decodeError, ...verdict(facts({ decodeError })) }).toEqual({ decodeError, status: 'VALID', codes: ['DATA_NOT_CHECKED'] })
    }
  })

  it('is INVALID when the linked attestation is missing, by another attester, or not lower', () => {
    expect(verdict(facts({ linkedAttestationId: 5n }))).toEqual({ status: 'INVALID', codes: ['LINKED_MISSING'] })
    const foreign = facts({ attestationId: 5n, attester: RELAYER, txFrom: RELAYER })
    expect(verdict(facts({ linkedAttestationId: 5n }), lookupOf(foreign))).toEqual({ status: 'INVALID', codes: ['LINKED_DIFFERENT_ATTESTER'] })
    const higher = facts({ attestationId: 11n })
    expect(verdict(facts({ linkedAttestationId: 11n }), lookupOf(higher))).toEqual({ status: 'INVALID', codes: ['LINKED_NOT_LOWER_ID'] })
    const self = facts({ linkedAttestationId: 10n })
    expect(verdict(self, lookupOf(self))).toEqual({ status: 'INVALID', codes: ['LINKED_NOT_LOWER_ID'] }) // a cycle ends the walk
  })

  it('reports the nearest revoked, expired and invalid ancestor; only an invalid one changes the status', () => {
    // 10 → 9 (revoked) → 8 (expired) → 7 (revoked, schema missing) → 6 (expired)
    const chain = [
      facts({ attestationId: 9n, linkedAttestationId: 8n, revoked: true, revokeBlockNumber: 90n }),
      facts({ attestationId: 8n, linkedAttestationId: 7n, validUntil: NOW - 1n }),
      facts({ attestationId: 7n, linkedAttestationId: 6n, revoked: true, revokeBlockNumber: 80n, schema: null }),
      facts({ attestationId: 6n, validUntil: NOW - 1n }),
    ]
    const r = checkAttestation(facts({ linkedAttestationId: 9n }), lookupOf(...chain), clock())
    expect(r.status).toBe('INVALID')
    expect(r.reasons).toEqual([
      { code: 'LINEAGE_INVALID', message: 'ancestor onchain_evm_31337_0x7 (depth 3) is invalid: SCHEMA_MISSING' },
      { code: 'LINEAGE_REVOKED', message: 'ancestor onchain_evm_31337_0x9 (depth 1) is revoked' },
      { code: 'LINEAGE_EXPIRED', message: 'ancestor onchain_evm_31337_0x8 (depth 2) is expired' },
    ])
    expect(verdict(facts({ linkedAttestationId: 9n }), lookupOf(chain[0]!, facts({ attestationId: 8n })))).toEqual({
      status: 'VALID',
      codes: ['LINEAGE_REVOKED'],
    })
  })

  it(`checks ${LINEAGE_DEPTH_CAP} ancestors and reports the rest as LINEAGE_TRUNCATED`, () => {
    const ancestors = (n: number) =>
      Array.from({ length: n }, (_, i) => facts({ attestationId: BigInt(1000 - 1 - i), linkedAttestationId: i + 1 < n ? BigInt(1000 - 2 - i) : null }))
    const leaf = facts({ attestationId: 1000n, linkedAttestationId: 999n })
    expect(verdict(leaf, lookupOf(...ancestors(LINEAGE_DEPTH_CAP)))).toEqual({ status: 'VALID', codes: [] })
    const deep = ancestors(LINEAGE_DEPTH_CAP + 1)
    expect(verdict(leaf, lookupOf(...deep))).toEqual({ status: 'VALID', codes: ['LINEAGE_TRUNCATED'] })
    // an invalid ancestor beyond the cap is not seen
    deep[LINEAGE_DEPTH_CAP] = { ...deep[LINEAGE_DEPTH_CAP]!, schema: null }
    expect(verdict(leaf, lookupOf(...deep))).toEqual({ status: 'VALID', codes: ['LINEAGE_TRUNCATED'] })
  })

  it('is PENDING while the block has fewer confirmations than the chain requires, or no head was seen', () => {
    expect(verdict(facts({ blockNumber: 195n }), none, clock({ confirmations: 6 }))).toEqual({ status: 'PENDING', codes: ['PENDING_CONFIRMATIONS'] })
    expect(verdict(facts({ blockNumber: 194n }), none, clock({ confirmations: 6 }))).toEqual({ status: 'VALID', codes: [] })
    expect(verdict(facts(), none, clock({ confirmations: 6, headBlock: null }))).toEqual({ status: 'PENDING', codes: ['PENDING_CONFIRMATIONS'] })
    const pending = checkAttestation(facts({ blockNumber: 195n }), none, clock({ confirmations: 6 }))
    expect(pending.nextCheckAt).toEqual(new Date(Number(NOW) * 1000)) // re-checked on the next head
  })

  it('marks delegation (tx.from is not the attester) as informational', () => {
    const r = checkAttestation(facts({ txFrom: RELAYER }), none, clock())
    expect(r).toMatchObject({ status: 'VALID', delegated: true, reasons: [{ code: 'DELEGATED', message: `sent by ${RELAYER} for attester ${ATTESTER}` }] })
  })

  it('lists every reason, and decides PENDING > REVOKED > INVALID > EXPIRED', () => {
    const everything = facts({ revoked: true, revokeBlockNumber: 199n, validUntil: NOW, schema: null, blockNumber: 199n, txFrom: RELAYER })
    expect(verdict(everything, none, clock({ confirmations: 6 }))).toEqual({
      status: 'PENDING',
      codes: ['PENDING_CONFIRMATIONS', 'REVOKED', 'EXPIRED', 'SCHEMA_MISSING', 'DELEGATED'],
    })
    expect(verdict(everything).status).toBe('REVOKED')
    expect(verdict({ ...everything, revoked: false }).status).toBe('INVALID')
    expect(verdict({ ...everything, revoked: false, schema: { maxValidFor: 0n } }).status).toBe('EXPIRED')
  })

  it('gives no expiresAt for a validUntil beyond the Date range', () => {
    const r = checkAttestation(facts({ validUntil: 2n ** 64n - 1n }), none, clock())
    expect(r).toMatchObject({ status: 'VALID', expiresAt: null })
  })
})
