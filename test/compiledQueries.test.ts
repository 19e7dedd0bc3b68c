/**
 * Compiled execution (graphql-jit, src/gateway/useCompiledQueries.ts) answers exactly as the reference executor:
 * two gateways over one PostgreSQL database with the gateway fixtures, one compiling queries and one not, get the
 * same requests and must return the same HTTP status and the same body, byte for byte (key order included). The requests are
 * the partner corpus (every README block and test/graphql document, test/helpers/partnerCorpus.ts) with good
 * variables, then the same operations with hostile variables (missing, null, of the wrong type, garbage ids and
 * cursors), then hand-written shapes the corpus lacks (aliases, directives, inline fragments, introspection, errors
 * inside lists, several operations in one document).
 */
import { getIntrospectionQuery, Kind, parse, print } from 'graphql'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createDb, type Db } from '../src/db/createDb.js'
import { createGateway, type Gateway } from '../src/gateway/index.js'
import { keepsFieldOrder } from '../src/gateway/useCompiledQueries.js'
import { seedGatewayFixtures } from './fixtures/gatewayFixtures.js'
import { createTestCommon } from './helpers/common.js'
import { createTestDatabase, type TestDatabase } from './helpers/database.js'
import { readPartnerCorpus, variablesFor } from './helpers/partnerCorpus.js'

let database: TestDatabase
let db: Db
let compiled: Gateway
let reference: Gateway
const compiledCommon = createTestCommon()

beforeAll(async () => {
  database = await createTestDatabase('sitest_compiled_queries')
  db = await createDb({ databaseUrl: database.url })
  await seedGatewayFixtures(db.prisma)
  compiled = createGateway({ prisma: db.prisma, common: compiledCommon, journalPollMs: 50 })
  reference = createGateway({ prisma: db.prisma, common: createTestCommon(), journalPollMs: 50, compiledQueries: false })
})

afterAll(async () => {
  await compiled?.close()
  await reference?.close()
  await db?.close()
  await database?.drop()
})

async function ask(gateway: Gateway, query: string, variables: unknown, operationName?: string): Promise<{ status: number; body: string }> {
  const response = await gateway.yoga.fetch('http://gateway.test/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json' },
    body: JSON.stringify({ query, variables, operationName }),
  })
  // the time a verification ran (verifyAttestation checks the chain now) differs between the two requests; the body
  // stays text: a client sees the order of keys ("errors" before "data", fields in document order)
  return { status: response.status, body: (await response.text()).replace(/"checkedAt":"[^"]*"/g, '"checkedAt":"now"') }
}

/**
 * The compiled gateway's answers to one request, sent twice (the first sighting of a document runs the reference
 * executor, the second the compiled one), must equal the reference gateway's, byte for byte.
 */
async function same(query: string, variables: unknown = {}, operationName?: string): Promise<void> {
  const expected = await ask(reference, query, variables, operationName)
  expect(await ask(compiled, query, variables, operationName)).toEqual(expected)
  expect(await ask(compiled, query, variables, operationName)).toEqual(expected)
}

/** executions so far of the compiled gateway, by executor */
async function executions(): Promise<Record<string, number>> {
  const { values } = await compiledCommon.metrics.graphqlExecutions.get()
  return Object.fromEntries(values.map((v) => [String(v.labels.executor), v.value]))
}

const { operations } = readPartnerCorpus()
const queries = operations.filter((op) => op.operation.operation !== 'subscription')

describe('the partner corpus', () => {
  it('holds queries to compare, which the compiled gateway compiles', async () => {
    expect(queries.length).toBeGreaterThan(15)
    const before = await executions()
    await same(`{ attestation(id: "onchain_evm_31337_0x1") { id } }`)
    const after = await executions()
    expect((after.compiled ?? 0) - (before.compiled ?? 0)).toBe(1)
  })

  it.each(queries.map((op) => [`${op.source}: ${op.name}`, op] as const))('%s: same answer', async (_label, op) => {
    await same(print(op.document), variablesFor(op.operation))
  })

  it.each(queries.filter((op) => op.operation.variableDefinitions?.length).map((op) => [`${op.source}: ${op.name}`, op] as const))(
    '%s: same answer to hostile variables',
    async (_label, op) => {
      const query = print(op.document)
      const good = variablesFor(op.operation)
      const definitions = op.operation.variableDefinitions ?? []
      await same(query, {}) // every variable missing
      await same(query, null)
      for (const v of definitions) {
        const name = v.variable.name.value
        const nonNull = v.type.kind === Kind.NON_NULL_TYPE
        for (const hostile of [null, 'x', -1, 2 ** 53, '0x5', 'onchain_evm_1_0xzz', ['a'], { a: 1 }, 'A'.repeat(2_000)]) {
          await same(query, { ...good, [name]: hostile })
        }
        if (nonNull) await same(query, Object.fromEntries(Object.entries(good).filter(([k]) => k !== name)))
      }
    },
  )
})

describe('documents sent once, and documents of several operations', () => {
  it('compiles a document the second time it comes, never the first', async () => {
    const query = `{ attestation(id: "onchain_evm_31337_0x4") { id attester } }`
    const before = await executions()
    await ask(compiled, query, {})
    const once = await executions()
    expect([(once.reference ?? 0) - (before.reference ?? 0), (once.compiled ?? 0) - (before.compiled ?? 0)]).toEqual([1, 0])
    await ask(compiled, query, {})
    const twice = await executions()
    expect((twice.compiled ?? 0) - (once.compiled ?? 0)).toBe(1)
  })

  it('answers each operation of one document by its name, alternating (one compiled form per document would mix them)', async () => {
    const query = `query ById { attestation(id: "onchain_evm_31337_0x1") { id attester } }
      query Page { attestations(first: 2, orderBy: ATTESTATION_ID_ASC) { nodes { id } } }`
    for (const name of ['ById', 'Page', 'ById', 'Page', 'Page', 'ById']) {
      const expected = await ask(reference, query, {}, name)
      expect(expected.status).toBe(200)
      expect(await ask(compiled, query, {}, name)).toEqual(expected)
    }
  })
})

describe('shapes the corpus lacks', () => {
  it.each([
    [
      'aliases and __typename',
      `{ a: attestation(id: "onchain_evm_31337_0x1") { __typename id x: attester } b: attestation(id: "onchain_evm_31337_0x2") { id } }`,
    ],
    [
      'directives with variables',
      {
        query: `query ($full: Boolean!) { attestation(id: "onchain_evm_31337_0x3") { id schema @include(if: $full) { id name } linkedAttestation @skip(if: $full) { id } } }`,
        variables: { full: true },
      },
    ],
    ['fragments, inline and named', `fragment F on Attestation { id revoked } { attestations(first: 5) { nodes { ...F ... on Attestation { attester } } } }`],
    ['a fragment, then a field', `fragment F on Attestation { id revoked } { attestation(id: "onchain_evm_31337_0x3") { ...F schema { id } } }`],
    ['a fragment last', `fragment F on Schema { id name } { attestation(id: "onchain_evm_31337_0x3") { id revoked schema { ...F } } }`],
    [
      'fragments inside fragments',
      `fragment F on Attestation { id ... on Attestation { revoked } } { attestation(id: "onchain_evm_31337_0x3") { attester ...F } }`,
    ],
    [
      'a page with cursors both ways',
      `{ attestations(first: 3, orderBy: ATTEST_TIMESTAMP_ASC) { edges { cursor node { id attestTimestamp } } pageInfo { hasNextPage endCursor } } }`,
    ],
    ['an unknown id', `{ attestation(id: "onchain_evm_31337_0x99999") { id } }`],
    ['a malformed id', `{ attestation(id: "0x5") { id } }`],
    ['a field error beside data (errors come first)', `{ indexerStatus { chainId } attestations(first: -1) { nodes { id } } }`],
    ['an error inside a list item', `{ attestations(first: 2) { nodes { id lineage(direction: ANCESTORS, maxDepth: 0) { nodes { id } } } } }`],
    ['a foreign cursor', `{ attestations(first: 2, after: "not-a-cursor") { nodes { id } } }`],
    ['a page above the cap', `{ attestations(first: 1000) { nodes { id } } }`],
    ['a wrong argument type', `{ attestations(first: "two") { nodes { id } } }`],
    ['an unknown field', `{ attestation(id: "onchain_evm_31337_0x1") { nope } }`],
    [
      'lineage both ways',
      `{ attestation(id: "onchain_evm_31337_0x3") { lineage(direction: ANCESTORS) { nodes { id } } linkedBy(first: 5) { totalCount nodes { id } } } }`,
    ],
    ['introspection', getIntrospectionQuery()],
    ['a field skipped where it first appears', `{ attestation(id: "onchain_evm_31337_0x1") { attester @skip(if: true) id attester } }`],
    [
      'a field excluded, then included by a fragment',
      {
        query: `query ($s: Boolean!) { attestation(id: "onchain_evm_31337_0x1") { attester @include(if: $s) id ... on Attestation { attester } } }`,
        variables: { s: false },
      },
    ],
    [
      'a field twice, the second skipped',
      { query: `query ($s: Boolean!) { attestation(id: "onchain_evm_31337_0x1") { attester id attester @skip(if: $s) } }`, variables: { s: true } },
    ],
    [
      'variables named like Object.prototype properties, left out',
      `query ($constructor: Int, $toString: Int) { attestations(first: $constructor) { totalCount } schemas(first: $toString) { totalCount } }`,
    ],
    [
      'a variable named __proto__',
      { query: `query ($__proto__: Int) { attestations(first: $__proto__) { nodes { id } } }`, variables: JSON.parse('{"__proto__": 2}') },
    ],
    [
      'several operations, one chosen',
      { query: `query A { indexerStatus { chainId } } query B { attestation(id: "onchain_evm_31337_0x1") { id } }`, operationName: 'B' },
    ],
    ['several operations, none chosen', `query A { indexerStatus { chainId } } query B { indexerStatus { chainId } }`],
  ] as const)('%s: same answer', async (_label, request) => {
    const before = await executions()
    if (typeof request === 'string') await same(request)
    else {
      const r = request as { query: string; variables?: unknown; operationName?: string }
      await same(r.query, r.variables ?? {}, r.operationName)
    }
    const after = await executions()
    const ran = (after.compiled ?? 0) + (after.reference ?? 0) - (before.compiled ?? 0) - (before.reference ?? 0)
    const query = typeof request === 'string' ? request : (request as { query: string }).query
    // graphql-jit would (or, for the last one, might) order these answers' keys otherwise: reference (keepsFieldOrder)
    const reordered = [
      'fragments, inline and named',
      'a fragment, then a field',
      'a field skipped where it first appears',
      'a field excluded, then included by a fragment',
      'a field twice, the second skipped',
    ].includes(_label)
    expect(keepsFieldOrder(parse(query))).toBe(!reordered)
    const inherited = _label.includes('Object.prototype') || _label.includes('__proto__') // keep the reference executor
    const operations = query.match(/\bquery [A-Z]/g)?.length ?? 1 // several: the reference executor
    if (ran > 0 && !reordered && !inherited && operations === 1)
      expect(after.compiled ?? 0, 'an execution that graphql-jit should have run').toBeGreaterThan(before.compiled ?? 0)
  })
})
