/**
 * A fast decoder for the return data of `getAttestation(uint64)` — `abi.encode(Attestation)` — the hot path of
 * backfill (viem's generic decoder measured ~60 µs per attestation here; this one a few µs). It reads the fixed
 * layout of the struct (sign-protocol-facts.md, "Structs") directly from the hex string and returns null when
 * anything is out of place, so the caller can fall back to viem's strict decoder.
 *
 * Layout: word 0 = offset of the tuple (0x20); tuple head = schemaId, linkedAttestationId, attestTimestamp,
 * revokeTimestamp, attester, validUntil, dataLocation, revoked, offset(recipients), offset(data);
 * recipients = length, then one offset per element (relative to the start of the offsets), each element = length + bytes.
 */
import type { Address, Hex } from 'viem'
import type { OnchainAttestation } from './records.js'

const WORD = 64 // hex characters per 32-byte word

function word(hex: string, at: number): string | null {
  return at + WORD <= hex.length ? hex.slice(at, at + WORD) : null
}

function uint(hex: string, at: number, maxBytes: number): bigint | null {
  const w = word(hex, at)
  if (w === null) return null
  if (!/^0*$/.test(w.slice(0, WORD - maxBytes * 2))) return null
  return BigInt(`0x${w}`)
}

function bytesAt(hex: string, at: number): { value: Hex } | null {
  const len = uint(hex, at, 4)
  if (len === null) return null
  const start = at + WORD
  const end = start + Number(len) * 2
  if (end > hex.length) return null
  return { value: `0x${hex.slice(start, end)}` as Hex }
}

/** @returns the decoded struct, or null when the data does not have the expected layout. */
export function decodeAttestationResult(data: Hex): OnchainAttestation | null {
  const hex = data.slice(2).toLowerCase()
  if (hex.length < WORD * 11 || hex.length % 2) return null
  const tupleOffset = uint(hex, 0, 4)
  if (tupleOffset !== 32n) return null
  const t = WORD // tuple start, in hex characters
  const schemaId = uint(hex, t, 8)
  const linkedAttestationId = uint(hex, t + WORD, 8)
  const attestTimestamp = uint(hex, t + 2 * WORD, 8)
  const revokeTimestamp = uint(hex, t + 3 * WORD, 8)
  const attester = uint(hex, t + 4 * WORD, 20)
  const validUntil = uint(hex, t + 5 * WORD, 8)
  const dataLocation = uint(hex, t + 6 * WORD, 1)
  const revoked = uint(hex, t + 7 * WORD, 1)
  const recipientsOffset = uint(hex, t + 8 * WORD, 4)
  const dataOffset = uint(hex, t + 9 * WORD, 4)
  if (
    [schemaId, linkedAttestationId, attestTimestamp, revokeTimestamp, attester, validUntil, dataLocation, revoked, recipientsOffset, dataOffset].includes(null)
  )
    return null
  if (revoked! > 1n || dataLocation! > 3n) return null
  const r = t + Number(recipientsOffset) * 2
  const count = uint(hex, r, 4)
  if (count === null || r + WORD + Number(count) * WORD > hex.length) return null
  const recipients: Hex[] = []
  for (let i = 0; i < Number(count); i++) {
    const off = uint(hex, r + WORD + i * WORD, 4)
    if (off === null) return null
    const element = bytesAt(hex, r + WORD + Number(off) * 2)
    if (!element) return null
    recipients.push(element.value)
  }
  const body = bytesAt(hex, t + Number(dataOffset) * 2)
  if (!body) return null
  return {
    schemaId: schemaId!,
    linkedAttestationId: linkedAttestationId!,
    attestTimestamp: attestTimestamp!,
    revokeTimestamp: revokeTimestamp!,
    attester: `0x${attester!.toString(16).padStart(40, '0')}` as Address,
    validUntil: validUntil!,
    dataLocation: Number(dataLocation),
    revoked: revoked === 1n,
    recipients,
    data: body.value,
  }
}
