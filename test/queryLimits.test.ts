/**
 * Query limits measure what a query really costs (ARCHITECTURE invariant 8): a list's cost is its selection times its
 * page size. Against a real PostgreSQL database with 140 attestations: a full 100-item page passes, a page of pages
 * of pages is refused before a single SQL statement, every limit answers with a code and HTTP 4xx, and nothing the
 * README or the test documents show is refused by a limit.
 */
import { getNamedType, type GraphQLObjectType, isLeafType, parse, print } from 'graphql'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createDb, type Db } from '../src/db/createDb.js'
import { measureComplexity } from '../src/gateway/complexity.js'
import { ARMOR_LIMITS, createGateway, type Gateway, schema } from '../src/gateway/index.js'
import { makeAttestation, seedGatewayFixtures } from './fixtures/gatewayFixtures.js'
import { readPartnerCorpus, variablesFor } from './helpers/partnerCorpus.js'
import { createTestDatabase, type TestDatabase } from './helpers/database.js'
import { createTestCommon } from './helpers/common.js'

let database: TestDatabase
let db: Db
let gateway: Gateway
const sql: string[] = []

/** The codes a limit answers with (README "Limits"); BAD_USER_INPUT counts when it is the page cap. */
const LIMIT_CODES = new Set([
  'QUERY_TOO_COMPLEX',
  'QUERY_TOO_DEEP',
  'TOO_MANY_ALIASES',
  'TOO_MANY_TOKENS',
  'TOO_MANY_DIRECTIVES',
  'QUERY_TIMEOUT',
  'OVERLOADED',
  'REQUEST_TOO_LARGE',
  'LENGTH_REQUIRED',
])

type Answer = { status: number; body: { data?: unknown; errors?: { message: string; extensions?: Record<string, unknown> }[] } }

async function post(query: string, variables: Record<string, unknown> = {}, accept = 'application/json'): Promise<Answer> {
  const response = await gateway.yoga.fetch('http://gateway.test/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept },
    body: JSON.stringify({ query, variables }),
  })
  return { status: response.status, body: await response.json() }
}

/**
 * A subscription over SSE: what the stream says up to its first data frame, within 300 ms (a refused subscription
 * answers at once with its errors; an accepted one waits for events: keep-alives only).
 */
async function firstSseFrame(query: string, variables: Record<string, unknown> = {}): Promise<string> {
  const controller = new AbortController()
  const response = await gateway.yoga.fetch('http://gateway.test/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
    body: JSON.stringify({ query, variables }),
    signal: controller.signal,
  })
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader()
  let text = ''
  const deadline = Date.now() + 300
  while (!/data:[^\n]*\n\n/.test(text) && Date.now() < deadline) {
    const chunk = await Promise.race([reader.read(), new Promise<undefined>((resolve) => setTimeout(resolve, deadline - Date.now()))])
    if (!chunk || chunk.done) break
    text += chunk.value
  }
  controller.abort()
  await reader.cancel().catch(() => {})
  return text
}

/** SQL sent while `fn` runs, without the journal tail's polling of "Event". */
async function sqlDuring(fn: () => Promise<unknown>): Promise<string[]> {
  sql.length = 0
  await fn()
  return sql.filter((q) => !q.includes('"Event"'))
}

/** Every leaf field of `type` that needs no argument. */
function leafFields(type: string): string {
  const fields = Object.values((schema.getType(type) as GraphQLObjectType).getFields())
  return fields
    .filter((f) => isLeafType(getNamedType(f.type)) && f.args.every((a) => !String(a.type).endsWith('!')))
    .map((f) => f.name)
    .join(' ')
}

function isLimitRejection(error: { extensions?: Record<string, unknown> }): boolean {
  const code = error.extensions?.code
  return LIMIT_CODES.has(String(code)) || (code === 'BAD_USER_INPUT' && error.extensions?.maxPageSize !== undefined)
}

beforeAll(async () => {
  database = await createTestDatabase('sitest_query_limits')
  db = await createDb({ databaseUrl: database.url, onQuery: (e) => sql.push(e.query) })
  await seedGatewayFixtures(db.prisma)
  await db.prisma.attestation.createMany({ data: Array.from({ length: 80 }, (_, i) => makeAttestation(61 + i)) })
  gateway = createGateway({ prisma: db.prisma, common: createTestCommon(), journalPollMs: 50, maxPageSize: 100 })
  await gateway.journal.ready
})

afterAll(async () => {
  await gateway?.close()
  await db?.close()
  await database?.drop()
})

describe('complexity: a list costs its selection times its page size', () => {
  it('serves a 100-item page with every scalar of Attestation, its recipients, schema, linked attestation and verification', async () => {
    const query = `{ attestations(first: 100) { totalCount pageInfo { hasNextPage endCursor } edges { cursor node {
      ${leafFields('Attestation')} recipients { ${leafFields('Recipient')} } schema { ${leafFields('Schema')} }
      linkedAttestation { ${leafFields('Attestation')} } verification { ${leafFields('Verification')} reasons { ${leafFields('VerificationReason')} } } } } } }`
    const cost = measureComplexity({ schema, document: parse(query), contextValue: { maxPageSize: 100 } })
    const { status, body } = await post(query)
    console.log(`full 100-item page: cost ${cost} (limit ${ARMOR_LIMITS.maxComplexity})`)
    expect(body.errors).toBeUndefined()
    expect(status).toBe(200)
    expect((body.data as { attestations: { edges: unknown[] } }).attestations.edges).toHaveLength(100)
  })

  it('refuses a page of pages of pages before any SQL, with QUERY_TOO_COMPLEX, the cost and the limit, HTTP 400', async () => {
    const query =
      '{ attestations(first: 100) { edges { node { linkedBy(first: 100) { edges { node { linkedBy(first: 100) { edges { node { id } } } } } } } } } }'
    let answer: Answer | undefined
    const queries = await sqlDuring(async () => (answer = await post(query)))
    expect(answer?.status).toBe(400)
    expect(answer?.body.data ?? null).toBeNull()
    expect(answer?.body.errors).toEqual([
      expect.objectContaining({ extensions: { code: 'QUERY_TOO_COMPLEX', complexity: 3_030_301, maxComplexity: ARMOR_LIMITS.maxComplexity } }),
    ])
    expect(queries).toEqual([])
    // the same shape with small pages is fine: the cost follows the page sizes
    const small = await post(query.replaceAll('first: 100', 'first: 5'))
    expect(small.body.errors).toBeUndefined()
  })

  it('measures page sizes given as variables, request by request (no cached verdict for the document)', async () => {
    const query =
      'query($n: Int) { attestations(first: $n) { edges { node { linkedBy(first: $n) { edges { node { linkedBy(first: $n) { nodes { id } } } } } } } } }'
    expect((await post(query, { n: 3 })).body.errors).toBeUndefined()
    const big = await post(query, { n: 100 })
    expect(big.status).toBe(400)
    expect(big.body.errors?.[0]?.extensions?.code).toBe('QUERY_TOO_COMPLEX')
    // no `first`: the default page size (20) counts
    const defaults = measureComplexity({ schema, document: parse('{ attestations { nodes { id } } }'), contextValue: { maxPageSize: 100 } })
    expect(defaults).toBe(1 + 20 * (1 + 1))
  })

  it('judges each request by the page sizes its cost depends on, whatever its other variables (cursors)', async () => {
    const query = `query($n: Int, $m: Int, $after: String) { attestations(first: $n, after: $after) { edges { cursor node { id
      linkedBy(first: $m) { edges { node { linkedBy(last: $m) { nodes { id } } } } } } } } }`
    const first = await post(query, { n: 5, m: 1 })
    expect(first.body.errors).toBeUndefined()
    const edges = (first.body.data as { attestations: { edges: { cursor: string }[] } }).attestations.edges
    // the same sizes after another cursor: served
    expect((await post(query, { n: 5, m: 1, after: edges[2]!.cursor })).body.errors).toBeUndefined()
    // pages of 100 under each node: refused, and again after another cursor
    for (const after of [undefined, edges[1]!.cursor]) {
      const deep = await post(query, { n: 5, m: 100, after })
      expect(deep.status).toBe(400)
      expect(deep.body.errors?.[0]?.extensions?.code).toBe('QUERY_TOO_COMPLEX')
    }
    // a page above the cap is refused every time it is asked
    for (let i = 0; i < 2; i++) expect((await post(query, { n: 500, m: 1 })).body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT')
    expect((await post(query, { n: 5, m: 1 })).body.errors).toBeUndefined()
  })

  it('applies to subscriptions (each event) and to a lineage page', async () => {
    const lineage = `{ attestations(first: 100) { nodes { lineage(direction: DESCENDANTS, first: 100) { nodes { linkedBy(first: 100) { nodes { id } } } } } } }`
    expect((await post(lineage)).body.errors?.[0]?.extensions?.code).toBe('QUERY_TOO_COMPLEX')
    const sub = `subscription { attestationCreated { linkedBy(first: 100) { nodes { linkedBy(first: 100) { nodes { linkedBy(first: 10) { nodes { id } } } } } } } }`
    expect(await firstSseFrame(sub)).toContain('"code":"QUERY_TOO_COMPLEX"')
  })
})

describe('every limit answers with a code and HTTP 400', () => {
  const nested = (depth: number) => `{ attestations(first: 1) { nodes { ${'linkedAttestation { '.repeat(depth)}id${' }'.repeat(depth)} } } }`
  it.each([
    ['depth', nested(20), 'QUERY_TOO_DEEP', { limit: ARMOR_LIMITS.maxDepth }],
    [
      'aliases',
      `{ ${Array.from({ length: 40 }, (_, i) => `a${i}: indexerStatus { chainId }`).join(' ')} }`,
      'TOO_MANY_ALIASES',
      { limit: ARMOR_LIMITS.maxAliases },
    ],
    ['tokens', `{ indexerStatus { ${'chainId '.repeat(2100)} } }`, 'TOO_MANY_TOKENS', { limit: ARMOR_LIMITS.maxTokens }],
    ['directives', `{ indexerStatus { chainId ${'@include(if: true) '.repeat(25)} } }`, 'TOO_MANY_DIRECTIVES', { limit: ARMOR_LIMITS.maxDirectives }],
    ['page size', '{ attestations(first: 101) { nodes { id } } }', 'BAD_USER_INPUT', { argument: 'first', maxPageSize: 100 }],
  ])('%s', async (_name, query, code, extensions) => {
    for (const accept of ['application/json', 'application/graphql-response+json']) {
      const { status, body } = await post(query, {}, accept)
      expect(status).toBe(400)
      expect(body.errors?.[0]?.extensions).toEqual({ code, ...extensions })
      expect(body.errors?.[0]?.message).not.toMatch(/^Syntax Error/)
    }
  })
})

describe('what the README and the test documents show', () => {
  const { readmeBlocks, operations } = readPartnerCorpus()

  it('finds the README block and every test document', () => {
    expect(readmeBlocks.length).toBeGreaterThanOrEqual(1)
    expect(operations.length).toBeGreaterThan(20)
  })

  it.each(operations.map((op) => [`${op.source}: ${op.name}`, op] as const))('%s is not refused by a limit', async (_label, op) => {
    const query = print(op.document)
    const variables = variablesFor(op.operation)
    const cost = measureComplexity({ schema, document: op.document, variableValues: variables, contextValue: { maxPageSize: 100 } })
    console.log(`${op.source} ${op.name}: cost ${cost}`)
    if (op.operation.operation === 'subscription') {
      expect(await firstSseFrame(query, variables)).not.toMatch(new RegExp([...LIMIT_CODES].join('|')))
    } else {
      const { status, body } = await post(query, variables)
      expect((body.errors ?? []).filter(isLimitRejection)).toEqual([])
      expect(status).toBe(200)
    }
  })
})
