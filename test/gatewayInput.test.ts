/**
 * Input that must be a user error, not a server fault (issue 12 §4.1–4.2), against the real gateway on real
 * PostgreSQL: ids above int64 (the database's signed BIGINT) in lookups, filters and cursors, NUL in filter strings
 * (matched the way the indexer stored it), timestamps at and above uint64, size caps on cursors, strings, documents
 * and variables, CORS (no credentials, configured origins), `inLineageOf` over the walk's node cap (LINEAGE_TOO_LARGE, not a silent part) — then a seeded property test that sends hostile values for every argument of every root field
 * (queries over POST, subscriptions over SSE) and asserts that no answer is INTERNAL_SERVER_ERROR. The log is
 * captured: a user error is one info line without the input, never an error-level line.
 *
 * Seed: PROPERTY_SEED (default fixed, printed); runs: PROPERTY_RUNS.
 */
import { Writable } from 'node:stream'
import fc from 'fast-check'
import pg from 'pg'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { createLogger } from '../src/common/logger.js'
import { createDb, type Db } from '../src/db/createDb.js'
import { toIndexableTextTruncated, toStorableText } from '../src/db/toStorable.js'
import { createGateway, type Gateway } from '../src/gateway/index.js'
import { INPUT_LIMITS } from '../src/gateway/inputLimits.js'
import { LINEAGE_MAX_NODES } from '../src/gateway/lineage.js'
import { CHAIN, seedGatewayFixtures } from './fixtures/gatewayFixtures.js'
import { createTestDatabase, type TestDatabase } from './helpers/database.js'
import { execute, type GraphQLResult } from './helpers/graphql.js'
import { shortText } from './helpers/hostileArbitraries.js'
import { createTestCommon } from './helpers/common.js'

const SEED = Number(process.env.PROPERTY_SEED ?? 20_261_204)
const RUNS = Number(process.env.PROPERTY_RUNS ?? 60)

let database: TestDatabase
let db: Db
let gateway: Gateway
const logLines: { level: number; msg: string; [key: string]: unknown }[] = []
const rawLog: string[] = []

const b64 = (s: string) => Buffer.from(s).toString('base64')
const b64url = (s: string) => Buffer.from(s).toString('base64url')
const codes = (r: GraphQLResult<unknown>) => (r.errors ?? []).map((e) => e.extensions?.code)

beforeAll(async () => {
  database = await createTestDatabase('sitest_input')
  db = await createDb({ databaseUrl: database.url })
  await seedGatewayFixtures(db.prisma)
  // what the indexer stores for chain values with NUL (src/db/toStorable.ts): U+FFFD in place of it
  await db.prisma.attestation.update({
    where: { chainId_attestationId: { chainId: CHAIN, attestationId: 11n } },
    data: { indexingKey: toIndexableTextTruncated('nul\u0000key') },
  })
  const { attestTimestamp } = await db.prisma.attestation.findUniqueOrThrow({ where: { chainId_attestationId: { chainId: CHAIN, attestationId: 11n } } })
  await db.prisma.recipient.create({
    data: { chainId: CHAIN, attestationId: 11n, position: 0, raw: '0x00', text: toStorableText('nul\u0000recipient'), attestTimestamp },
  })
  const destination = new Writable({
    write(chunk, _encoding, done) {
      const text = chunk.toString()
      rawLog.push(text)
      for (const line of text.split('\n').filter(Boolean)) logLines.push(JSON.parse(line))
      done()
    },
  })
  gateway = createGateway({
    prisma: db.prisma,
    common: createTestCommon({ logger: createLogger({ level: 'info', destination }) }),
    journalPollMs: 50,
    maxPageSize: 100,
  })
  await gateway.journal.ready
})

afterAll(async () => {
  await gateway?.close()
  await db?.close()
  await database?.drop()
})

beforeEach(() => {
  logLines.length = 0
  rawLog.length = 0
})

describe('uint64 ids above int64', () => {
  it.each([
    ['attestation', '{ attestation(id: "onchain_evm_31337_0x8000000000000000") { id } }'],
    ['attestation (uint64 max)', '{ attestation(id: "onchain_evm_31337_0xffffffffffffffff") { id } }'],
    ['schema', '{ attestation: schema(id: "onchain_evm_31337_0x8000000000000000") { id } }'],
    ['verifyAttestation', '{ attestation: verifyAttestation(id: "onchain_evm_31337_0x8000000000000000") { attestationId } }'],
  ])('a lookup by %s answers null', async (_name, query) => {
    const result = await execute(gateway.yoga, query)
    expect(result).toEqual({ data: { attestation: null } })
  })

  it.each([
    ['schemaId', '"0x8000000000000000"'],
    ['schemaId', '"onchain_evm_31337_0xffffffffffffffff"'],
    ['linkedAttestationId', '"18446744073709551615"'],
    ['linkedAttestationId', '"onchain_evm_31337_0x8000000000000000"'],
    ['inLineageOf', '"onchain_evm_31337_0x8000000000000000"'],
    ['attestTimestampGte', '"9223372036854775808"'],
    ['attestTimestampGte', '"18446744073709551615"'],
  ])('filter %s: %s is an empty page', async (field, value) => {
    const result = await execute(gateway.yoga, `{ attestations(where: { ${field}: ${value} }) { totalCount edges { cursor } } }`)
    expect(result).toEqual({ data: { attestations: { totalCount: 0, edges: [] } } })
  })

  it('attestTimestampLte above int64 matches every attestation; above uint64 it is BAD_USER_INPUT', async () => {
    const all = await execute(gateway.yoga, '{ attestations { totalCount } }')
    const lte = await execute(gateway.yoga, '{ attestations(where: { attestTimestampLte: "18446744073709551615" }) { totalCount } }')
    expect(lte.errors).toBeUndefined()
    expect(lte.data).toEqual(all.data)
    expect(codes(await execute(gateway.yoga, '{ attestations(where: { attestTimestampGte: "18446744073709551616" }) { totalCount } }'))).toEqual([
      'BAD_USER_INPUT',
    ])
    expect(codes(await execute(gateway.yoga, '{ attestations(where: { schemaId: "18446744073709551616" }) { totalCount } }'))).toEqual(['BAD_USER_INPUT'])
  })

  it.each([
    ['lineage', '20-digit id', b64url('lineage:1:99999999999999999999')],
    ['lineage', 'id above int64', b64url('lineage:1:9223372036854775808')],
    ['linkedBy', 'id above int64', b64('GPC:T:["N:31337","I:9223372036854775808"]')],
  ])('a %s cursor with a %s is BAD_USER_INPUT', async (field, _what, cursor) => {
    const query =
      field === 'lineage'
        ? 'query($c: String) { attestation(id: "onchain_evm_31337_0x1") { lineage(direction: DESCENDANTS, after: $c) { totalCount } } }'
        : 'query($c: String) { attestation(id: "onchain_evm_31337_0x1") { linkedBy(after: $c) { edges { cursor } } } }'
    expect(codes(await execute(gateway.yoga, query, { c: cursor }))).toEqual(['BAD_USER_INPUT'])
  })
})

describe('NUL and other unstorable text in filters', () => {
  it('matches what the indexer stored from the same chain value', async () => {
    const byKey = await execute(gateway.yoga, 'query($k: String) { attestations(where: { indexingKey: $k }) { nodes { attestationId } } }', {
      k: 'nul\u0000key',
    })
    expect(byKey).toEqual({ data: { attestations: { nodes: [{ attestationId: '0xb' }] } } })
    const byRecipient = await execute(gateway.yoga, 'query($r: String) { attestations(where: { recipient: $r }) { nodes { attestationId } } }', {
      r: 'nul\u0000recipient',
    })
    expect(byRecipient).toEqual({ data: { attestations: { nodes: [{ attestationId: '0xb' }] } } })
    const lone = await execute(gateway.yoga, 'query($k: String) { attestations(where: { indexingKey: $k }) { totalCount } }', { k: 'a\ud800b' })
    expect(lone).toEqual({ data: { attestations: { totalCount: 0 } } })
  })

  it('an off-chain id or attester with NUL answers null / BAD_USER_INPUT', async () => {
    const offchain = await execute(gateway.yoga, 'query($id: String!) { offchainAttestation(chainId: 31337, offchainAttestationId: $id) { attester } }', {
      id: 'a\u0000b',
    })
    expect(offchain).toEqual({ data: { offchainAttestation: null } })
    expect(codes(await execute(gateway.yoga, '{ attestations(where: { attester: "a\\u0000b" }) { totalCount } }'))).toEqual(['BAD_USER_INPUT'])
  })
})

describe('size caps', () => {
  const cursor = 'x'.repeat(2 * 1024 * 1024)

  it('a 2 MiB cursor is BAD_USER_INPUT without echo, and logged at info without the input', async () => {
    for (const query of [
      'query($c: String) { attestations(after: $c) { edges { cursor } } }',
      'query($c: String) { attestation(id: "onchain_evm_31337_0x1") { lineage(direction: DESCENDANTS, after: $c) { totalCount } } }',
    ]) {
      const response = await gateway.yoga.fetch('http://gateway.test/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query, variables: { c: cursor } }),
      })
      const text = await response.text()
      expect(text.length).toBeLessThan(1000)
      expect(JSON.parse(text).errors.map((e: { extensions: { code: string } }) => e.extensions.code)).toEqual(['REQUEST_TOO_LARGE'])
      expect(response.status).toBe(413)
    }
    // under the body cap but over the cursor cap
    const long = 'y'.repeat(INPUT_LIMITS.maxCursorChars + 1)
    const result = await execute(gateway.yoga, 'query($c: String) { attestations(after: $c) { edges { cursor } } }', { c: long })
    expect(codes(result)).toEqual(['BAD_USER_INPUT'])
    expect(JSON.stringify(result)).not.toContain(long)
    const pothos = await execute(gateway.yoga, 'query($c: String) { attestations(after: $c) { edges { cursor } } }', { c: 'z'.repeat(900) })
    expect(codes(pothos)).toEqual(['BAD_USER_INPUT'])
    expect(JSON.stringify(pothos)).not.toContain('z'.repeat(300))
    expect(logLines.filter((l) => l.level >= 50)).toEqual([])
    expect(rawLog.join('')).not.toContain('z'.repeat(300))
    expect(logLines.some((l) => l.level === 30 && l.msg === 'GraphQL request refused' && l.code === 'BAD_USER_INPUT')).toBe(true)
  })

  it('a long refused id, address or number is quoted cut to 100 characters, never whole', async () => {
    const long = 'q'.repeat(INPUT_LIMITS.maxStringChars)
    const queries = [
      'query($v: ID!) { attestation(id: $v) { id } }',
      'query($v: ID!) { schema(id: $v) { id } }',
      'query($v: String) { attestations(where: { attester: $v }) { totalCount } }',
      'query($v: ID) { attestations(where: { schemaId: $v }) { totalCount } }',
      'query($v: String) { attestations(where: { attestTimestampGte: $v }) { totalCount } }',
    ]
    for (const query of queries) {
      const result = await execute(gateway.yoga, query, { v: long })
      expect(codes(result), query).toEqual(['BAD_USER_INPUT'])
      expect(result.errors?.[0]?.message).toContain(`(${long.length} characters)`)
      expect(JSON.stringify(result).length, query).toBeLessThan(1_000)
    }
  })

  it('caps filter strings, strings in variables, the document and the variables', async () => {
    const long = 'k'.repeat(INPUT_LIMITS.maxStringChars + 1)
    expect(codes(await execute(gateway.yoga, `{ attestations(where: { indexingKey: "${long}" }) { totalCount } }`))).toEqual(['BAD_USER_INPUT'])
    expect(codes(await execute(gateway.yoga, 'query($k: String) { attestations(where: { indexingKey: $k }) { totalCount } }', { k: long }))).toEqual([
      'BAD_USER_INPUT',
    ])
    const hugeDocument = `{ attestations { totalCount } } ${'#'.repeat(INPUT_LIMITS.maxDocumentChars)}`
    expect(codes(await execute(gateway.yoga, hugeDocument))).toEqual(['REQUEST_TOO_LARGE'])
    const manyStrings = Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`v${i}`, 'v'.repeat(9_000)]))
    expect(codes(await execute(gateway.yoga, '{ attestations { totalCount } }', manyStrings))).toEqual(['REQUEST_TOO_LARGE'])
    expect(logLines.filter((l) => l.level >= 50)).toEqual([])
  })
})

describe('request parameters that do not parse', () => {
  const query = encodeURIComponent('query($id: ID!) { attestation(id: $id) { id } }')

  it('variables or extensions that are not JSON, in a GET or a form POST, are 400 BAD_REQUEST, not 500', async () => {
    const requests: [string, RequestInit][] = [
      [`/graphql?query=${query}&variables=%7Bnope`, { method: 'GET', headers: { accept: 'application/graphql-response+json' } }],
      [`/graphql?query=${query}&variables=${encodeURIComponent('{"id":"onchain_evm_31337_0x1"}')}&extensions=nope`, { method: 'GET' }],
      ['/graphql', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: `query=${query}&variables=${'['.repeat(5_000)}` }],
    ]
    for (const [path, init] of requests) {
      const response = await gateway.yoga.fetch(`http://gateway.test${path}`, init)
      const text = await response.text()
      expect(response.status, path).toBe(400)
      expect(JSON.parse(text).errors.map((e: { extensions: { code: string } }) => e.extensions.code)).toEqual(['BAD_REQUEST'])
      expect(text).not.toContain('[[[[')
    }
    expect(logLines.filter((l) => l.level >= 50)).toEqual([])
  })

  it('a mutation (the schema has none) is 400 BAD_USER_INPUT, not a 200', async () => {
    for (const accept of ['application/graphql-response+json', 'application/json']) {
      const response = await gateway.yoga.fetch('http://gateway.test/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept },
        body: JSON.stringify({ query: 'mutation { __typename }' }),
      })
      expect(response.status, accept).toBe(400)
      expect((await response.json()).errors.map((e: { extensions: { code: string } }) => e.extensions.code)).toEqual(['BAD_USER_INPUT'])
    }
  })

  it('multipart/form-data (there is no Upload) is 415 like any unsupported body, not 200 with an uncoded error', async () => {
    const form = new FormData()
    form.set('query', '{ __typename }')
    const response = await gateway.yoga.fetch('http://gateway.test/graphql', { method: 'POST', body: form })
    expect(response.status).toBe(415)
  })

  it('an unsupported body (415) and an unacceptable answer (406) carry a coded error, not an empty body', async () => {
    const body = JSON.stringify({ query: '{ __typename }' })
    const cases: [RequestInit, number, string][] = [
      [{ method: 'POST', headers: { 'content-type': 'text/plain' }, body }, 415, 'UNSUPPORTED_MEDIA_TYPE'],
      [{ method: 'POST', body: new FormData() }, 415, 'UNSUPPORTED_MEDIA_TYPE'],
      [
        {
          method: 'POST',
          headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json' },
          body: JSON.stringify({ query: 'subscription { attestationCreated { id } }' }),
        },
        406,
        'NOT_ACCEPTABLE',
      ],
    ]
    for (const [init, status, code] of cases) {
      const response = await gateway.yoga.fetch('http://gateway.test/graphql', init)
      expect(response.status).toBe(status)
      expect((await response.json()).errors.map((e: { extensions: { code: string } }) => e.extensions.code)).toEqual([code])
    }
  })
})

// ---------------------------------------------------------------------------------------------------------------
// Property: hostile values for every argument of every root field never produce INTERNAL_SERVER_ERROR.

const uint = fc.oneof(fc.bigInt({ min: 0n, max: 1n << 70n }), fc.constantFrom(0n, 1n, (1n << 63n) - 1n, 1n << 63n, (1n << 64n) - 1n, 1n << 64n))
const chainIdText = fc.oneof(fc.constantFrom('31337', '10', '0', '2147483648', '99999999999'), fc.nat().map(String))
const fullId = fc.tuple(chainIdText, uint, fc.boolean()).map(([c, n, upper]) => `onchain_evm_${c}_0x${upper ? n.toString(16).toUpperCase() : n.toString(16)}`)
const idText = fc.oneof(
  fullId,
  uint.map((n) => n.toString()),
  uint.map((n) => `0x${n.toString(16)}`),
  shortText,
  fc.constant(''),
)
const cursor = fc.oneof(
  fc.tuple(fc.integer({ min: -5, max: 5_000_000_000 }), uint).map(([c, n]) => b64(`GPC:T:["N:${c}","I:${n}"]`)),
  fc.tuple(chainIdText, uint).map(([c, n]) => b64(`GPC:J[${c},"${n}n"]`)),
  fc.tuple(fc.nat({ max: 1000 }), uint).map(([d, n]) => b64url(`lineage:${d}:${n}`)),
  uint.map(String),
  shortText,
  shortText.map(b64),
  fc.constant('x'.repeat(INPUT_LIMITS.maxCursorChars + 1)),
)
const text = fc.oneof(
  shortText,
  idText,
  fc.constantFrom('0x0000000000000000000000000000000000000b0b', 'a\u0000b', '\ud800'),
  fc.constant('t'.repeat(INPUT_LIMITS.maxStringChars + 1)),
)
/** search: hostile text, LIKE metacharacters, lengths around the 3 / 200 bounds */
const searchText = fc.oneof(text, fc.constantFrom('%', '%%%', '_a_', '\\abc', 'abc%', 'ab', 'abc', 'a'.repeat(200), 'a'.repeat(201), 'abc\n', '😀😀😀'))
const int = fc.oneof(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), fc.constantFrom(0, 1, 100, 101, -1))
const maybe = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined, freq: 3 })
/** An enum variable: one of its values, or anything else (the coercion error must be coded too). */
const enumOf = (...values: string[]) => fc.oneof(fc.constantFrom(...values), shortText, fc.integer())
const page = fc.record({ first: maybe(int), last: maybe(int), after: maybe(cursor), before: maybe(cursor) }, { requiredKeys: [] })
const attestationWhere = fc.record(
  {
    chainId: maybe(int),
    schemaId: maybe(idText),
    attester: maybe(text),
    recipient: maybe(text),
    indexingKey: maybe(text),
    revoked: maybe(fc.boolean()),
    linkedAttestationId: maybe(idText),
    attestTimestampGte: maybe(fc.oneof(uint.map(String), text)),
    attestTimestampLte: maybe(fc.oneof(uint.map(String), text)),
    inLineageOf: maybe(idText),
  },
  { requiredKeys: [] },
)
const subscriptionWhere = fc.record(
  { chainId: maybe(int), schemaId: maybe(idText), attester: maybe(text), recipient: maybe(text), indexingKey: maybe(text) },
  { requiredKeys: [] },
)
const nested = fc.record({ lineageDirection: enumOf('ANCESTORS', 'DESCENDANTS'), maxDepth: maybe(int), lineage: page, linkedBy: page, schemaPage: page })

const PAGE_ARGS = 'first: $first, last: $last, after: $after, before: $before'
const PAGE_VARS = '$first: Int, $last: Int, $after: String, $before: String'

type Operation = { name: string; query: string; variables: Record<string, unknown>; subscription?: boolean }

const operations: fc.Arbitrary<Operation> = fc.oneof(
  fc.record({ id: idText, n: nested }).map(({ id, n }) => ({
    name: 'attestation',
    query: `query($id: ID!, $dir: LineageDirection!, $maxDepth: Int, $lf: Int, $la: String, $lb: String, $ll: Int, $kf: Int, $kl: Int, $ka: String, $kb: String, $sf: Int, $sl: Int, $sa: String, $sb: String) {
      attestation(id: $id) { id lineageDepth lineageRoot { id } verification { status }
        lineage(direction: $dir, maxDepth: $maxDepth, first: $lf, after: $la, last: $ll, before: $lb) { totalCount truncated edges { cursor depth } }
        linkedBy(first: $kf, last: $kl, after: $ka, before: $kb) { totalCount edges { cursor } }
        schema { attestations(first: $sf, last: $sl, after: $sa, before: $sb) { totalCount edges { cursor } } } } }`,
    variables: {
      id,
      dir: n.lineageDirection,
      maxDepth: n.maxDepth,
      lf: n.lineage.first,
      la: n.lineage.after,
      ll: n.lineage.last,
      lb: n.lineage.before,
      kf: n.linkedBy.first,
      kl: n.linkedBy.last,
      ka: n.linkedBy.after,
      kb: n.linkedBy.before,
      sf: n.schemaPage.first,
      sl: n.schemaPage.last,
      sa: n.schemaPage.after,
      sb: n.schemaPage.before,
    },
  })),
  fc
    .record({
      p: page,
      where: maybe(attestationWhere),
      search: maybe(searchText),
      orderBy: maybe(enumOf('ATTESTATION_ID_ASC', 'ATTESTATION_ID_DESC', 'ATTEST_TIMESTAMP_ASC', 'ATTEST_TIMESTAMP_DESC')),
    })
    .map(({ p, where, search, orderBy }) => ({
      name: 'attestations',
      query: `query(${PAGE_VARS}, $where: AttestationWhere, $search: String, $orderBy: AttestationOrder) { attestations(${PAGE_ARGS}, where: $where, search: $search, orderBy: $orderBy) { totalCount edges { cursor } pageInfo { hasNextPage } } }`,
      variables: { ...p, where, search, orderBy },
    })),
  fc.constant({ name: 'indexerStatus', query: '{ indexerStatus { chainId headBlock } }', variables: {} }),
  fc.record({ chainId: int, id: text }).map(({ chainId, id }) => ({
    name: 'offchainAttestation',
    query: 'query($chainId: Int!, $id: String!) { offchainAttestation(chainId: $chainId, offchainAttestationId: $id) { attester } }',
    variables: { chainId, id },
  })),
  fc
    .record({
      p: page,
      where: maybe(fc.record({ chainId: maybe(int), attester: maybe(text), revoked: maybe(fc.boolean()) }, { requiredKeys: [] })),
      orderBy: maybe(enumOf('BLOCK_NUMBER_ASC', 'BLOCK_NUMBER_DESC')),
    })
    .map(({ p, where, orderBy }) => ({
      name: 'offchainAttestations',
      query: `query(${PAGE_VARS}, $where: OffchainAttestationWhere, $orderBy: OffchainAttestationOrder) { offchainAttestations(${PAGE_ARGS}, where: $where, orderBy: $orderBy) { totalCount edges { cursor } } }`,
      variables: { ...p, where, orderBy },
    })),
  fc.record({ id: idText }).map(({ id }) => ({ name: 'schema', query: 'query($id: ID!) { schema(id: $id) { id } }', variables: { id } })),
  fc
    .record({
      p: page,
      where: maybe(fc.record({ chainId: maybe(int), registrant: maybe(text) }, { requiredKeys: [] })),
      search: maybe(searchText),
      orderBy: maybe(enumOf('SCHEMA_ID_ASC', 'SCHEMA_ID_DESC')),
    })
    .map(({ p, where, search, orderBy }) => ({
      name: 'schemas',
      query: `query(${PAGE_VARS}, $where: SchemaWhere, $search: String, $orderBy: SchemaOrder) { schemas(${PAGE_ARGS}, where: $where, search: $search, orderBy: $orderBy) { totalCount edges { cursor } } }`,
      variables: { ...p, where, search, orderBy },
    })),
  fc
    .record({ id: idText })
    .map(({ id }) => ({ name: 'verifyAttestation', query: 'query($id: ID!) { verifyAttestation(id: $id) { attestationId } }', variables: { id } })),
  fc.record({ kind: fc.constantFrom('attestationCreated', 'attestationRevoked'), where: maybe(subscriptionWhere) }).map(({ kind, where }) => ({
    name: kind,
    query: `subscription($where: AttestationSubscriptionWhere) { ${kind}(where: $where) { id } }`,
    variables: { where },
    subscription: true,
  })),
  fc
    .record({ where: maybe(subscriptionWhere), statuses: maybe(fc.array(enumOf('VALID', 'PENDING', 'INVALID', 'REVOKED', 'EXPIRED'), { maxLength: 3 })) })
    .map(({ where, statuses }) => ({
      name: 'attestationStatusChanged',
      query:
        'subscription($where: AttestationSubscriptionWhere, $statuses: [VerificationStatus!]) { attestationStatusChanged(where: $where, statuses: $statuses) { id } }',
      variables: { where, statuses },
      subscription: true,
    })),
  fc
    .record({
      after: maybe(fc.oneof(uint.map(String), cursor)),
      finality: maybe(enumOf('LATEST', 'SAFE', 'FINALIZED')),
      where: maybe(
        fc.record(
          {
            chainId: maybe(int),
            schemaId: maybe(idText),
            attester: maybe(text),
            recipient: maybe(text),
            kinds: maybe(fc.array(enumOf('CREATED', 'REVOKED', 'STATUS_CHANGED', 'REMOVED'), { maxLength: 3 })),
          },
          { requiredKeys: [] },
        ),
      ),
    })
    .map(({ after, finality, where }) => ({
      name: 'attestationEvents',
      query:
        'subscription($after: String, $finality: Finality, $where: AttestationEventsWhere) { attestationEvents(after: $after, finality: $finality, where: $where) { cursor } }',
      variables: { after, finality, where },
      subscription: true,
    })),
)

/** Runs a query over POST, or a subscription over SSE until its first frame (or a short quiet period: it is live). */
async function run(op: Operation): Promise<{ status: number; errors: GraphQLResult<unknown>['errors'] }> {
  const controller = new AbortController()
  const response = await gateway.yoga.fetch('http://gateway.test/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: op.subscription ? 'text/event-stream' : 'application/graphql-response+json' },
    body: JSON.stringify({ query: op.query, variables: op.variables }),
    signal: controller.signal,
  })
  if (!op.subscription || !response.headers.get('content-type')?.includes('text/event-stream')) {
    const body = (await response.json()) as GraphQLResult<unknown>
    return { status: response.status, errors: body.errors }
  }
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader()
  let buffer = ''
  const quiet = new Promise<'quiet'>((resolve) => setTimeout(() => resolve('quiet'), 150))
  try {
    for (;;) {
      const read = await Promise.race([reader.read(), quiet])
      if (read === 'quiet' || read.done) return { status: response.status, errors: undefined }
      buffer += read.value
      const data = /(?:^|\n)data:(.*)\n/.exec(buffer)
      if (data) return { status: response.status, errors: (JSON.parse(data[1]!) as GraphQLResult<unknown>).errors }
    }
  } finally {
    controller.abort()
    reader.cancel().catch(() => {})
  }
}

describe('property: hostile arguments never make an INTERNAL_SERVER_ERROR', () => {
  it(`every root field, seeded (seed ${SEED})`, async () => {
    console.log(`gateway input property test, seed ${SEED} (override with PROPERTY_SEED), ${RUNS} runs (PROPERTY_RUNS)`)
    const seen = new Map<string, number>()
    await fc.assert(
      fc.asyncProperty(operations, async (op) => {
        seen.set(op.name, (seen.get(op.name) ?? 0) + 1)
        const { status, errors } = await run(op)
        expect(status, JSON.stringify(errors)).toBeLessThan(500)
        for (const error of errors ?? []) {
          expect(error.extensions?.code, `${op.name}: ${error.message}`).toBeTypeOf('string')
          expect(error.extensions?.code, `${op.name}: ${error.message}`).not.toBe('INTERNAL_SERVER_ERROR')
        }
      }),
      { seed: SEED, numRuns: RUNS * 5, endOnFailure: true },
    )
    console.log(`runs per root field: ${[...seen].map(([k, v]) => `${k} ${v}`).join(', ')}`)
    expect(logLines.filter((l) => l.level >= 50)).toEqual([])
  })
})

describe('inLineageOf beyond the walk cap', () => {
  it(`is LINEAGE_TOO_LARGE when the attestation has more than ${LINEAGE_MAX_NODES} descendants, exact at the cap`, async () => {
    // chain 4242: a root (id 1) with LINEAGE_MAX_NODES children, copied from a fixture row in SQL
    const client = new pg.Client({ connectionString: database.url })
    await client.connect()
    try {
      await client.query(`CREATE TEMP TABLE big AS SELECT * FROM "Attestation" WHERE "chainId" = ${CHAIN} AND "attestationId" = 1`)
      await client.query('ALTER TABLE big DROP COLUMN "searchText"') // generated: the server writes it (the last column)
      await client.query(`UPDATE big SET "chainId" = 4242, "linkedAttestationId" = NULL`)
      await client.query('INSERT INTO "Attestation" SELECT * FROM big')
      await client.query(`CREATE TEMP TABLE many AS SELECT * FROM big, generate_series(2, ${LINEAGE_MAX_NODES + 1}) g`)
      await client.query('UPDATE many SET "attestationId" = g, "linkedAttestationId" = 1')
      await client.query('ALTER TABLE many DROP COLUMN g')
      await client.query('INSERT INTO "Attestation" SELECT * FROM many')
    } finally {
      await client.end()
    }
    const query = 'query($id: ID) { attestations(first: 1, where: { inLineageOf: $id }) { totalCount } }'
    expect(await execute(gateway.yoga, query, { id: 'onchain_evm_4242_0x2' })).toEqual({ data: { attestations: { totalCount: 1 } } })
    expect(await execute(gateway.yoga, query, { id: 'onchain_evm_4242_0x1' })).toEqual({ data: { attestations: { totalCount: LINEAGE_MAX_NODES } } })
    await db.prisma.attestation.create({
      data: {
        ...(await db.prisma.attestation.findUniqueOrThrow({ where: { chainId_attestationId: { chainId: 4242, attestationId: 2n } } })),
        attestationId: BigInt(LINEAGE_MAX_NODES + 2),
        decodedData: undefined,
      },
    })
    const over = await execute(gateway.yoga, query, { id: 'onchain_evm_4242_0x1' })
    expect(codes(over)).toEqual(['LINEAGE_TOO_LARGE'])
    expect(over.errors?.[0]?.extensions).toMatchObject({ maxNodes: LINEAGE_MAX_NODES, argument: 'inLineageOf' })
  })
})

describe('CORS (issue 12 §4.3)', () => {
  const preflight = (yoga: Gateway['yoga'], origin: string) =>
    yoga.fetch('http://gateway.test/graphql', {
      method: 'OPTIONS',
      headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
    })
  const post = (yoga: Gateway['yoga'], origin: string) =>
    yoga.fetch('http://gateway.test/graphql', {
      method: 'POST',
      headers: { origin, 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ indexerStatus { chainId } }' }),
    })

  it('default: any origin may read, never with credentials', async () => {
    for (const response of [await preflight(gateway.yoga, 'https://evil.example'), await post(gateway.yoga, 'https://evil.example')]) {
      expect(response.headers.get('access-control-allow-origin')).toBe('https://evil.example')
      expect(response.headers.get('access-control-allow-credentials')).toBeNull()
    }
  })

  it('configured origins: only those get CORS headers; [] sends none', async () => {
    const listed = createGateway({
      prisma: db.prisma,
      common: createTestCommon({ logger: createLogger({ level: 'silent' }) }),
      corsOrigins: ['https://app.example', 'http://localhost:3000'],
    })
    const none = createGateway({ prisma: db.prisma, common: createTestCommon({ logger: createLogger({ level: 'silent' }) }), corsOrigins: [] })
    try {
      for (const origin of ['https://app.example', 'http://localhost:3000']) {
        const response = await preflight(listed.yoga, origin)
        expect(response.headers.get('access-control-allow-origin')).toBe(origin)
        expect(response.headers.get('access-control-allow-credentials')).toBeNull()
      }
      for (const response of [
        await preflight(listed.yoga, 'https://evil.example'),
        await post(listed.yoga, 'https://evil.example'),
        await preflight(none.yoga, 'https://app.example'),
      ]) {
        expect(response.headers.get('access-control-allow-origin')).toBeNull()
        expect(response.headers.get('access-control-allow-credentials')).toBeNull()
      }
      expect((await post(none.yoga, 'https://app.example')).status).toBe(200) // same-origin and non-browser clients still work
    } finally {
      await listed.close()
      await none.close()
    }
  })
})
