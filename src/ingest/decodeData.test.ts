import fc from 'fast-check'
import { bytesToHex, decodeAbiParameters, encodeAbiParameters, type Hex } from 'viem'
import { describe, expect, it } from 'vitest'
import { decodeAttestationData, decodeCanonical, decodeRecipient, parseSchemaData } from './decodeData.js'

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

// Poison pills: values anyone can put on chain that PostgreSQL cannot store as they are (issue 11, section 2).
// Every result must be storable: no NUL, no lone surrogate, JSON at most MAX_JSON_DEPTH deep — and complete.
const unstorable = (value: unknown, depth = 0): boolean => {
  if (typeof value === 'string') return /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(value)
  if (value === null || typeof value !== 'object') return false
  if (depth >= 64) return true
  return Object.entries(value).some(([k, v]) => unstorable(k) || unstorable(v, depth + 1))
}

describe('poison pills', () => {
  it('schema data {"name":"\\ud800"}: the lone surrogate becomes U+FFFD', () => {
    const r = parseSchemaData('{"name":"\\ud800","data":[{"name":"\\ud800x","type":"string"}]}')
    expect(r.json).toEqual({ name: '\uFFFD', data: [{ name: '\uFFFDx', type: 'string' }] })
    expect(r.fields).toEqual([{ name: '\uFFFDx', type: 'string' }])
    expect(unstorable(r.json)).toBe(false)
  })
  it('schema data of 5,000 nested arrays: kept out of the JSON column with a reason, never thrown', () => {
    const r = parseSchemaData(`${'['.repeat(5_000)}${']'.repeat(5_000)}`)
    expect(r).toEqual({ json: null, fields: null, error: expect.stringMatching(/^SCHEMA_JSON_TOO_DEEP/) })
    expect(parseSchemaData('['.repeat(5_000)).error).toMatch(/^SCHEMA_NOT_JSON/)
  })
  it('a field name and a JSON key with \\u0000 are stored with U+FFFD, and the data decodes under it', () => {
    const r = parseSchemaData('{"k\\u0000":1,"data":[{"name":"a\\u0000b","type":"string"}]}')
    expect(Object.keys(r.json as object)).toEqual(['k\uFFFD', 'data'])
    expect(r.fields).toEqual([{ name: 'a\uFFFDb', type: 'string' }])
    const d = decodeAttestationData(encodeAbiParameters([{ type: 'string' }], ['v\u0000']), 0, r.fields)
    expect(d).toEqual({ encoding: 'FLAT', value: { 'a\uFFFDb': 'v\uFFFD' }, error: null })
  })
  it('a field named __proto__ is kept as an own key (tuple and flat), in nested tuples too', () => {
    const fields = parseSchemaData(
      JSON.stringify({
        data: [
          { name: '__proto__', type: 'string' },
          { name: 'constructor', type: 'uint8' },
          { name: 't', type: 'tuple', components: [{ name: '__proto__', type: 'bool' }] },
        ],
      }),
    ).fields!
    const params = [{ type: 'string' }, { type: 'uint8' }, { type: 'tuple', components: [{ type: 'bool' }] }] as const
    const values = ['p', 7, [true]] as const
    for (const [data, encoding] of [
      [encodeAbiParameters([{ type: 'tuple', components: params }], [values] as never), 'TUPLE'],
      [encodeAbiParameters(params, values as never), 'FLAT'],
    ] as const) {
      const d = decodeAttestationData(data, 0, fields)
      expect(d.encoding).toBe(encoding)
      expect(Object.getOwnPropertyNames(d.value)).toEqual(['__proto__', 'constructor', 't'])
      expect(JSON.parse(JSON.stringify(d.value))).toEqual(JSON.parse('{"__proto__":"p","constructor":7,"t":{"__proto__":true}}'))
    }
  })
  it('an IPFS/Arweave CID with NUL is stored with U+FFFD (the exact bytes stay in data)', () => {
    for (const location of [1, 2]) {
      expect(decodeAttestationData(encodeAbiParameters([{ type: 'string' }], ['bafy\u0000x']), location, null)).toEqual({
        encoding: 'CID',
        value: { cid: 'bafy\uFFFDx' },
        error: null,
      })
    }
  })
  it('data nested deeper than the JSON bound decodes to a reason, not a value', () => {
    let value: unknown = []
    for (let i = 0; i < 69; i++) value = [value]
    const type = `uint8${'[]'.repeat(70)}`
    const d = decodeAttestationData(encodeAbiParameters([{ type }], [value] as never), 0, [{ name: 'x', type }])
    expect(d).toEqual({ encoding: null, value: null, error: expect.stringMatching(/^DATA_NOT_STORABLE/) })
  })
  it("a string starting with U+FEFF decodes as it is (viem's decoder drops it and the data looked undecodable)", () => {
    const fields = [
      { name: 's', type: 'string' },
      { name: 'l', type: 'string[]' },
    ]
    const data = encodeAbiParameters([{ type: 'tuple', components: [{ type: 'string' }, { type: 'string[]' }] }], [['\ufeffx', ['\ufeff']]])
    expect(decodeAttestationData(data, 0, fields)).toEqual({ encoding: 'TUPLE', value: { s: '\ufeffx', l: ['\ufeff'] }, error: null })
    expect(decodeAttestationData(encodeAbiParameters([{ type: 'string' }], ['\ufeffbafy']), 2, null).value).toEqual({ cid: '\ufeffbafy' })
    expect(decodeRecipient(encodeAbiParameters([{ type: 'string' }], ['\ufeffbob'])).text).toBe('\ufeffbob')
    // invalid UTF-8 in a string field still does not decode (as before: its re-encoding differed)
    const invalid = encodeAbiParameters([{ type: 'bytes' }], ['0xff'])
    expect(decodeAttestationData(invalid, 0, [{ name: 's', type: 'string' }]).error).toMatch(/^DATA_UNDECODABLE/)
  })
  it('a string recipient abi.encode("a\\0b") is stored as text with U+FFFD, raw kept; text too long to index is null', () => {
    const raw = encodeAbiParameters([{ type: 'string' }], ['a\u0000b'])
    expect(decodeRecipient(raw)).toEqual({ raw, address: null, text: 'a\uFFFDb' })
    const long = encodeAbiParameters([{ type: 'string' }], ['x'.repeat(3_000)])
    expect(decodeRecipient(long)).toEqual({ raw: long, address: null, text: null })
  })
})

describe('decodeCanonical (the fast path of decodeAttestationData)', () => {
  const types = ['address', 'bool', 'uint8', 'uint48', 'uint64', 'uint256', 'bytes32', 'bytes4', 'bytes'] as const
  const arbitraryOf = (type: (typeof types)[number]) => {
    switch (type) {
      case 'address':
        return fc.uint8Array({ minLength: 20, maxLength: 20 }).map((b) => bytesToHex(b))
      case 'bool':
        return fc.boolean()
      case 'uint8':
        return fc.integer({ min: 0, max: 255 })
      case 'uint48':
        return fc.integer({ min: 0, max: 2 ** 48 - 1 })
      case 'uint64':
        return fc.bigInt({ min: 0n, max: 2n ** 64n - 1n })
      case 'uint256':
        return fc.bigInt({ min: 0n, max: 2n ** 256n - 1n })
      case 'bytes32':
        return fc.uint8Array({ minLength: 32, maxLength: 32 }).map((b) => bytesToHex(b))
      case 'bytes4':
        return fc.uint8Array({ minLength: 4, maxLength: 4 }).map((b) => bytesToHex(b))
      case 'bytes':
        return fc.uint8Array({ maxLength: 80 }).map((b) => bytesToHex(b))
    }
  }
  const fieldsAndValues = fc
    .array(fc.constantFrom(...types), { minLength: 1, maxLength: 5 })
    .chain((ts) => fc.tuple(fc.constant(ts.map((type) => ({ type }))), fc.tuple(...ts.map(arbitraryOf))))
  /** what decodeAttestationData did before the fast path: viem's decode, kept when re-encoding gives the same bytes */
  const viemDecode = (params: { type: string }[], data: Hex, wrapped: boolean) => {
    const abi = wrapped ? [{ type: 'tuple', components: params }] : params
    try {
      const decoded = decodeAbiParameters(abi, data)
      if (encodeAbiParameters(abi, decoded as unknown[]).toLowerCase() !== data.toLowerCase()) return null
      return wrapped ? decoded[0] : [...decoded]
    } catch {
      return null
    }
  }

  it('answers exactly what decode + re-encode answers, accepted or not, tuple and flat', () => {
    fc.assert(
      fc.property(fieldsAndValues, fc.nat(), fc.integer({ min: 0, max: 4 }), fc.boolean(), ([params, values], where, how, wrapped) => {
        let data = encodeAbiParameters([{ type: 'tuple', components: params }], [values]) as string
        // mutate: 0 none, 1 flip one hex digit, 2 drop the last word, 3 flat encoding instead, 4 one more zero word
        if (how === 1) {
          const i = 2 + (where % (data.length - 2))
          data = `${data.slice(0, i)}${data[i] === '0' ? '1' : '0'}${data.slice(i + 1)}`
        } else if (how === 2) data = data.slice(0, -64)
        else if (how === 3) data = encodeAbiParameters(params, values)
        else if (how === 4) data = `${data}${'0'.repeat(64)}`
        expect(decodeCanonical(params as never, data as Hex, wrapped)).toEqual(viemDecode(params, data as Hex, wrapped))
      }),
      { seed: 777, numRuns: 3000 },
    )
  })
})
