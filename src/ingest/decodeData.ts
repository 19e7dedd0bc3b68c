/**
 * Pure decoders for what Sign Protocol stores as opaque bytes: schema data (usually JSON with ABI types),
 * attestation data (abi.encode of the schema fields, tuple or flat) and recipients (bytes[]).
 * Nothing here throws on bad input: every result says what it could decode and why not. Every value returned is
 * storable as it is (text and JSON through `src/db/toStorable.ts`: no NUL, no lone surrogate, bounded depth).
 * Semantics: sign-protocol-facts.md, items 11–13.
 */
import { type AbiParameter, checksumAddress, decodeAbiParameters, encodeAbiParameters, type Hex, hexToBytes, isHex } from 'viem'
import { MAX_JSON_DEPTH, toIndexableText, toStorableJson, toStorableText } from '../db/toStorable.js'

/** DataLocation enum of the contract (uint8). */
export const DATA_LOCATION = ['ONCHAIN', 'ARWEAVE', 'IPFS', 'CUSTOM'] as const

export type SchemaField = { name: string; type: string; components?: SchemaField[] }

export type ParsedSchemaData = {
  /** the JSON value when `data` is JSON (storable: see toStorableJson), else null */
  json: unknown | null
  /** ABI fields from `json.data` when present and well formed (names storable), else null */
  fields: SchemaField[] | null
  /** why json or fields are missing */
  error: string | null
}

/**
 * Parses a schema's `data` string: JSON `{"name","description","data":[{"name","type"}]}` by convention
 * (not enforced by the contract: anything is tolerated).
 * @param data the string as the contract returns it (not yet made storable: a NUL outside a JSON string makes it
 *   "not JSON", as it is)
 * @returns the storable JSON and fields; JSON escapes that PostgreSQL cannot hold (`\u0000`, a lone `\ud800`) come
 *   back as U+FFFD, a `__proto__` key stays an own key; JSON nested deeper than MAX_JSON_DEPTH is not kept
 *   (`SCHEMA_JSON_TOO_DEEP`). Never throws.
 */
export function parseSchemaData(data: string): ParsedSchemaData {
  let parsed: unknown
  try {
    parsed = JSON.parse(data)
  } catch {
    return { json: null, fields: null, error: 'SCHEMA_NOT_JSON: schema data is not JSON' }
  }
  const storable = toStorableJson(parsed)
  if (storable.error !== null) return { json: null, fields: null, error: `SCHEMA_JSON_TOO_DEEP: schema data JSON ${storable.error}` }
  const json = storable.value
  const list = json !== null && typeof json === 'object' && Object.hasOwn(json, 'data') ? (json as { data?: unknown }).data : undefined
  if (!Array.isArray(list)) return { json, fields: null, error: 'SCHEMA_NO_FIELDS: JSON has no "data" array of fields' }
  const fields: SchemaField[] = []
  for (const [i, f] of list.entries()) {
    const field = toField(f)
    if (!field) return { json, fields: null, error: `SCHEMA_BAD_FIELD: field ${i} is not {name, type} with an ABI type` }
    fields.push(field)
  }
  const bad = findBadType(fields)
  if (bad) return { json, fields: null, error: `SCHEMA_BAD_TYPE: "${bad.length > 100 ? `${bad.slice(0, 100)}…` : bad}" is not an ABI type` }
  return { json, fields, error: null }
}

const ELEMENTARY =
  /^(address|bool|string|bytes|function|tuple|u?int(8|16|24|32|40|48|56|64|72|80|88|96|104|112|120|128|136|144|152|160|168|176|184|192|200|208|216|224|232|240|248|256)?|bytes([1-9]|[12][0-9]|3[0-2]))((\[\d*\])*)$/

/** @returns the first field type that is not a valid Solidity ABI type (tuples need components), or null. */
function findBadType(fields: SchemaField[]): string | null {
  for (const f of fields) {
    if (!ELEMENTARY.test(f.type)) return f.type
    if (f.type.startsWith('tuple')) {
      if (!f.components?.length) return f.type
      const inner = findBadType(f.components)
      if (inner) return inner
    }
  }
  return null
}

/** Recursion is bounded: `value` comes from toStorableJson (at most MAX_JSON_DEPTH levels). */
function toField(value: unknown): SchemaField | null {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return null
  const own = (key: string) => (Object.hasOwn(value, key) ? (value as Record<string, unknown>)[key] : undefined)
  const [name, type, components] = [own('name'), own('type'), own('components')]
  if (typeof type !== 'string' || !/^[a-z0-9[\]()]+$/i.test(type)) return null
  const field: SchemaField = { name: typeof name === 'string' ? name : '', type }
  if (Array.isArray(components)) {
    const inner = components.map(toField)
    if (inner.some((c) => c === null)) return null
    field.components = inner as SchemaField[]
  }
  return field
}

export type DecodedData =
  | { encoding: 'TUPLE' | 'FLAT'; value: Record<string, unknown>; error: null }
  | { encoding: 'CID'; value: { cid: string }; error: null }
  | { encoding: null; value: null; error: string }

/**
 * Decodes attestation data against its schema. ONCHAIN: tuple first, then flat (the SDK's order); a decoding
 * only counts when re-encoding gives the same bytes, which rejects "successful" flat decodes of tuple data.
 * ARWEAVE/IPFS: `abi.encode(string cid)`. CUSTOM: not decoded.
 * @returns a storable value (strings with NUL or lone surrogates carry U+FFFD instead: the exact bytes are `data`;
 *   every field is an own key, `__proto__` included), or the reason there is none — `DATA_NOT_STORABLE` when the
 *   decoded value nests deeper than MAX_JSON_DEPTH (the data does decode against the schema). Never throws.
 */
export function decodeAttestationData(data: Hex, dataLocation: number, fields: SchemaField[] | null): DecodedData {
  if (dataLocation === 1 || dataLocation === 2) {
    const cid = tryDecodeString(data)
    return cid !== null
      ? { encoding: 'CID', value: { cid: toStorableText(cid) }, error: null }
      : { encoding: null, value: null, error: 'DATA_BAD_CID: data is not abi.encode(string)' }
  }
  if (dataLocation !== 0) return { encoding: null, value: null, error: 'DATA_CUSTOM_LOCATION: CUSTOM data location is not decoded' }
  if (!fields) return { encoding: null, value: null, error: 'DATA_NO_SCHEMA_FIELDS: schema has no ABI fields to decode against' }
  if (fields.length === 0)
    return data === '0x'
      ? { encoding: 'FLAT', value: {}, error: null }
      : { encoding: null, value: null, error: 'DATA_UNDECODABLE: schema has no fields but data is not empty' }
  // Decoded without names (viem then returns arrays for every tuple) and named here: viem assigns a component named
  // `__proto__` with `value[name] = …`, which sets the prototype and drops the field. Strings are decoded as bytes
  // and turned into text here (see toText).
  const params = fields.map(toRawParameter)
  const byHand = params.every(isElementary)
  const tuple = byHand ? decodeCanonical(params, data, true) : (tryDecode([{ type: 'tuple', components: params }], data)?.[0] as unknown[] | undefined)
  const asTuple = tuple && toStored('TUPLE', fields, tuple)
  if (asTuple) return asTuple
  const flat = byHand ? decodeCanonical(params, data, false) : tryDecode(params, data)
  const asFlat = flat && toStored('FLAT', fields, flat as unknown[])
  if (asFlat) return asFlat
  return { encoding: null, value: null, error: 'DATA_UNDECODABLE: data decodes neither as a tuple nor as a flat list of the schema fields' }
}

function tryDecode(params: readonly AbiParameter[], data: Hex): readonly unknown[] | null {
  try {
    const decoded = decodeAbiParameters(params, data)
    return encodeAbiParameters(params, decoded as unknown[]).toLowerCase() === data.toLowerCase() ? decoded : null
  } catch {
    return null
  }
}

const WORD = 64 // hex characters per 32-byte word
const UINT = /^uint(\d*)$/
const FIXED_BYTES = /^bytes(\d+)$/

function zeros(hex: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (hex.charCodeAt(i) !== 48) return false
  return true
}

/** a word holding at most 6 bytes as a number, or -1 */
function smallWord(hex: string, at: number): number {
  if (at + WORD > hex.length || !zeros(hex, at, at + WORD - 12)) return -1
  return Number.parseInt(hex.slice(at + WORD - 12, at + WORD), 16)
}

/** whether {@link decodeCanonical} decodes this parameter (a top-level elementary type other than intN) */
function isElementary(p: AbiParameter): boolean {
  return p.type === 'bytes' || p.type === 'address' || p.type === 'bool' || UINT.test(p.type) || FIXED_BYTES.test(p.type)
}

/**
 * The hot path of backfill decoding: attestation data whose fields are all top-level elementary types (address,
 * bool, uintN, bytesN, bytes; strings come as bytes, see toRawParameter — {@link isElementary}), decoded by hand into
 * what viem's decodeAbiParameters returns for them (uintN ≤ 48 bits as numbers, addresses checksummed, hex
 * lowercase), as `abi.encode(tuple)` when `wrapped`, else as the flat list. `tryDecode` (decode, then re-encode and
 * compare) accepts exactly the canonical encoding, and so does this: for such fields it answers what `tryDecode`
 * answers (the property test holds them equal, accepted or not). Exported for its test.
 */
export function decodeCanonical(params: readonly AbiParameter[], data: Hex, wrapped: boolean): unknown[] | null {
  const hex = data.slice(2).toLowerCase()
  // a tuple with a dynamic member is encoded behind an offset (0x20); an all-static tuple is inline, as a flat list
  const base = wrapped && params.some((p) => p.type === 'bytes') ? WORD : 0
  if (base && smallWord(hex, 0) !== 32) return null
  let tail = params.length * 32 // where the next dynamic value must start, in bytes from `base`
  const values: unknown[] = []
  for (const [i, p] of params.entries()) {
    const at = base + i * WORD
    if (at + WORD > hex.length) return null
    if (p.type === 'bytes') {
      if (smallWord(hex, at) !== tail) return null
      const start = base + tail * 2
      const length = smallWord(hex, start)
      if (length < 0) return null
      const padded = Math.ceil(length / 32) * WORD
      if (start + WORD + padded > hex.length || !zeros(hex, start + WORD + length * 2, start + WORD + padded)) return null
      values.push(`0x${hex.slice(start + WORD, start + WORD + length * 2)}`)
      tail += 32 + padded / 2
    } else if (p.type === 'address') {
      if (!zeros(hex, at, at + 24)) return null
      values.push(checksumAddress(`0x${hex.slice(at + 24, at + WORD)}`))
    } else if (p.type === 'bool') {
      const b = smallWord(hex, at)
      if (b !== 0 && b !== 1) return null
      values.push(b === 1)
    } else {
      const uint = UINT.exec(p.type)
      const fixed = uint ? null : FIXED_BYTES.exec(p.type)
      if (uint) {
        const bits = uint[1] ? Number(uint[1]) : 256
        if (!zeros(hex, at, at + WORD - bits / 4)) return null
        const digits = hex.slice(at + WORD - bits / 4, at + WORD)
        values.push(bits > 48 ? BigInt(`0x${digits}`) : Number.parseInt(digits, 16))
      } else if (fixed) {
        const size = Number(fixed[1])
        if (!zeros(hex, at + size * 2, at + WORD)) return null
        values.push(`0x${hex.slice(at, at + size * 2)}`)
      } else return null
    }
  }
  if (base + tail * 2 !== hex.length || !/^[0-9a-f]*$/.test(hex)) return null
  return values
}

/**
 * The ABI parameter a field is decoded with: no names (components included), `string` as `bytes` (same encoding).
 * Depth bounded by the schema JSON.
 */
function toRawParameter(field: SchemaField): AbiParameter {
  const type = field.type.replace(/^string/, 'bytes')
  return (field.components ? { type, components: field.components.map(toRawParameter) } : { type }) as AbiParameter
}

const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true })

/**
 * A `string` value's bytes as text. viem decodes strings with a default TextDecoder, which drops a leading U+FEFF
 * (so the re-encoding check failed and valid data was reported undecodable) and replaces invalid UTF-8.
 * @throws {TypeError} on invalid UTF-8 (such data counts as not decoding, as it did when re-encoding differed)
 */
function toText(hex: Hex): string {
  return UTF8.decode(hexToBytes(hex))
}

/** `abi.encode(string)` → the string (leading U+FEFF kept), or null when data is not that or not UTF-8. */
function tryDecodeString(data: Hex): string | null {
  const raw = tryDecode([{ type: 'bytes' }], data)
  try {
    return raw ? toText(raw[0] as Hex) : null
  } catch {
    return null
  }
}

const ARRAY_SUFFIX = /\[\d*\]$/

/**
 * Field name → value, tuples (at any depth, inside arrays too) as objects keyed by component name, strings as text.
 * Every name is an own key (`__proto__` too); an empty name becomes `field<i>`; of two equal names the later wins.
 * @returns the decoded data, DATA_NOT_STORABLE when it nests too deep, or null when a string is not UTF-8.
 */
function toStored(encoding: 'TUPLE' | 'FLAT', fields: SchemaField[], values: unknown[]): DecodedData | null {
  const tooDeep = { found: false }
  let named: Record<string, unknown>
  try {
    named = toNamed(fields, values, MAX_JSON_DEPTH, tooDeep)
  } catch {
    return null
  }
  const stored = tooDeep.found ? null : toStorableJson(named)
  if (!stored || stored.error !== null)
    return { encoding: null, value: null, error: `DATA_NOT_STORABLE: decoded data nests deeper than ${MAX_JSON_DEPTH} levels` }
  return { encoding, value: stored.value as Record<string, unknown>, error: null }
}

function toNamed(fields: SchemaField[], values: unknown[], depthLeft: number, tooDeep: { found: boolean }): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  fields.forEach((f, i) => {
    Object.defineProperty(out, f.name || `field${i}`, {
      value: toNamedValue(f.type, f.components, values[i], depthLeft - 1, tooDeep),
      enumerable: true,
      writable: true,
      configurable: true,
    })
  })
  return out
}

/** `depthLeft`: containers still allowed at this level (the top object used one). */
function toNamedValue(type: string, components: SchemaField[] | undefined, value: unknown, depthLeft: number, tooDeep: { found: boolean }): unknown {
  if (!Array.isArray(value)) return type === 'string' && typeof value === 'string' ? toText(value as Hex) : value
  if (depthLeft <= 0 || tooDeep.found) {
    tooDeep.found = true
    return null
  }
  if (ARRAY_SUFFIX.test(type)) {
    const element = type.replace(ARRAY_SUFFIX, '')
    return value.map((v) => toNamedValue(element, components, v, depthLeft - 1, tooDeep))
  }
  return components ? toNamed(components, value, depthLeft, tooDeep) : value
}

export type DecodedRecipient = { raw: Hex; address: string | null; text: string | null }

/**
 * Decodes one recipient: `abi.encode(address)` (32 bytes, 12 zero bytes first) → address;
 * `abi.encode(string)` (the SDK default) → text; anything else stays raw only.
 * @returns `text` as storable, indexable text (NUL → U+FFFD), null when longer than MAX_INDEXED_TEXT_BYTES; `raw`
 *   always holds the exact bytes. Never throws.
 */
export function decodeRecipient(raw: Hex): DecodedRecipient {
  const hex = raw.toLowerCase() as Hex
  if (hex.length === 66 && /^0x0{24}/.test(hex)) return { raw: hex, address: `0x${hex.slice(26)}`, text: null }
  const str = tryDecodeString(hex)
  if (str !== null) return { raw: hex, address: null, text: toIndexableText(str) }
  if (hex.length === 42 && isHex(hex)) return { raw: hex, address: hex, text: null } // packed 20-byte address
  return { raw: hex, address: null, text: null }
}
