/**
 * fast-check arbitraries for what anyone can put on chain: text with NUL, lone surrogates, RTL marks and up to
 * 100 KB; JSON that is deep, huge or has odd keys (`__proto__`, `constructor`, "\u0000"); schema data shaped like the
 * SDK's with hostile field names; attestation data (random bytes or encoded against the schema); recipients in every
 * encoding. `scenario` turns a list of such operations into contract logs with their records (test/helpers/fetchedRange).
 */
import fc from 'fast-check'
import { type Address, encodeAbiParameters, type Hex, stringToHex, toHex } from 'viem'
import { toStorableText } from '../../src/db/toStorable.js'
import { attestationRecord, type LogSpec, schemaRecord, SENDER } from './fetchedRange.js'

const HOSTILE = [
  '\u0000',
  '\ud800',
  '\udbff',
  '\udc00',
  '\udfff',
  '\u202e',
  '\u200f',
  '\u061c',
  '\uFFFD',
  '\ufeff',
  '"',
  '\\',
  '\n',
  'é',
  '\u{1F600}',
  '\u0301',
  '\u05d0',
]

const unit = fc.oneof(
  { weight: 4, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }) },
  { weight: 3, arbitrary: fc.constantFrom(...HOSTILE) },
  { weight: 1, arbitrary: fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c)) },
)

/** Deterministic text of `length` UTF-16 units: incompressible (a seeded generator over hostile and random units) or repetitive. */
function pseudoRandomText({ length, seed, compressible }: { length: number; seed: number; compressible: boolean }): string {
  if (compressible) return 'ab\u0000'.repeat(Math.ceil(length / 3)).slice(0, length)
  let x = seed >>> 0 || 1
  const out = new Array<string>(length)
  for (let i = 0; i < length; i++) {
    x ^= x << 13
    x >>>= 0
    x ^= x >>> 17
    x ^= x << 5
    x >>>= 0
    out[i] = x % 50 === 0 ? HOSTILE[x % HOSTILE.length]! : String.fromCharCode(0x21 + (x % 0x3000))
  }
  return out.join('')
}

export const shortText = fc.string({ unit, maxLength: 24 })
export const longText = fc.record({ length: fc.integer({ min: 2_000, max: 100_000 }), seed: fc.integer(), compressible: fc.boolean() }).map(pseudoRandomText)
/** Mostly short hostile text, sometimes 2–100 KB. */
export const text = fc.oneof({ weight: 12, arbitrary: shortText }, { weight: 1, arbitrary: longText })

export const oddKey = fc.oneof(
  fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', '\u0000', 'a\u0000b', '\ud800', '', 'data', 'name'),
  shortText,
)

/** A JSON tree: objects as `{ obj: [key, value][] }` so any key (even `__proto__`) survives until serialised. */
type Tree = null | boolean | number | string | Tree[] | { obj: [string, Tree][] }
const { tree } = fc.letrec<{ tree: Tree }>((tie) => ({
  tree: fc.oneof(
    { depthSize: 'small' },
    fc.constant(null),
    fc.boolean(),
    fc.double(),
    fc.integer(),
    shortText,
    fc.array(tie('tree'), { maxLength: 4 }),
    fc.array(fc.tuple(oddKey, tie('tree')), { maxLength: 4 }).map((obj) => ({ obj })),
  ),
}))

/** JSON text of a tree; strings and keys through JSON.stringify (NUL as \u0000, a lone surrogate as \udxxx). */
export function toJsonText(t: Tree): string {
  if (Array.isArray(t)) return `[${t.map(toJsonText).join(',')}]`
  if (t !== null && typeof t === 'object') return `{${t.obj.map(([k, v]) => `${JSON.stringify(k)}:${toJsonText(v)}`).join(',')}}`
  return JSON.stringify(t) ?? 'null'
}

export type FieldSpec = { name: string; type: string; components?: FieldSpec[] }
const fieldSpec: fc.Arbitrary<FieldSpec> = fc
  .record({
    name: oddKey,
    type: fc.constantFrom('string', 'uint256', 'bool', 'bytes', 'address', 'string[]', 'bytes32', 'tuple', 'tuple[]'),
    inner: oddKey,
  })
  .map(({ name, type, inner }) => (type.startsWith('tuple') ? { name, type, components: [{ name: inner, type: 'string' }] } : { name, type }))

export type SchemaSpec = { text: string; fields: FieldSpec[] | null }
const fieldsTree = (fields: FieldSpec[]): Tree =>
  fields.map((f) => ({ obj: [['name', f.name], ['type', f.type], ...(f.components ? [['components', fieldsTree(f.components)] as [string, Tree]] : [])] }))
/** SDK-shaped schema data `{"name","data":[fields],...}` with hostile names and extra keys; its fields are known. */
export const sdkSchemaSpec: fc.Arbitrary<SchemaSpec> = fc
  .tuple(
    shortText,
    fc.array(fieldSpec, { maxLength: 4 }),
    fc.array(
      fc.tuple(
        oddKey.filter((k) => k !== 'data'),
        tree,
      ),
      { maxLength: 2 },
    ),
  )
  .map(([name, fields, extra]) => ({ text: toJsonText({ obj: [['name', name], ['data', fieldsTree(fields)], ...extra] }), fields }))
/** Schema data: SDK-shaped with hostile names (fields known), any JSON, deep or unbalanced nesting, huge, or any text. */
export const schemaSpec: fc.Arbitrary<SchemaSpec> = fc.oneof(
  { weight: 4, arbitrary: sdkSchemaSpec },
  { weight: 2, arbitrary: tree.map((t) => ({ text: toJsonText(t), fields: null })) },
  {
    weight: 1,
    arbitrary: fc.record({ depth: fc.integer({ min: 60, max: 20_000 }), kind: fc.constantFrom('array', 'object', 'unbalanced') }).map(({ depth, kind }) => ({
      text:
        kind === 'array' ? `${'['.repeat(depth)}${']'.repeat(depth)}` : kind === 'object' ? `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}` : '['.repeat(depth),
      fields: null,
    })),
  },
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.integer({ min: 1, max: 100 }), shortText)
      .map(([kb, s]) => ({ text: JSON.stringify({ name: s, data: [], blob: s.repeat(1 + Math.floor((kb * 1000) / (s.length + 1))) }), fields: [] })),
  },
  { weight: 1, arbitrary: text.map((t) => ({ text: t, fields: null })) },
)

const address = fc.uint8Array({ minLength: 20, maxLength: 20 }).map((b) => toHex(b) as Address)
const bytes = (max: number) => fc.uint8Array({ maxLength: max }).map((b) => toHex(b))

/** A value of an ABI type from generated text and numbers (so one arbitrary serves every schema). */
function valueFor(f: FieldSpec, texts: string[], n: bigint, i: number): unknown {
  const t = texts[i % texts.length] ?? ''
  switch (f.type) {
    case 'string':
      return t
    case 'uint256':
      return n
    case 'bool':
      return n % 2n === 0n
    case 'bytes':
      return stringToHex(t)
    case 'address':
      return SENDER
    case 'string[]':
      return [t, texts[(i + 1) % texts.length] ?? '']
    case 'bytes32':
      return `0x${(n % 2n ** 256n).toString(16).padStart(64, '0')}`
    case 'tuple':
      return [t]
    case 'tuple[]':
      return [[t], ['']]
    default:
      return null
  }
}
const abiOf = (f: FieldSpec): { type: string; components?: { type: string }[] } =>
  f.components ? { type: f.type, components: f.components.map(abiOf) } : { type: f.type }

export type DataSpec =
  | { kind: 'random'; data: Hex; dataLocation: number }
  | { kind: 'encoded'; texts: string[]; n: bigint; tuple: boolean }
  | { kind: 'cid'; cid: string; dataLocation: 1 | 2 }
export const dataSpec: fc.Arbitrary<DataSpec> = fc.oneof(
  fc.record({ kind: fc.constant('random' as const), data: bytes(200), dataLocation: fc.constantFrom(0, 3) }),
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('encoded' as const),
      texts: fc.array(text, { minLength: 1, maxLength: 3 }),
      n: fc.bigInt({ min: 0n, max: 2n ** 256n - 1n }),
      tuple: fc.boolean(),
    }),
  },
  fc.record({ kind: fc.constant('cid' as const), cid: text, dataLocation: fc.constantFrom(1 as const, 2 as const) }),
)

/** A recipient in each encoding anyone uses: abi.encode(address), abi.encode(string) (hostile text), packed, any bytes. */
export const recipient: fc.Arbitrary<Hex> = fc.oneof(
  address.map((a) => encodeAbiParameters([{ type: 'address' }], [a])),
  { weight: 2, arbitrary: text.map((t) => encodeAbiParameters([{ type: 'string' }], [t])) },
  address.map((a) => a.toLowerCase() as Hex),
  bytes(100),
)

export type Op =
  | { op: 'schema'; schema: SchemaSpec; readFails: boolean }
  | { op: 'attest'; schemaRef: number; data: DataSpec; recipients: Hex[]; indexingKey: string; readFails: boolean }
  | { op: 'revoke'; ref: number; reason: string }
  | { op: 'offchain'; id: string; readFails: boolean }
  | { op: 'revokeOffchain'; ref: number; id: string; reason: string }

const readFails = fc.boolean().chain((b) => (b ? fc.constant(false) : fc.constantFrom(false, false, false, true)))
export const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 2, arbitrary: fc.record({ op: fc.constant('schema' as const), schema: schemaSpec, readFails }) },
  {
    weight: 4,
    arbitrary: fc.record({
      op: fc.constant('attest' as const),
      schemaRef: fc.nat(),
      data: dataSpec,
      recipients: fc.array(recipient, { maxLength: 3 }),
      indexingKey: text,
      readFails,
    }),
  },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('revoke' as const), ref: fc.integer({ min: -1, max: 20 }), reason: text }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('offchain' as const), id: text, readFails }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('revokeOffchain' as const), ref: fc.integer({ min: -1, max: 20 }), id: text, reason: text }) },
)

/** A list of operations that starts with an SDK-shaped schema (so attestations have fields to be encoded against). */
export const ops = (maxLength: number): fc.Arbitrary<Op[]> =>
  fc.tuple(sdkSchemaSpec, fc.array(op, { maxLength })).map(([schema, rest]) => [{ op: 'schema' as const, schema, readFails: false }, ...rest])

export type Scenario = {
  specs: LogSpec[]
  /** per AttestationMade spec index: the schema's fields when the data was encoded against known fields */
  encodedUnder: Map<number, FieldSpec[]>
}

/**
 * Turns operations into logs with their records: ids in order, references resolved to earlier records (or to ids
 * never made), a read that fails for `readFails`. `uniqueOffchainIds` renames an off-chain id whose stored form
 * (toStorableText) repeats an earlier one — such pairs are refused by the database as duplicates (23505).
 */
export function scenario(ops: Op[], opts: { uniqueOffchainIds: boolean }): Scenario {
  const specs: LogSpec[] = []
  const encodedUnder = new Map<number, FieldSpec[]>()
  const schemas: (FieldSpec[] | null)[] = []
  const attestations: bigint[] = []
  const offchainIds: string[] = []
  const storedIds = new Set<string>()
  const fail = { error: 'reverted (0x)' }
  for (const o of ops) {
    switch (o.op) {
      case 'schema': {
        const schemaId = BigInt(schemas.length + 1)
        schemas.push(o.readFails ? null : o.schema.fields)
        specs.push({ name: 'SchemaRegistered', schemaId, schema: o.readFails ? fail : schemaRecord(o.schema.text) })
        break
      }
      case 'attest': {
        const attestationId = BigInt(attestations.length + 1)
        attestations.push(attestationId)
        const schemaIndex = schemas.length ? o.schemaRef % (schemas.length + 1) : 0 // one in n+1 refers to a schema never made
        const schemaId = BigInt(schemaIndex + 1)
        const fields = schemas[schemaIndex] ?? null
        let data: Hex
        let dataLocation = 0
        if (o.data.kind === 'random') ({ data, dataLocation } = o.data)
        else if (o.data.kind === 'cid') {
          data = encodeAbiParameters([{ type: 'string' }], [o.data.cid])
          dataLocation = o.data.dataLocation
        } else if (fields) {
          const { texts, n } = o.data
          const values = fields.map((f, i) => valueFor(f, texts, n, i))
          const params = fields.map(abiOf)
          data = o.data.tuple
            ? encodeAbiParameters([{ type: 'tuple', components: params }] as never, [values] as never)
            : encodeAbiParameters(params as never, values as never)
          if (!o.readFails) encodedUnder.set(specs.length, fields)
        } else data = encodeAbiParameters([{ type: 'string' }], [o.data.texts[0] ?? ''])
        specs.push({
          name: 'AttestationMade',
          attestationId,
          indexingKey: o.indexingKey,
          attestation: o.readFails ? fail : attestationRecord({ schemaId, data, dataLocation, recipients: o.recipients }),
        })
        break
      }
      case 'revoke':
        specs.push({
          name: 'AttestationRevoked',
          attestationId: o.ref >= 0 && attestations.length ? attestations[o.ref % attestations.length]! : 9_999n,
          reason: o.reason,
        })
        break
      case 'offchain': {
        let id = o.id
        if (opts.uniqueOffchainIds) while (storedIds.has(toStorableText(id))) id = `${id}#`
        storedIds.add(toStorableText(id))
        offchainIds.push(id)
        specs.push({
          name: 'OffchainAttestationMade',
          offchainAttestationId: id,
          offchain: o.readFails ? fail : { attester: SENDER, timestamp: 1_700_000_000n },
        })
        break
      }
      case 'revokeOffchain':
        specs.push({
          name: 'OffchainAttestationRevoked',
          offchainAttestationId: o.ref >= 0 && offchainIds.length ? offchainIds[o.ref % offchainIds.length]! : o.id,
          reason: o.reason,
        })
        break
    }
  }
  return { specs, encodedUnder }
}
