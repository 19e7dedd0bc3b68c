import { encodeAbiParameters, type Hex } from 'viem'
import { describe, expect, it } from 'vitest'
import { decodeAttestationData, decodeRecipient, parseSchemaData } from './decodeData.js'

const fields = [
  { name: 'name', type: 'string' },
  { name: 'score', type: 'uint256' },
]

describe('parseSchemaData', () => {
  it('extracts ABI fields from SDK-style JSON', () => {
    const r = parseSchemaData(JSON.stringify({ name: 'S', description: 'd', data: fields }))
    expect(r.fields).toEqual(fields)
    expect(r.error).toBeNull()
  })
  it('keeps non-JSON data with a reason', () => {
    expect(parseSchemaData('hello not json')).toEqual({ json: null, fields: null, error: expect.stringMatching(/^SCHEMA_NOT_JSON/) })
  })
  it('rejects fields with invalid ABI types', () => {
    const r = parseSchemaData(JSON.stringify({ data: [{ name: 'x', type: 'uint257' }] }))
    expect(r.fields).toBeNull()
    expect(r.error).toMatch(/^SCHEMA_BAD_TYPE/)
  })
})

describe('decodeAttestationData', () => {
  it('decodes tuple-encoded data as TUPLE', () => {
    const data = encodeAbiParameters([{ type: 'tuple', components: fields }], [{ name: 'alice', score: 7n }])
    expect(decodeAttestationData(data, 0, fields)).toEqual({ encoding: 'TUPLE', value: { name: 'alice', score: '7' }, error: null })
  })
  it('decodes flat-encoded data as FLAT', () => {
    const data = encodeAbiParameters(fields, ['bob', 9n])
    expect(decodeAttestationData(data, 0, fields)).toEqual({ encoding: 'FLAT', value: { name: 'bob', score: '9' }, error: null })
  })
  it('reports undecodable data instead of throwing', () => {
    expect(decodeAttestationData('0x01020304050607', 0, fields).error).toMatch(/^DATA_UNDECODABLE/)
  })
  it('decodes IPFS data as a CID string', () => {
    const data = encodeAbiParameters([{ type: 'string' }], ['bafy123'])
    expect(decodeAttestationData(data, 2, null)).toEqual({ encoding: 'CID', value: { cid: 'bafy123' }, error: null })
  })
})

describe('decodeRecipient', () => {
  it('decodes abi.encode(address)', () => {
    const raw = encodeAbiParameters([{ type: 'address' }], ['0x00000000000000000000000000000000000000ab'])
    expect(decodeRecipient(raw).address).toBe('0x00000000000000000000000000000000000000ab')
  })
  it('decodes abi.encode(string)', () => {
    const raw = encodeAbiParameters([{ type: 'string' }], ['alice@example.com'])
    expect(decodeRecipient(raw)).toMatchObject({ address: null, text: 'alice@example.com' })
  })
  it('keeps odd-length recipients raw', () => {
    expect(decodeRecipient('0x1234' as Hex)).toEqual({ raw: '0x1234', address: null, text: null })
  })
})
