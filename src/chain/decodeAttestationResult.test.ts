import fc from 'fast-check'
import { bytesToHex, decodeFunctionResult, encodeAbiParameters, encodeFunctionResult } from 'viem'
import { describe, expect, it } from 'vitest'
import { spReadAbi } from './spAbi.js'
import { decodeAttestationResult } from './decodeAttestationResult.js'

/** Seeded: a failing run replays with the same DECODE_SEED (fast-check also prints the failing case). */
const SEED = Number(process.env.DECODE_SEED ?? 20_231)

const uint64 = fc.bigInt({ min: 0n, max: 2n ** 64n - 1n })
const bytes = (maxLength: number) => fc.uint8Array({ maxLength }).map((b) => bytesToHex(b))
const address = fc.uint8Array({ minLength: 20, maxLength: 20 }).map((b) => bytesToHex(b))
/** SP recipients are bytes: an ABI-encoded address or string, or anything the attester sent */
const recipient = fc.oneof(
  bytes(40),
  fc.string({ maxLength: 30 }).map((text) => encodeAbiParameters([{ type: 'string' }], [text])),
)
const attestation = fc.record({
  schemaId: uint64,
  linkedAttestationId: uint64,
  attestTimestamp: uint64,
  revokeTimestamp: uint64,
  attester: address,
  validUntil: uint64,
  dataLocation: fc.integer({ min: 0, max: 3 }),
  revoked: fc.boolean(),
  recipients: fc.array(recipient, { maxLength: 4 }),
  data: bytes(200),
})

describe('decodeAttestationResult', () => {
  it(`agrees with viem on many random attestations (seed ${SEED})`, () => {
    console.log(`decodeAttestationResult property test, seed ${SEED} (override with DECODE_SEED)`)
    fc.assert(
      fc.property(attestation, (att) => {
        const ret = encodeFunctionResult({ abi: spReadAbi, functionName: 'getAttestation', result: att as never })
        const expected = decodeFunctionResult({ abi: spReadAbi, functionName: 'getAttestation', data: ret }) as Record<string, unknown>
        expect(decodeAttestationResult(ret)).toEqual({ ...expected, attester: (expected.attester as string).toLowerCase() })
      }),
      { seed: SEED, numRuns: 300 },
    )
  })

  it('returns null on data that does not have the layout', () => {
    expect(decodeAttestationResult('0x1234')).toBeNull()
    const ret = encodeFunctionResult({
      abi: spReadAbi,
      functionName: 'getSchema',
      result: {
        registrant: `0x${'ab'.repeat(20)}`,
        revocable: true,
        dataLocation: 0,
        maxValidFor: 0n,
        hook: `0x${'cd'.repeat(20)}`,
        timestamp: 1n,
        data: 'x',
      } as never,
    })
    expect(decodeAttestationResult(ret)).toBeNull()
  })
})
