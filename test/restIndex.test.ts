/**
 * The SignScan-compatible index API (src/rest/) on the gateway fixtures, in real PostgreSQL and in PGlite:
 * pages equal to the rows read straight from the database, filters, the envelope on every answer, the OpenAPI
 * document valid, and a seeded property test: any request to any route — wrong ids, huge/negative/non-numeric
 * page and size, ids above int64, garbage and repeated parameters, malformed path segments — is answered 200, 400
 * or 404 in the envelope, never 500.
 * Seed: PROPERTY_SEED (default fixed, printed); runs: PROPERTY_RUNS (default 500 per database).
 */
import { compileErrors, validate } from '@readme/openapi-parser'
import fc from 'fast-check'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createDb, type Db } from '../src/db/createDb.js'
import { createGateway, type Gateway } from '../src/gateway/index.js'
import { MAX_REST_PAGE_DEPTH } from '../src/rest/restParams.js'
import { AttestationPage, SchemaPage } from '../src/rest/signScanRows.js'
import { SIGNSCAN_WELCOME } from '../src/rest/useSignScanRest.js'
import { ALICE, BOB, CAROL, CAROL_MIXED_CASE, CHAIN, OTHER_CHAIN, seedGatewayFixtures } from './fixtures/gatewayFixtures.js'
import { createTestDatabase, type TestDatabase } from './helpers/database.js'
import { createTestCommon } from './helpers/common.js'

const SEED = Number(process.env.PROPERTY_SEED ?? 20_261_215)
const RUNS = Number(process.env.PROPERTY_RUNS ?? 500)
console.log(`REST index property test, seed ${SEED} (override with PROPERTY_SEED), ${RUNS} runs per database`)

type Envelope = { success: boolean; statusCode: number; data: unknown; message: string; code?: string }

const backends = [
  {
    name: 'PostgreSQL',
    open: async () => {
      const database = await createTestDatabase('sitest_rest_index')
      return { db: await createDb({ databaseUrl: database.url }), database }
    },
  },
  { name: 'PGlite', open: async () => ({ db: await createDb(), database: undefined as TestDatabase | undefined }) },
]

describe.each(backends)('index API on $name', ({ open }) => {
  let db: Db
  let database: TestDatabase | undefined
  let gateway: Gateway
  const get = async (path: string, init: { method?: string; body?: string } = {}) => {
    const response = await gateway.yoga.fetch(`http://gateway${path}`, init)
    const text = await response.text()
    return { status: response.status, headers: response.headers, text, body: (text ? JSON.parse(text) : undefined) as Envelope }
  }

  beforeAll(async () => {
    ;({ db, database } = await open())
    await seedGatewayFixtures(db.prisma)
    gateway = createGateway({ prisma: db.prisma, common: createTestCommon() })
  }, 60_000)
  afterAll(async () => {
    await gateway?.close()
    await db?.close()
    await database?.drop()
  })

  it('pages are the rows in (attestationId, chainId) descending order, with totals, on every filter', async () => {
    const stored = await db.prisma.attestation.findMany({
      orderBy: [{ attestationId: 'desc' }, { chainId: 'desc' }],
      select: { chainId: true, attestationId: true, attester: true },
    })
    const ids = (rows: { chainId: number; attestationId: bigint }[]) => rows.map((r) => `onchain_evm_${r.chainId}_0x${r.attestationId.toString(16)}`)
    const all = await get('/index/attestations?page=3&size=7')
    expect(all.status).toBe(200)
    expect(all.body).toMatchObject({ success: true, statusCode: 200, message: 'ok', data: { total: stored.length, size: 7, page: 3 } })
    expect((all.body.data as { rows: { id: string }[] }).rows.map((r) => r.id)).toEqual(ids(stored).slice(14, 21))
    AttestationPage.parse(all.body.data)

    const rowIds = async (query: string) => ((await get(`/index/attestations?${query}`)).body.data as { rows: { id: string }[] }).rows.map((r) => r.id)
    expect(await rowIds('chainId=10')).toEqual(ids(stored.filter((r) => r.chainId === OTHER_CHAIN)))
    expect(await rowIds(`attester=${BOB.toUpperCase().replace('0X', '0x')}&size=100`)).toEqual(ids(stored.filter((r) => r.attester === BOB)))
    expect(await rowIds(`attestor=${BOB}&chainId=${CHAIN}`)).toEqual(ids(stored.filter((r) => r.attester === BOB && r.chainId === CHAIN)))
    expect(await rowIds(`attester=${ALICE}&attestor=${BOB}`)).toEqual([])
    // an address recipient matches address-encoded and checksummed string-encoded recipients
    expect(await rowIds(`recipient=${CAROL}`)).toEqual([`onchain_evm_${CHAIN}_0x3`, `onchain_evm_${CHAIN}_0x1`])
    expect(await rowIds(`recipient=${encodeURIComponent('alice@example.com')}`)).toEqual([`onchain_evm_${CHAIN}_0x2`])
    expect(await rowIds(`schemaId=onchain_evm_${CHAIN}_0x2&indexingValue=batch-a`)).toEqual(
      [60, 50, 40, 30, 20, 10].map((n) => `onchain_evm_${CHAIN}_0x${n.toString(16)}`),
    )
    expect(await rowIds(`id=onchain_evm_${CHAIN}_0x3&registrant=${ALICE}&parseOffChainData=true`)).toEqual([`onchain_evm_${CHAIN}_0x3`])
    expect(await rowIds('id=SPA_abc')).toEqual([])
    expect(await rowIds(`id=onchain_evm_${CHAIN}_0x8000000000000000`)).toEqual([]) // a uint64 above int64: no such row
    const three = (await get(`/index/attestations/onchain_evm_${CHAIN}_0x3`)).body.data as { recipients: string[]; linkedAttestation: string }
    expect(three).toMatchObject({ recipients: [CAROL_MIXED_CASE], linkedAttestation: `onchain_evm_${CHAIN}_0x2` })

    const schemas = await get('/index/schemas?size=undefined&page=undefined&id=undefined&registrant=undefined&mode=undefined')
    expect((schemas.body.data as { rows: { id: string }[] }).rows.map((r) => r.id)).toEqual([
      `onchain_evm_${CHAIN}_0x2`,
      `onchain_evm_${CHAIN}_0x1`,
      `onchain_evm_${OTHER_CHAIN}_0x1`,
    ])
    SchemaPage.parse(schemas.body.data)
    expect((await get(`/index/schemas?registrant=${ALICE}&chainId=${CHAIN}`)).body.data).toMatchObject({
      total: 1,
      rows: [{ id: `onchain_evm_${CHAIN}_0x1`, name: 'KYC' }],
    })
  })

  it("answers the welcome, SignScan's /api base path, HEAD, and refuses other methods and routes in the envelope", async () => {
    expect((await get('/index')).body).toEqual({ success: true, statusCode: 200, data: SIGNSCAN_WELCOME, message: 'ok' })
    expect((await get(`/api/index/schemas/onchain_evm_${CHAIN}_0x1`)).body.data).toMatchObject({ name: 'KYC', data: [{ name: 'score', type: 'uint256' }] })
    const head = await get('/index/attestations', { method: 'HEAD' })
    expect([head.status, head.text]).toEqual([200, ''])
    const post = await get('/index/attestations', { method: 'POST', body: '{}' })
    expect([post.status, post.headers.get('allow'), post.body.code, post.body.success]).toEqual([405, 'GET, HEAD', 'METHOD_NOT_ALLOWED', false])
    expect((await get('/index/nothing')).body).toMatchObject({ success: false, statusCode: 404, code: 'NOT_FOUND', data: null })
    expect((await get('/index/schemas/onchain_evm_1_0x1/extra')).status).toBe(404)
    expect((await get(`/index/attestations/onchain_evm_${CHAIN}_0x3e8`)).body).toMatchObject({ statusCode: 404, code: 'NOT_FOUND' })
    // /indexes or /indexerStatus are not ours: yoga answers them
    expect((await get('/indexes')).text).not.toContain('"success"')
  })

  it('refuses bad input with a 400 that names the parameter', async () => {
    const cases: [string, RegExp][] = [
      [`/index/attestations/0x1`, /bare 0x id/],
      [`/index/schemas/${'1'.repeat(5)}`, /expected onchain_evm_/],
      [`/index/attestations?schemaId=0x1`, /bare 0x id/],
      [`/index/attestations/onchain_evm_${CHAIN}_0x1${'0'.repeat(16)}`, /expected onchain_evm_/], // above uint64
      [`/index/schemas?id=onchain_evm_99999999999_0x1`, /expected onchain_evm_/], // chain id above int32
      [`/index/attestations?page=0`, /"page".*at least 1/],
      [`/index/attestations?page=-1`, /"page"/],
      [`/index/attestations?size=101`, /"size".*at most 100/],
      [`/index/attestations?size=1.5`, /"size"/],
      [`/index/attestations?page=${MAX_REST_PAGE_DEPTH / 100 + 1}`, /page × size must be at most 10000/],
      [`/index/schemas?page=5001&size=2`, /page × size/],
      [`/index/attestations?page=1&page=2`, /"page" is given more than once/],
      [`/index/attestations?attester=alice`, /"attester".*0x address/],
      [`/index/attestations?mode=both`, /"mode"/],
      [`/index/attestations?parseOffChainData=yes`, /"parseOffChainData"/],
      [`/index/attestations?indexingValue=a%00b`, /"indexingValue".*NUL/],
      [`/index/attestations?recipient=${'x'.repeat(2001)}`, /"recipient".*2000 bytes/],
      [`/index/attestations/%E0%A4%A`, /percent-encoded/],
    ]
    for (const [path, message] of cases) {
      const { status, body } = await get(path)
      expect({ path, status, code: body.code, success: body.success, statusCode: body.statusCode, data: body.data }).toEqual({
        path,
        status: 400,
        code: 'BAD_USER_INPUT',
        success: false,
        statusCode: 400,
        data: null,
      })
      expect(body.message, path).toMatch(message)
    }
  })

  it('never echoes a long id or path whole (quoted cut to 100 characters)', async () => {
    const long = 'q'.repeat(50_000)
    for (const [path, status] of [
      [`/index/attestations/${long}`, 400],
      [`/index/schemas/0x${long}`, 400],
      [`/index/attestations/SPA_${long}`, 404],
      [`/index/schemas/%${long}`, 400],
      [`/index/attestations/onchain_evm_1_0x1/${long}`, 404],
      [`/index/${long}`, 404],
    ] as const) {
      const { status: got, text } = await get(path)
      expect({ path: path.slice(0, 40), got }).toEqual({ path: path.slice(0, 40), got: status })
      expect(text.length).toBeLessThan(1_000)
    }
  })

  it('serves a valid OpenAPI 3.1 document describing every route', async () => {
    const { status, text } = await get('/index/openapi.json')
    expect(status).toBe(200)
    const document = JSON.parse(text)
    const result = await validate(structuredClone(document))
    expect(result.valid, result.valid ? '' : compileErrors(result)).toBe(true)
    expect(document.openapi).toBe('3.1.0')
    expect(Object.keys(document.paths)).toEqual([
      '/index',
      '/index/schemas',
      '/index/schemas/{id}',
      '/index/attestations',
      '/index/attestations/{id}',
      '/index/openapi.json',
    ])
    const names = (path: string) => document.paths[path].get.parameters.map((p: { name: string }) => p.name)
    expect(names('/index/attestations')).toEqual(
      expect.arrayContaining(['id', 'schemaId', 'attester', 'attestor', 'recipient', 'indexingValue', 'mode', 'chainId', 'page', 'size', 'parseOffChainData']),
    )
    expect(names('/index/schemas')).toEqual(expect.arrayContaining(['id', 'registrant', 'mode', 'chainId', 'page', 'size']))
    expect(Object.keys(document.components.schemas.AttestationInfo.properties)).toContain('fullSchemaId')
  })

  it(`answers any request with 200, 400 or 404 in the envelope, never a 500 (seeded, ${RUNS} runs)`, async () => {
    // ids: small ones (stored), the int64 / uint64 edges, anything up to 68 bits; chains: stored, int32 edge, beyond
    const idNumber = fc.oneof(
      fc.bigInt({ min: 0n, max: 70n }),
      fc.constantFrom((1n << 63n) - 1n, 1n << 63n, (1n << 64n) - 1n, 1n << 64n),
      fc.bigInt({ min: 0n, max: 1n << 68n }),
    )
    const chainNumber = fc.oneof(fc.constantFrom(CHAIN, OTHER_CHAIN, 0, 2 ** 31 - 1, 2 ** 31), fc.integer({ min: 0, max: 2 ** 36 }))
    const fullId = fc
      .tuple(chainNumber, idNumber, fc.boolean())
      .map(([chain, id, upper]) => `onchain_evm_${chain}_0x${upper ? id.toString(16).toUpperCase() : id.toString(16)}`)
    const edge = fc.constantFrom(
      'undefined',
      'null',
      '',
      '0',
      '-1',
      '1',
      '100',
      '101',
      '10000',
      '1e3',
      '0x1',
      '0x8000000000000000',
      'true',
      'onchain',
      'offchain',
      'SPA_x',
      'SPS_y',
      ALICE,
      BOB,
      CAROL_MIXED_CASE,
      'batch-a',
      '9'.repeat(30),
      '\u0000',
      'a\u0000b',
      '\uD800',
      '%',
      '\uFFFD',
      'x'.repeat(2001),
    )
    const value = fc.oneof(
      { arbitrary: fullId, weight: 3 },
      { arbitrary: edge, weight: 3 },
      fc.integer({ min: -(2 ** 40), max: 2 ** 40 }).map(String),
      fc.string({ maxLength: 40 }),
      fc.string({ unit: 'binary', maxLength: 40 }),
    )
    const name = fc.constantFrom(
      'id',
      'schemaId',
      'attester',
      'attestor',
      'registrant',
      'recipient',
      'indexingValue',
      'mode',
      'chainId',
      'page',
      'size',
      'parseOffChainData',
      'garbage',
      '__proto__',
      'constructor',
    )
    const route = fc.constantFrom(
      '/index',
      '/index/',
      '/index/schemas',
      '/index/attestations',
      '/api/index/attestations',
      '/index/schemas/{id}',
      '/index/attestations/{id}',
      '/index/{id}',
    )
    const pathId = fc.oneof(fullId, value.map(encodeURIComponent), fc.constantFrom('%', '%E0%A4%A', '..', '%2F', 'a/b'))
    // a request is mostly well-formed parameters (so a hostile value reaches the database) plus hostile ones
    const stored = (chain: number, max: bigint) => fc.bigInt({ min: 1n, max }).map((id) => `onchain_evm_${chain}_0x${id.toString(16)}`)
    const valid: Record<string, fc.Arbitrary<string>> = {
      id: stored(CHAIN, 70n),
      schemaId: stored(CHAIN, 3n),
      attester: fc.constantFrom(ALICE, BOB),
      attestor: fc.constantFrom(ALICE, BOB.toUpperCase().replace('0X', '0x')),
      registrant: fc.constantFrom(ALICE, BOB),
      recipient: fc.constantFrom(CAROL, CAROL_MIXED_CASE, 'alice@example.com'),
      indexingValue: fc.constantFrom('batch-a', 'key-3'),
      mode: fc.constantFrom('onchain', 'undefined'),
      chainId: fc.constantFrom(String(CHAIN), String(OTHER_CHAIN)),
      page: fc.integer({ min: 1, max: 4 }).map(String),
      size: fc.integer({ min: 1, max: 100 }).map(String),
      parseOffChainData: fc.constantFrom('true', 'false'),
    }
    const wellFormed: fc.Arbitrary<[string, string][]> = fc
      .subarray(Object.keys(valid))
      .chain((names) => fc.tuple(...names.map((n) => valid[n]!.map((v): [string, string] => [n, v]))))
    const hostile = fc.array(fc.tuple(name, value), { maxLength: 2 })
    const params = fc.tuple(wellFormed, hostile).map(([good, bad]) => [...good.filter(([n]) => !bad.some(([m]) => m === n)), ...bad])
    const request = fc.record({ route, pathId, params })
    const statuses = new Map<number, number>()
    await fc.assert(
      fc.asyncProperty(request, async ({ route, pathId, params }) => {
        const path = route.replace('{id}', pathId)
        const query = new URLSearchParams(params).toString()
        const { status, body } = await get(`${path}${query ? `?${query}` : ''}`)
        statuses.set(status, (statuses.get(status) ?? 0) + 1)
        // dot segments can take a path out of /index (`/index/..` is `/`): not ours, only never a 500
        if (!/^(\/api)?\/index(\/|$)/.test(new URL(path, 'http://gateway').pathname)) return void expect(status).toBeLessThan(500)
        expect([200, 400, 404], `${path}?${query}: ${JSON.stringify(body)}`).toContain(status)
        expect(body).toMatchObject({ success: status === 200, statusCode: status })
        expect(typeof body.message).toBe('string')
        if (status !== 200) expect(body.code).toMatch(/^(BAD_USER_INPUT|NOT_FOUND)$/)
        else if (/\/(schemas|attestations)$/.test(path)) {
          const page = body.data as { size: number; rows: unknown[] }
          expect(page.rows.length).toBeLessThanOrEqual(page.size)
          ;(path.endsWith('schemas') ? SchemaPage : AttestationPage).parse(page)
        }
      }),
      { seed: SEED, numRuns: RUNS, endOnFailure: true },
    )
    console.log(`statuses over ${RUNS} random requests: ${JSON.stringify(Object.fromEntries(statuses))}`)
    expect(statuses.get(200)).toBeGreaterThan(0)
    expect(statuses.get(400)).toBeGreaterThan(0)
  }, 60_000)
})

describe('index API under the gateway limits (PostgreSQL)', () => {
  it('shares the in-flight bound with /graphql (503 OVERLOADED + Retry-After) and answers past the deadline with 504 QUERY_TIMEOUT', async () => {
    const database = await createTestDatabase('sitest_rest_limits')
    const db = await createDb({ databaseUrl: database.url })
    const gateway = createGateway({ prisma: db.prisma, common: createTestCommon(), maxInFlight: 1, maxQueued: 0, queryTimeoutMs: 500 })
    const locker = new pg.Client({ connectionString: database.url })
    await locker.connect()
    try {
      await locker.query('BEGIN')
      await locker.query('LOCK TABLE "Attestation" IN ACCESS EXCLUSIVE MODE') // the page query waits for it
      const slow = gateway.yoga.fetch('http://gateway/index/attestations')
      await new Promise((resolve) => setTimeout(resolve, 100))
      const shed = await gateway.yoga.fetch('http://gateway/index/schemas')
      expect([shed.status, shed.headers.get('retry-after')]).toEqual([503, '1'])
      expect(await shed.json()).toMatchObject({ success: false, statusCode: 503, code: 'OVERLOADED', data: null })
      const graphql = await gateway.yoga.fetch('http://gateway/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"query":"{ __typename }"}',
      })
      expect(graphql.status).toBe(503)
      const timedOut = await slow
      expect(timedOut.status).toBe(504)
      expect(await timedOut.json()).toMatchObject({ success: false, statusCode: 504, code: 'QUERY_TIMEOUT', data: null })
      await locker.query('ROLLBACK')
      expect((await gateway.yoga.fetch('http://gateway/index/attestations')).status).toBe(200) // the slot came back
    } finally {
      await locker.end()
      await gateway.close()
      await db.close()
      await database.drop()
    }
  })
})
