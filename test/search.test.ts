/**
 * Text search (`attestations(search:)`, `schemas(search:)`) on PostgreSQL and PGlite, through the gateway: a seeded
 * property test compares every page walk (first/after, random page sizes, orders, with and without `where`) with a
 * reference computed here in JS over the rows written — a case-insensitive substring of the indexing key or of a
 * string or number value of the decoded data (schemas: of the name or description) — over text mixing cases,
 * Greek, Cyrillic, Arabic and Hebrew (RTL, with RTL marks), CJK, Devanagari, emoji and the LIKE metacharacters
 * % _ \. Each walk must return each match exactly once, in the order, and `totalCount` the number of matches.
 * Bad searches are coded errors; a search page costs more than a plain one.
 *
 * Seed: PROPERTY_SEED (default fixed, printed).
 */
import fc from 'fast-check'
import { parse } from 'graphql'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createDb, type Db } from '../src/db/createDb.js'
import { measureComplexity, SEARCH_COMPLEXITY } from '../src/gateway/complexity.js'
import { createGateway, type Gateway } from '../src/gateway/index.js'
import { schema } from '../src/gateway/gatewaySchema.js'
import { createTestDatabase, type TestDatabase } from './helpers/database.js'
import { execute, type GraphQLResult } from './helpers/graphql.js'
import { createTestCommon } from './helpers/common.js'

const SEED = Number(process.env.PROPERTY_SEED ?? 20_261_202)
console.log(`search property test, seed ${SEED} (override with PROPERTY_SEED)`)

const CHAINS = [31337, 10]
const ATTESTATIONS_PER_CHAIN = 120
const SCHEMAS_PER_CHAIN = 12
/** Pieces of text the values are made of (no İ: JS lower-cases it to two characters, PostgreSQL to one). */
const PIECES = [
  'alice',
  'Alice',
  'ALICE',
  'bob',
  'Zürich',
  'ZÜRICH',
  'straße',
  'ΣΟΦΙΑ',
  'σοφία',
  'Жёлтый',
  'жёлтый',
  'مرحبا',
  'بالعالم',
  'שלום',
  '\u200fעולם',
  '日本語',
  'テスト',
  'हिन्दी',
  '😀',
  '0x3f2A9b',
  '100%',
  'a_b',
  'c\\d',
  'x%y_z',
  'order-1234',
  'user@example.com',
  ' ',
  '-',
  '.',
  '42',
]
const piece = fc.constantFrom(...PIECES)
const text = fc.array(piece, { minLength: 1, maxLength: 4 }).map((parts) => parts.join(''))
const leaf: fc.Arbitrary<unknown> = fc.oneof(text, fc.integer({ min: 0, max: 99_999 }), fc.boolean(), fc.constant(null))
const decodedData = fc.oneof(
  { weight: 1, arbitrary: fc.constant(null) },
  {
    weight: 6,
    arbitrary: fc.dictionary(
      fc.constantFrom('name', 'note', 'amount', 'tags', 'owner'),
      fc.oneof(leaf, fc.array(leaf, { maxLength: 3 }), fc.dictionary(fc.constantFrom('inner', 'deep'), leaf)),
      { maxKeys: 4 },
    ),
  },
)

/** Case folding as PostgreSQL's lower() does it on these pieces: per code point (no final-sigma rule). */
const fold = (value: string) => [...value].map((c) => c.toLowerCase()).join('')

function leaves(value: unknown): string[] {
  if (typeof value === 'string') return [value]
  if (typeof value === 'number') return [String(value)]
  if (Array.isArray(value)) return value.flatMap(leaves)
  if (value !== null && typeof value === 'object') return Object.values(value).flatMap(leaves)
  return []
}

type Row = { chainId: number; id: bigint; schemaId: bigint; attestTimestamp: number; indexingKey: string; decodedData: unknown }
type SchemaRow = { chainId: number; id: bigint; dataJson: unknown }

const random = fc.sample(
  fc.record({
    attestations: fc.array(fc.tuple(text, decodedData, fc.integer({ min: 1, max: 3 })), {
      minLength: ATTESTATIONS_PER_CHAIN * CHAINS.length,
      maxLength: ATTESTATIONS_PER_CHAIN * CHAINS.length,
    }),
    schemas: fc.array(fc.tuple(fc.option(text), fc.option(text), fc.boolean()), {
      minLength: SCHEMAS_PER_CHAIN * CHAINS.length,
      maxLength: SCHEMAS_PER_CHAIN * CHAINS.length,
    }),
  }),
  { seed: SEED, numRuns: 1 },
)[0]!

const rows: Row[] = random.attestations.map(([indexingKey, data, schemaId], i) => ({
  chainId: CHAINS[i % CHAINS.length]!,
  id: BigInt(Math.floor(i / CHAINS.length) + 1),
  schemaId: BigInt(schemaId),
  attestTimestamp: 1_700_000_000 + Math.floor(i / CHAINS.length) * 7,
  indexingKey,
  decodedData: data,
}))
const schemaRows: SchemaRow[] = random.schemas.map(([name, description, json], i) => ({
  chainId: CHAINS[i % CHAINS.length]!,
  id: BigInt(Math.floor(i / CHAINS.length) + 1),
  dataJson: json ? { name: name ?? { not: 'a string' }, description: description ?? undefined, data: [] } : ['not', 'an object'],
}))

const matchesAttestation = (row: Row, search: string) => [row.indexingKey, ...leaves(row.decodedData)].some((v) => fold(v).includes(fold(search)))
const matchesSchema = (row: SchemaRow, search: string) => {
  const json = row.dataJson as { name?: unknown; description?: unknown }
  return [json.name, json.description].some((v) => typeof v === 'string' && fold(v).includes(fold(search)))
}

const WORD_RUN = /[\p{L}\p{M}\p{N}]{3}/u
/** Searches: pieces of stored values (in another case too), joined pieces, and texts matching nothing. */
const searches = fc.sample(
  fc
    .oneof(
      text.chain((t) => fc.tuple(fc.nat(t.length), fc.integer({ min: 3, max: 12 })).map(([start, length]) => [...t].slice(start, start + length).join(''))),
      piece.map((p) => p.toUpperCase()),
      text,
      fc.constantFrom('%', '_', '\\', 'x%y', 'a_b', 'c\\d', '0%', '%y_', 'nothing-like-this', 'ali', 'ΣΟΦ', 'שלו', '日本'),
    )
    .filter((s) => s.length > 0 && WORD_RUN.test(s) && !/[\u0000-\u001f]/.test(s)),
  { seed: SEED + 1, numRuns: 40 },
)

const ATTESTATIONS = `query Search($search: String, $where: AttestationWhere, $orderBy: AttestationOrder, $first: Int, $after: String) {
  attestations(search: $search, where: $where, orderBy: $orderBy, first: $first, after: $after) {
    totalCount
    edges { cursor node { chainId attestationId } }
    pageInfo { hasNextPage endCursor }
  }
}`
const SCHEMAS = `query Search($search: String, $where: SchemaWhere, $orderBy: SchemaOrder, $first: Int, $after: String) {
  schemas(search: $search, where: $where, orderBy: $orderBy, first: $first, after: $after) {
    totalCount
    edges { cursor node { chainId schemaId } }
    pageInfo { hasNextPage endCursor }
  }
}`
type Connection = {
  totalCount: number
  edges: { cursor: string; node: { chainId: number; attestationId?: string; schemaId?: string } }[]
  pageInfo: { hasNextPage: boolean; endCursor: string | null }
}

const backends = [
  {
    name: 'PostgreSQL',
    open: async () => {
      const database = await createTestDatabase('sitest_search')
      return { db: await createDb({ databaseUrl: database.url }), database }
    },
  },
  { name: 'PGlite', open: async () => ({ db: await createDb(), database: undefined as TestDatabase | undefined }) },
]

describe.each(backends)('text search on $name', ({ open }) => {
  let db: Db
  let database: TestDatabase | undefined
  let gateway: Gateway

  beforeAll(async () => {
    ;({ db, database } = await open())
    for (const s of schemaRows) {
      await db.prisma.$executeRawUnsafe(
        `INSERT INTO "Schema" ("chainId", "schemaId", "registrant", "revocable", "dataLocation", "maxValidFor", "hook", "timestamp", "data", "dataJson",
          "txHash", "txFrom", "blockNumber", "blockHash", "logIndex")
        VALUES ($1, $2::bigint, '0x${'a'.repeat(40)}', true, 0, 0, '0x${'0'.repeat(40)}', 1700000000, $3::text, $3::text::jsonb, '0x00', '0x00', 0, '0x00', 0)`,
        s.chainId,
        s.id.toString(),
        JSON.stringify(s.dataJson),
      )
    }
    for (const r of rows) {
      await db.prisma.$executeRawUnsafe(
        `INSERT INTO "Attestation" ("chainId", "attestationId", "schemaId", "attestTimestamp", "revokeTimestamp", "attester", "validUntil", "dataLocation",
          "revoked", "recipientsRaw", "data", "decodedData", "indexingKey", "txHash", "txFrom", "blockNumber", "blockHash", "blockTimestamp", "logIndex")
        VALUES ($1, $2::bigint, $3::bigint, $4::bigint, 0, '0x${'b'.repeat(40)}', 0, 0, false, ARRAY[]::text[], '0x', $5::jsonb, $6, '0x00', '0x00', 0, '0x00', $4::bigint, 0)`,
        r.chainId,
        r.id.toString(),
        r.schemaId.toString(),
        r.attestTimestamp,
        r.decodedData === null ? null : JSON.stringify(r.decodedData),
        r.indexingKey,
      )
    }
    gateway = createGateway({ prisma: db.prisma, common: createTestCommon(), journalPollMs: 60_000, maxPageSize: 100 })
  }, 120_000)

  afterAll(async () => {
    await gateway?.close()
    await db?.close()
    await database?.drop()
  })

  /** Follows `first`/`after` to the end; returns every edge and the totalCount of each page. */
  async function walk(document: string, field: 'attestations' | 'schemas', variables: Record<string, unknown>, sizes: number[]) {
    const edges: Connection['edges'] = []
    const counts = new Set<number>()
    let after: string | null = null
    for (let i = 0; ; i++) {
      const result: GraphQLResult<Record<string, Connection>> = await execute(gateway.yoga, document, { ...variables, first: sizes[i % sizes.length], after })
      expect(result.errors, JSON.stringify(variables)).toBeUndefined()
      const connection: Connection = result.data![field]!
      edges.push(...connection.edges)
      counts.add(connection.totalCount)
      if (!connection.pageInfo.hasNextPage) break
      after = connection.pageInfo.endCursor
      expect(i, 'walk does not end').toBeLessThan(rows.length)
    }
    return { edges, counts }
  }

  it('pages through every attestation matching the search exactly once, in order, composed with where and orderBy', async () => {
    const choices = fc.sample(
      fc.record({
        sizes: fc.array(fc.integer({ min: 1, max: 9 }), { minLength: 1, maxLength: 3 }),
        order: fc.constantFrom('ATTESTATION_ID_DESC', 'ATTESTATION_ID_ASC', 'ATTEST_TIMESTAMP_DESC', 'ATTEST_TIMESTAMP_ASC'),
        where: fc.constantFrom(null, { chainId: 10 }, { schemaId: '2' }, { chainId: 31337, schemaId: '3' }),
      }),
      { seed: SEED + 2, numRuns: searches.length },
    )
    let nonEmpty = 0
    for (const [i, search] of searches.entries()) {
      const { sizes, order, where } = choices[i]!
      const expected = rows
        .filter(
          (r) =>
            matchesAttestation(r, search) &&
            (where?.chainId == null || r.chainId === where.chainId) &&
            (where?.schemaId == null || r.schemaId === BigInt(where.schemaId)),
        )
        .sort((a, b) => {
          const byKey = order.startsWith('ATTEST_TIMESTAMP') ? a.attestTimestamp - b.attestTimestamp || Number(a.id - b.id) : Number(a.id - b.id)
          return (byKey || a.chainId - b.chainId) * (order.endsWith('DESC') ? -1 : 1)
        })
        .map((r) => `${r.chainId}:0x${r.id.toString(16)}`)
      const { edges, counts } = await walk(ATTESTATIONS, 'attestations', { search, where, orderBy: order }, sizes)
      const label = `search ${JSON.stringify(search)} ${order} ${JSON.stringify(where)} sizes ${sizes}`
      expect(
        edges.map((e) => `${e.node.chainId}:${e.node.attestationId}`),
        label,
      ).toEqual(expected)
      expect([...counts], label).toEqual([expected.length])
      if (expected.length) nonEmpty++
    }
    expect(nonEmpty, 'most searches find something').toBeGreaterThan(searches.length / 2)
  }, 240_000)

  it('pages through every schema whose name or description matches', async () => {
    let nonEmpty = 0
    for (const [i, search] of searches.entries()) {
      const order = i % 2 ? 'SCHEMA_ID_ASC' : 'SCHEMA_ID_DESC'
      const expected = schemaRows
        .filter((s) => matchesSchema(s, search))
        .sort((a, b) => (Number(a.id - b.id) || a.chainId - b.chainId) * (order === 'SCHEMA_ID_DESC' ? -1 : 1))
        .map((s) => `${s.chainId}:0x${s.id.toString(16)}`)
      const { edges, counts } = await walk(SCHEMAS, 'schemas', { search, orderBy: order }, [1 + (i % 4)])
      expect(
        edges.map((e) => `${e.node.chainId}:${e.node.schemaId}`),
        JSON.stringify(search),
      ).toEqual(expected)
      expect([...counts]).toEqual([expected.length])
      if (expected.length) nonEmpty++
    }
    expect(nonEmpty).toBeGreaterThan(searches.length / 4)
  }, 240_000)

  it('treats % _ and \\ as literal characters', async () => {
    // what each search would match if its metacharacters were LIKE wildcards / escapes
    const asWildcards = (search: string) => {
      const chars = [...fold(search)]
      let source = ''
      for (let i = 0; i < chars.length; i++) {
        const c = chars[i] === '\\' && i + 1 < chars.length ? chars[++i]! : chars[i]!
        source += chars[i - 1] !== '\\' && c === '%' ? '.*' : chars[i - 1] !== '\\' && c === '_' ? '.' : c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
      }
      return new RegExp(source, 'su')
    }
    let differs = 0
    for (const search of ['100%', '%100', '100_', '_100', 'ice%bob', 'ali_e', 'c\\dalice', 'ALICE\\', '42%ali']) {
      const { edges } = await walk(ATTESTATIONS, 'attestations', { search }, [100])
      const literal = rows.filter((r) => matchesAttestation(r, search)).length
      const wildcard = rows.filter((r) => [r.indexingKey, ...leaves(r.decodedData)].some((v) => asWildcards(search).test(fold(v)))).length
      expect(edges.length, search).toBe(literal)
      if (literal !== wildcard) differs++
    }
    expect(differs, 'the data tells literal from wildcard matching').toBeGreaterThan(2)
  })

  it('refuses bad searches with a coded error, on both connections', async () => {
    const bad = ['', 'ab', '%%%', '😀😀😀', '- -', 'a'.repeat(201), 'abc\u0000', 'abc\ud800', '\udc00abc', 'abc\n', 'ab\tc', 'x'.repeat(10_001)]
    for (const search of bad) {
      for (const document of [ATTESTATIONS, SCHEMAS]) {
        const { data, errors } = await execute(gateway.yoga, document, { search, first: 5 })
        expect(data ?? null, JSON.stringify(search)).toBeNull()
        expect(errors?.[0]?.extensions?.code, JSON.stringify(search).slice(0, 50)).toBe('BAD_USER_INPUT')
        expect(errors?.[0]?.extensions?.argument).toMatch(/search|variables/)
      }
    }
    // 200 characters is the cap; a search of 200 is answered
    const { errors } = await execute(gateway.yoga, ATTESTATIONS, { search: 'é'.repeat(200), first: 5 })
    expect(errors).toBeUndefined()
  })
})

describe('search complexity', () => {
  it('costs a search page more than a plain page of the same size', () => {
    const cost = (query: string) => measureComplexity({ schema, document: parse(query), contextValue: { maxPageSize: 100 } })!
    for (const field of ['attestations', 'schemas']) {
      const plain = cost(`{ ${field}(first: 20) { nodes { id } } }`)
      const searched = cost(`{ ${field}(first: 20, search: "alice") { nodes { id } } }`)
      expect(searched - plain).toBe(SEARCH_COMPLEXITY)
    }
    const withVariable = measureComplexity({
      schema,
      document: parse('query Q($s: String) { attestations(first: 20, search: $s) { nodes { id } } }'),
      variableValues: { s: 'alice' },
      contextValue: { maxPageSize: 100 },
    })!
    expect(withVariable).toBe(cost('{ attestations(first: 20, search: "alice") { nodes { id } } }'))
  })
})
