/**
 * The gateway served over HTTP: health, readiness and metrics routes, graphql-ws subscriptions on the GraphQL
 * path (same pipeline: context, armor), and a slow SSE subscriber disconnected with its resume cursor.
 */
import { print } from 'graphql'
import { createClient } from 'graphql-ws'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import { createDb, type Db } from '../src/db/createDb.js'
import { createGateway, type Gateway, type GatewayServer, startGatewayServer, toFullId } from '../src/gateway/index.js'
import { CHAIN, makeAttestation, rules, seedGatewayFixtures } from './fixtures/gatewayFixtures.js'
import { IndexerStatusDocument, OnAttestationCreatedDocument } from './generated/graphql.js'
import { createTestDatabase, type TestDatabase } from './helpers/database.js'
import { execute, httpFetcher, waitFor } from './helpers/graphql.js'
import { createTestCommon } from './helpers/common.js'

let database: TestDatabase
let db: Db
let gateway: Gateway
let server: GatewayServer
let ready = false
let nextId = 100

async function commitAttestation(target: Gateway): Promise<number> {
  const n = nextId++
  const row = makeAttestation(n)
  await db.prisma.$transaction([
    db.prisma.attestation.create({ data: row }),
    db.prisma.event.create({
      data: {
        chainId: CHAIN,
        kind: 'CREATED',
        subjectType: 'ATTESTATION',
        subjectId: String(n),
        blockNumber: row.blockNumber,
        blockHash: row.blockHash,
        logIndex: 0,
      },
    }),
  ])
  target.journal.notify()
  return n
}

beforeAll(async () => {
  database = await createTestDatabase('sitest_gateway_server')
  db = await createDb({ databaseUrl: database.url })
  await seedGatewayFixtures(db.prisma)
  // the default delivery level is SAFE: let the fixture chain's safe block cover the blocks committed here
  await db.prisma.chain.update({ where: { chainId: CHAIN }, data: { safeBlock: 1_000_000n } })
  gateway = createGateway({ prisma: db.prisma, common: createTestCommon(), journalPollMs: 50 })
  server = await startGatewayServer({ gateway, port: 0, host: '127.0.0.1', isReady: () => ready })
})

afterAll(async () => {
  await server?.close()
  await db?.close()
  await database?.drop()
})

describe('HTTP routes', () => {
  it('serves /healthz always, /readyz from the readiness check, /metrics in Prometheus format', async () => {
    const base = server.url.replace(/\/graphql$/, '')
    expect((await fetch(`${base}/healthz`)).status).toBe(200)
    expect((await fetch(`${base}/readyz`)).status).toBe(503)
    ready = true
    expect((await fetch(`${base}/readyz`)).status).toBe(200)

    const status = await execute(httpFetcher(server.url), IndexerStatusDocument)
    expect(status.data?.indexerStatus.map((s) => s.chainId)).toEqual([10, CHAIN])
    const metrics = await fetch(`${base}/metrics`)
    expect(metrics.headers.get('content-type')).toMatch(/text\/plain/)
    const text = await metrics.text()
    expect(text).toMatch(/sign_indexer_graphql_requests_total\{operation="query",status="ok"\} \d+/)
    expect(text).toContain('sign_indexer_graphql_request_duration_seconds_bucket')
    for (const name of [
      'sign_indexer_head_block',
      'sign_indexer_indexed_block',
      'sign_indexer_lag_blocks',
      'sign_indexer_events_total',
      'sign_indexer_rpc_request_duration_seconds',
      'sign_indexer_rpc_errors_total',
      'sign_indexer_db_commit_duration_seconds',
    ]) {
      expect(text).toContain(`# TYPE ${name} `)
    }
  })
})

describe('graphql-ws', () => {
  it('delivers journal events to a WebSocket subscriber and applies the same limits', async () => {
    const client = createClient({ url: server.url.replace(/^http/, 'ws'), webSocketImpl: WebSocket, retryAttempts: 0, lazy: true })
    try {
      const iterator = client.iterate({ query: print(OnAttestationCreatedDocument), variables: { where: { chainId: CHAIN } } })
      const first = iterator.next()
      await waitFor(() => gateway.journal.stats().subscribers === 1, 10_000, 'a WebSocket subscriber')
      const n = await commitAttestation(gateway)
      const result = await first
      expect(result.value).toEqual({
        data: {
          attestationCreated: {
            id: toFullId(CHAIN, BigInt(n)),
            attester: expect.any(String),
            revoked: false,
            schema: { id: toFullId(CHAIN, rules.schemaId(n)) },
          },
        },
      })
      await iterator.return?.()
      await waitFor(() => gateway.journal.stats().subscribers === 0, 10_000, 'the subscriber to detach')

      const deep = `subscription { attestationCreated { ${'linkedAttestation { '.repeat(15)}id${' }'.repeat(15)} } }`
      await expect(client.iterate({ query: deep }).next()).rejects.toSatisfy((errors: unknown) => JSON.stringify(errors).includes('limit of'))
    } finally {
      await client.dispose()
    }
  })
})

describe('subscription limits', () => {
  it('refuses an operation beyond the per-connection limit and a subscription beyond the process-wide limit, with SUBSCRIPTION_LIMIT', async () => {
    const limited = createGateway({ prisma: db.prisma, common: createTestCommon(), journalPollMs: 50, maxSubscriptions: 3, maxSubscriptionsPerConnection: 2 })
    const limitedServer = await startGatewayServer({ gateway: limited, port: 0, host: '127.0.0.1' })
    const wsUrl = limitedServer.url.replace(/^http/, 'ws')
    const query = `subscription { attestationEvents(where: { chainId: ${CHAIN} }) { cursor } }`
    const clients = [0, 1, 2].map(() => createClient({ url: wsUrl, webSocketImpl: WebSocket, retryAttempts: 0, lazy: true }))
    const outcome = (client: (typeof clients)[number]) =>
      new Promise<string>((resolve) => {
        client.subscribe(
          { query },
          {
            next: (r) => resolve(r.errors ? JSON.stringify(r.errors) : 'event'),
            error: (e) => resolve(JSON.stringify(e)),
            complete: () => resolve('complete'),
          },
        )
      })
    try {
      const [a, b] = clients as [(typeof clients)[number], (typeof clients)[number], (typeof clients)[number]]
      const firstTwo = [outcome(a), outcome(a)]
      await waitFor(() => limited.subscriptionStats().subscribers === 2, 10_000, 'two subscriptions on one connection')
      expect(await outcome(a)).toContain('SUBSCRIPTION_LIMIT') // third operation on the same connection
      const onSecond = outcome(b)
      await waitFor(() => limited.subscriptionStats().subscribers === 3, 10_000, 'a subscription on a second connection')
      expect(await outcome(clients[2]!)).toContain('SUBSCRIPTION_LIMIT') // fourth in the process
      // three identical subscriptions: one shared execution, one journal subscriber
      expect(limited.subscriptionStats()).toEqual({ subscribers: 3, executions: 1 })
      expect(limited.journal.stats().subscribers).toBe(1)
      // the accepted ones still deliver
      await commitAttestation(limited)
      expect(await Promise.all([...firstTwo, onSecond])).toEqual(['event', 'event', 'event'])
    } finally {
      for (const client of clients) await client.dispose()
      await limitedServer.close()
    }
  })
})

// Slow subscribers: an in-process SSE stream (yoga.fetch) buffers eagerly, so a client that stops reading is not
// slow to the server; the bounded buffers are tested where the backlog is visible: test/journal.test.ts (the
// tail: bursts, overflow with a resume cursor) and src/gateway/useSharedSubscriptions.test.ts (shared executions).
