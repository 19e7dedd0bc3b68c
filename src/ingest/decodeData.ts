/**
 * Pure decoders for what Sign Protocol stores as opaque bytes: schema data (usually JSON with ABI types),
 * attestation data (abi.encode of the schema fields, tuple or flat) and recipients (bytes[]).
 * Nothing here throws on bad input: every result says what it could decode and why not.
 * Semantics: sign-protocol-facts.md, items 11–13.
 */
import { type AbiParameter, decodeAbiParameters, encodeAbiParameters, type Hex, hexToString, isHex } from 'viem'

/** DataLocation enum of the contract (uint8). */
export const DATA_LOCATION = ['ONCHAIN', 'ARWEAVE', 'IPFS', 'CUSTOM'] as const

export type SchemaField = { name: string; type: string; components?: SchemaField[] }

export type ParsedSchemaData = {
  /** the JSON value when `data` is JSON, else null */
  json: unknown | null
  /** ABI fields from `json.data` when present and well formed, else null */
  fields: SchemaField[] | null
  /** why json or fields are missing */
  error: string | null
}

/**
 * Parses a schema's `data` string: JSON `{"name","description","data":[{"name","type"}]}` by convention
 * (not enforced by the contract: anything is tolerated).
 */
export function parseSchemaData(data: string): ParsedSchemaData {
  let json: unknown
  try {
    json = JSON.parse(data)
  } catch {
    return { json: null, fields: null, error: 'SCHEMA_NOT_JSON: schema data is not JSON' }
  }
  const list = (json as { data?: unknown } | null)?.data
  if (!Array.isArray(list)) return { json, fields: null, error: 'SCHEMA_NO_FIELDS: JSON has no "data" array of fields' }
  const fields: SchemaField[] = []
  for (const [i, f] of list.entries()) {
    const field = toField(f)
    if (!field) return { json, fields: null, error: `SCHEMA_BAD_FIELD: field ${i} is not {name, type} with an ABI type` }
    fields.push(field)
  }
  const bad = findBadType(fields)
  if (bad) return { json, fields: null, error: `SCHEMA_BAD_TYPE: "${bad}" is not an ABI type` }
  return { json, fields, error: null }
}

const ELEMENTARY = /^(address|bool|string|bytes|function|tuple|u?int(8|16|24|32|40|48|56|64|72|80|88|96|104|112|120|128|136|144|152|160|168|176|184|192|200|208|216|224|232|240|248|256)?|bytes([1-9]|[12][0-9]|3[0-2]))((\[\d*\])*)$/

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

function toField(value: unknown): SchemaField | null {
  if (!value || typeof value !== 'object') return null
  const { name, type, components } = value as Record<string, unknown>
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
 */
export function decodeAttestationData(data: Hex, dataLocation: number, fields: SchemaField[] | null): DecodedData {
  if (dataLocation === 1 || dataLocation === 2) {
    const cid = tryDecode([{ type: 'string' }], data)
    return cid ? { encoding: 'CID', value: { cid: cid[0] as string }, error: null } : { encoding: null, value: null, error: 'DATA_BAD_CID: data is not abi.encode(string)' }
  }
  if (dataLocation !== 0) return { encoding: null, value: null, error: 'DATA_CUSTOM_LOCATION: CUSTOM data location is not decoded' }
  if (!fields) return { encoding: null, value: null, error: 'DATA_NO_SCHEMA_FIELDS: schema has no ABI fields to decode against' }
  if (fields.length === 0) return data === '0x' ? { encoding: 'FLAT', value: {}, error: null } : { encoding: null, value: null, error: 'DATA_UNDECODABLE: schema has no fields but data is not empty' }
  const params = fields as AbiParameter[]
  const tuple = tryDecode([{ type: 'tuple', components: params }], data)
  if (tuple) return { encoding: 'TUPLE', value: toNamed(fields, Object.values(tuple[0] as object)), error: null }
  const flat = tryDecode(params, data)
  if (flat) return { encoding: 'FLAT', value: toNamed(fields, flat as unknown[]), error: null }
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

function toNamed(fields: SchemaField[], values: unknown[]): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  fields.forEach((f, i) => {
    out[f.name || `field${i}`] = toJson(values[i])
  })
  return out
}

/** Makes a decoded ABI value JSON-safe: bigint → decimal string, nested tuples/arrays kept. */
export function toJson(value: unknown): unknown {
  if (typeof value === 'bigint') return value.toString()
  if (typeof value === 'string') return toSafeText(value)
  if (Array.isArray(value)) return value.map(toJson)
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toJson(v)]))
  return value
}

export type DecodedRecipient = { raw: Hex; address: string | null; text: string | null }

/**
 * Decodes one recipient: `abi.encode(address)` (32 bytes, 12 zero bytes first) → address;
 * `abi.encode(string)` (the SDK default) → text; anything else stays raw only.
 */
export function decodeRecipient(raw: Hex): DecodedRecipient {
  const hex = raw.toLowerCase() as Hex
  if (hex.length === 66 && /^0x0{24}/.test(hex)) return { raw: hex, address: `0x${hex.slice(26)}`, text: null }
  const str = tryDecode([{ type: 'string' }], hex)
  if (str) return { raw: hex, address: null, text: str[0] as string }
  if (hex.length === 42 && isHex(hex)) return { raw: hex, address: hex, text: null } // packed 20-byte address
  return { raw: hex, address: null, text: null }
}

/** Postgres text cannot hold NUL bytes: strings from the chain are cleaned before storage. */
export function toSafeText(value: string): string {
  return value.includes('\u0000') ? value.replaceAll('\u0000', '') : value
}

/** Decodes UTF-8 bytes leniently (invalid sequences become U+FFFD), NUL-free. */
export function hexToSafeText(value: Hex): string {
  return toSafeText(hexToString(value))
}
