import { decodeFunctionResult, encodeAbiParameters, encodeFunctionResult, type Hex } from 'viem'
import { describe, expect, it } from 'vitest'
import { spReadAbi } from '../ingest/abi.js'
import { decodeAttestationResult } from './decodeAttestationResult.js'

function randomHex(bytes: number): Hex {
  return `0x${Array.from({ length: bytes }, () => Math.floor(Math.random() * 256).toString(16).padStart(2, '0')).join('')}`
}

describe('decodeAttestationResult', () => {
  it('agrees with viem on many random attestations', () => {
    for (let i = 0; i < 300; i++) {
      const att = {
        schemaId: BigInt(Math.floor(Math.random() * 1e9)), linkedAttestationId: BigInt(i), attestTimestamp: 1_700_000_000n + BigInt(i),
        revokeTimestamp: i % 3 ? 0n : 1_800_000_000n, attester: randomHex(20), validUntil: i % 5 ? 0n : 2n ** 64n - 1n, dataLocation: i % 4,
        revoked: i % 3 === 0,
        recipients: Array.from({ length: i % 4 }, (_, k) => (k % 2 ? encodeAbiParameters([{ type: 'string' }], [`r${i}-${k}`]) : randomHex(k * 7))),
        data: randomHex(i % 97),
      }
      const ret = encodeFunctionResult({ abi: spReadAbi, functionName: 'getAttestation', result: att as never })
      const expected = decodeFunctionResult({ abi: spReadAbi, functionName: 'getAttestation', data: ret }) as Record<string, unknown>
      const actual = decodeAttestationResult(ret)
      expect(actual).toEqual({ ...expected, attester: (expected.attester as string).toLowerCase() })
    }
  })

  it('returns null on data that does not have the layout', () => {
    expect(decodeAttestationResult('0x1234')).toBeNull()
    const ret = encodeFunctionResult({ abi: spReadAbi, functionName: 'getSchema', result: { registrant: randomHex(20), revocable: true, dataLocation: 0, maxValidFor: 0n, hook: randomHex(20), timestamp: 1n, data: 'x' } as never })
    expect(decodeAttestationResult(ret)).toBeNull()
  })
})
