/**
 * No request can starve the others (ARCHITECTURE invariant 7), over a real HTTP server and a real PostgreSQL:
 * queries are made slow for real by another session holding an exclusive lock on "Attestation" (as a long
 * migration or a stuck writer would). Under 200 concurrent slow queries the gateway sheds what it cannot hold with
 * 503 + Retry-After, and /healthz, /readyz, /metrics still answer; a query past its deadline or its statement_timeout
 * is QUERY_TIMEOUT; bodies and graphql-ws messages above the cap are refused (413 / 411 / close 1009).
 */
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import { createDb, type Db } from '../src/db/createDb.js'
import { createGateway, type Gateway, type GatewayServer, startGatewayServer } from '../src/gateway/index.js'
import { seedGatewayFixtures } from './fixtures/gatewayFixtures.js'
import { createTestDatabase, type TestDatabase } from './helpers/database.js'
import { createTestCommon } from './helpers/common.js'

let database: TestDatabase
let db: Db
const QUERY = '{ attestations(first: 5) { nodes { id } } }'

type Answer = { status: number; retryAfter: string | null; body: { data?: unknown; errors?: { message: string; extensions?: Record<string, unknown> }[] } }

async function post(url: string, query = QUERY): Promise<Answer> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query }),
    signal: AbortSignal.timeout(60_000),
  })
  return { status: response.status, retryAfter: response.headers.get('retry-after'), body: (await response.json()) as Answer['body'] }
}

/** Another session takes an ACCESS EXCLUSIVE lock on "Attestation": every query on it waits until `release()`. */
async function lockAttestations(): Promise<{ release(): Promise<void> }> {
  const client = new pg.Client({ connectionString: database.url })
  await client.connect()
  await client.query('BEGIN')
  await client.query('LOCK TABLE "Attestation" IN ACCESS EXCLUSIVE MODE')
  return {
    release: async () => {
      await client.query('ROLLBACK')
      await client.end()
    },
  }
}

async function serve(gateway: Gateway): Promise<GatewayServer> {
  return startGatewayServer({ gateway, port: 0, host: '127.0.0.1' })
}

async function waitFor(predicate: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const end = Date.now() + timeoutMs
  while (!predicate()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

beforeAll(async () => {
  database = await createTestDatabase('sitest_gateway_load')
  db = await createDb({ databaseUrl: database.url })
  await seedGatewayFixtures(db.prisma)
})

afterAll(async () => {
  await db?.close()
  await database?.drop()
})

describe('load shedding', () => {
  it('sheds 200 concurrent slow queries beyond the bound with 503 + Retry-After; /healthz, /readyz and /metrics still answer', async () => {
    // the gateway as `serve` builds it: its own pool, readiness pinged on a connection of its own
    const gatewayDb = await createDb({ databaseUrl: database.url, migrate: false, statementTimeoutMs: 30_000 })
    const gateway = createGateway({ prisma: gatewayDb.prisma, pingDatabase: gatewayDb.ping, common: createTestCommon(), maxInFlight: 16, maxQueued: 16 })
    const server = await serve(gateway)
    const base = server.url.replace(/\/graphql$/, '')
    const lock = await lockAttestations()
    try {
      const answers = Array.from({ length: 200 }, () => post(server.url))
      // every request has arrived: 16 in flight, the rest waiting (16 at most, each for 1 s) or shed
      const saturated = () => {
        const { inFlight, queued, shed } = gateway.loadStats()
        return inFlight === 16 && queued + shed === 184 && shed >= 168
      }
      await waitFor(saturated, 30_000, 'a saturated gateway')
      const latencies: Record<string, number[]> = { '/healthz': [], '/readyz': [], '/metrics': [] }
      for (let round = 0; round < 5; round++) {
        for (const path of Object.keys(latencies)) {
          const started = performance.now()
          const response = await fetch(`${base}${path}`, { signal: AbortSignal.timeout(10_000) })
          await response.text()
          latencies[path]!.push(performance.now() - started)
          expect(response.status, path).toBe(200)
        }
      }
      console.log(
        `under saturation (${JSON.stringify(gateway.loadStats())}): ${Object.entries(latencies)
          .map(([p, l]) => `${p} ${l.map((ms) => ms.toFixed(1)).join(' / ')} ms`)
          .join(', ')}`,
      )
      await lock.release()
      const settled = await Promise.all(answers)
      const shed = settled.filter((a) => a.status === 503)
      const served = settled.filter((a) => a.status === 200)
      console.log(`200 requests: ${served.length} served, ${shed.length} shed`)
      expect(served.length + shed.length).toBe(200)
      expect(shed.length).toBeGreaterThanOrEqual(200 - 16 - 16)
      expect(served.length).toBeGreaterThanOrEqual(16)
      for (const a of shed) {
        expect(a.retryAfter).toBe('1')
        expect(a.body).toEqual({ errors: [{ message: expect.any(String), extensions: { code: 'OVERLOADED', retryAfterSeconds: 1 } }] })
      }
      for (const a of served) expect(a.body.errors).toBeUndefined()
      expect(gateway.loadStats()).toMatchObject({ inFlight: 0, queued: 0 })
      const metrics = await (await fetch(`${base}/metrics`)).text()
      expect(metrics).toMatch(/sign_indexer_graphql_shed_total \d+/)
    } finally {
      await lock.release().catch(() => {})
      await server.close()
      await gatewayDb.close()
    }
  })

  it('lets a long-lived SSE subscription give its slot back once its stream has started', async () => {
    const gateway = createGateway({ prisma: db.prisma, common: createTestCommon(), maxInFlight: 1, maxQueued: 0 })
    const server = await serve(gateway)
    const controller = new AbortController()
    try {
      const stream = await fetch(server.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
        body: JSON.stringify({ query: 'subscription { attestationCreated { id } }' }),
        signal: controller.signal,
      })
      expect(stream.status).toBe(200)
      await waitFor(() => gateway.subscriptionStats().subscribers === 1, 10_000, 'the subscription')
      expect(gateway.loadStats().inFlight).toBe(0)
      expect((await post(server.url)).status).toBe(200) // the one slot is free for a query
    } finally {
      controller.abort()
      await server.close()
    }
  })
})

describe('deadlines', () => {
  it("ends a statement past the gateway pool's statement_timeout with QUERY_TIMEOUT (504); the indexer's connections have none", async () => {
    const gatewayDb = await createDb({ databaseUrl: database.url, migrate: false, statementTimeoutMs: 300 })
    const gateway = createGateway({ prisma: gatewayDb.prisma, common: createTestCommon(), queryTimeoutMs: 30_000 })
    const server = await serve(gateway)
    const lock = await lockAttestations()
    try {
      const answer = await post(server.url)
      expect(answer.status).toBe(504)
      expect(answer.body.errors).toEqual([expect.objectContaining({ extensions: { code: 'QUERY_TIMEOUT', timeoutMs: 30_000 } })])
      expect(await gatewayDb.prisma.$queryRaw`SHOW statement_timeout`).toEqual([{ statement_timeout: '300ms' }])
      expect(await db.prisma.$queryRaw`SHOW statement_timeout`).toEqual([{ statement_timeout: '0' }])
    } finally {
      await lock.release()
      await server.close()
      await gatewayDb.close()
    }
  })

  it('answers a query past the request deadline with QUERY_TIMEOUT (504) while the database still waits', async () => {
    const gateway = createGateway({ prisma: db.prisma, common: createTestCommon(), queryTimeoutMs: 300 })
    const server = await serve(gateway)
    const lock = await lockAttestations()
    try {
      const answer = await post(server.url)
      expect(answer.status).toBe(504)
      expect(answer.body.errors).toEqual([expect.objectContaining({ extensions: { code: 'QUERY_TIMEOUT', timeoutMs: 300 } })])
    } finally {
      await lock.release()
      await server.close()
    }
    // the connection held by the abandoned statement comes back: the next query is served
    const again = createGateway({ prisma: db.prisma, common: createTestCommon() })
    const fresh = await again.yoga.fetch('http://gateway.test/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: QUERY }),
    })
    expect(((await fresh.json()) as Answer['body']).errors).toBeUndefined()
    await again.close()
  })
})

describe('request size', () => {
  it('refuses a body above the cap (413), a chunked body (411), and closes a graphql-ws connection on a too big message (1009)', async () => {
    const gateway = createGateway({ prisma: db.prisma, common: createTestCommon(), maxRequestBytes: 64 * 1024 })
    const server = await serve(gateway)
    try {
      const padded = JSON.stringify({ query: `${QUERY}${' '.repeat(100 * 1024)}` })
      const big = await fetch(server.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: padded })
      expect(big.status).toBe(413)
      expect(await big.json()).toEqual({ errors: [{ message: expect.any(String), extensions: { code: 'REQUEST_TOO_LARGE', maxRequestBytes: 65_536 } }] })
      const chunks = new ReadableStream({ start: (c) => (c.enqueue(new TextEncoder().encode(JSON.stringify({ query: QUERY }))), c.close()) })
      const chunked = await fetch(server.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: chunks, duplex: 'half' } as RequestInit)
      expect(chunked.status).toBe(411)
      expect(((await chunked.json()) as Answer['body']).errors?.[0]?.extensions?.code).toBe('LENGTH_REQUIRED')
      expect((await post(server.url)).status).toBe(200) // a body within the cap is served

      const socket = new WebSocket(server.url.replace(/^http/, 'ws'), 'graphql-transport-ws')
      const closed = new Promise<number>((resolve) => socket.on('close', (code) => resolve(code)))
      const acked = new Promise<void>((resolve) => socket.on('message', (m) => String(m).includes('connection_ack') && resolve()))
      await new Promise((resolve) => socket.on('open', resolve))
      socket.send(JSON.stringify({ type: 'connection_init' }))
      await acked
      socket.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query: `${QUERY}${' '.repeat(100 * 1024)}` } }))
      expect(await closed).toBe(1009)
    } finally {
      await server.close()
    }
  })
})
