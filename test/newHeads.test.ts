/**
 * Following the head by `newHeads` (src/chain/watchHeads.ts), on the real contract on anvil and real PostgreSQL:
 * - with a poll interval of an hour, new attestations are indexed only because anvil's `newHeads` wakes the loop;
 * - a WebSocket that drops (a TCP proxy in front of anvil's ws port, closed) degrades to polling: a warning, the
 *   gauge at 0, the fallback counted, and indexing goes on; when the proxy is back, the subscription is restored;
 * - a ws URL that is no WebSocket, and a node that refuses `eth_subscribe`, are polling from the start.
 * Waits have generous deadlines; nothing asserts a time.
 */
import { createConnection, createServer, type Server, type Socket } from 'node:net'
import { Writable } from 'node:stream'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { WebSocketServer } from 'ws'
import { createLogger } from '../src/common/logger.js'
import { createMetrics } from '../src/common/metrics.js'
import { createTestCommon } from './helpers/common.js'
import { createDb, type Db } from '../src/db/createDb.js'
import { createDevClients, createSpWriter, type Devnet, SCORE_FIELDS, type SpWriter, schemaJson, startDevnet, tupleScore } from '../src/devnet/index.js'
import { createIndexer, type IndexerChain } from '../src/sync/createIndexer.js'
import { createTestDatabase, type TestDatabase } from './helpers/database.js'
import { createTruthClient } from './helpers/groundTruth.js'
import { devnetChain } from './helpers/runIndexerToHead.js'

let devnet: Devnet
let database: TestDatabase
let db: Db
let writer: SpWriter
let schemaId: bigint
let keys = 0

beforeAll(async () => {
  devnet = await startDevnet({ port: 0 })
  writer = createSpWriter(await createDevClients(devnet.rpcUrl), devnet.address)
  schemaId = await writer.register(1, { data: schemaJson('heads', 'newHeads', SCORE_FIELDS) })
  database = await createTestDatabase('sitest_new_heads')
  db = await createDb({ databaseUrl: database.url })
}, 120_000)

afterAll(async () => {
  await db?.close()
  await database?.drop()
  await devnet?.stop()
})

/** An indexer on the devnet with `overrides`, logging (debug and up) into `lines`. */
function startIndexer(overrides: Partial<IndexerChain>) {
  const lines: string[] = []
  const destination = new Writable({
    write(chunk, _encoding, done) {
      lines.push(...chunk.toString().split('\n').filter(Boolean))
      done()
    },
  })
  const indexer = createIndexer({
    prisma: db.prisma,
    writer: db.writer,
    chains: [devnetChain(devnet, overrides)],
    common: createTestCommon({ logger: createLogger({ level: 'debug', destination }), metrics }),
  })
  const running = indexer.run()
  return { indexer, running, lines, stop: async () => (indexer.stop(), await running) }
}

async function until(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`)
    await new Promise((r) => setTimeout(r, 50))
  }
}

const indexed = async (key: string) => (await db.prisma.attestation.count({ where: { chainId: devnet.chainId, indexingKey: key } })) === 1
const attest = async () => {
  const key = `heads-${keys++}`
  await writer.attest(1, { schemaId, data: tupleScore(key, 1n) }, key)
  return key
}
/** one metrics set for the file: every indexer of these tests counts into it */
const metrics = createMetrics()
const gauge = async () => (await metrics.newHeadsActive.get()).values.find((v) => v.labels.chain_id === devnet.chainId)?.value
const fallbacks = async (reason: string) =>
  (await metrics.newHeadsFallbacks.get()).values.find((v) => v.labels.chain_id === devnet.chainId && v.labels.reason === reason)?.value ?? 0
const caughtUp = async () => {
  const head = await createTruthClient(devnet.rpcUrl).getBlockNumber({ cacheTime: 0 })
  const cp = await db.prisma.checkpoint.findUnique({ where: { chainId: devnet.chainId } })
  return cp !== null && cp.blockNumber >= head
}

it('follows new heads with a poll interval of an hour, woken only by newHeads', async () => {
  const run = startIndexer({ wsUrl: devnet.wsUrl, pollIntervalMs: 3_600_000 })
  try {
    await until('the indexer reached the head', caughtUp)
    await until('newHeads is live', async () => (await gauge()) === 1)
    expect(run.lines.some((l) => l.includes('Following the head by newHeads'))).toBe(true)
    // each attestation is its own block; only a new head can end an hour's wait
    for (let k = 0; k < 3; k++) {
      const key = await attest()
      await until(`${key} is indexed`, () => indexed(key))
    }
    expect(run.lines.filter((l) => l.includes('"msg":"New head"')).length).toBeGreaterThanOrEqual(3)
  } finally {
    await run.stop()
  }
})

/** A TCP proxy to anvil's port (carries its WebSocket); `drop()` closes every connection and stops listening. */
async function startTcpProxy(targetPort: number, port = 0): Promise<{ port: number; drop(): Promise<void> }> {
  const sockets = new Set<Socket>()
  const server: Server = createServer((client) => {
    const upstream = createConnection(targetPort)
    for (const s of [client, upstream]) {
      sockets.add(s)
      s.on('error', () => {})
      s.on('close', () => (sockets.delete(s), client.destroy(), upstream.destroy()))
    }
    client.pipe(upstream).pipe(client)
  })
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve))
  return {
    port: (server.address() as { port: number }).port,
    drop: async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()))
      for (const s of sockets) s.destroy()
      await closed
    },
  }
}

it('falls back to polling when the WebSocket drops, keeps indexing, and is restored when it is back', async () => {
  const anvilPort = Number(new URL(devnet.rpcUrl).port)
  const proxy = await startTcpProxy(anvilPort)
  const droppedBefore = await fallbacks('dropped')
  const run = startIndexer({ wsUrl: `ws://127.0.0.1:${proxy.port}`, pollIntervalMs: 200 })
  let restarted: Awaited<ReturnType<typeof startTcpProxy>> | undefined
  try {
    await until('newHeads is live', async () => (await gauge()) === 1)
    const first = await attest()
    await until(`${first} is indexed`, () => indexed(first))

    await proxy.drop() // the socket closes and reconnects are refused
    await until('the fallback is logged', () => run.lines.some((l) => l.includes('newHeads unavailable (dropped)')))
    expect(await gauge()).toBe(0)
    expect(await fallbacks('dropped')).toBe(droppedBefore + 1)
    for (let k = 0; k < 3; k++) {
      const key = await attest()
      await until(`${key} is indexed by polling`, () => indexed(key))
    }
    // one warning per degradation, however many reconnects fail meanwhile
    expect(run.lines.filter((l) => l.includes('newHeads unavailable')).length).toBe(1)

    restarted = await startTcpProxy(anvilPort, proxy.port)
    await until('the subscription is restored', () => run.lines.some((l) => l.includes('newHeads subscription restored')))
    expect(await gauge()).toBe(1)
    const last = await attest()
    await until(`${last} is indexed`, () => indexed(last))
  } finally {
    await run.stop()
    await restarted?.drop()
  }
})

it('follows the head by polling when the ws URL is no WebSocket, or the node refuses eth_subscribe', async () => {
  // a plain TCP port that closes every connection (no WebSocket handshake), and a WebSocket node without newHeads
  const notWs = createServer((s) => s.destroy())
  await new Promise<void>((resolve) => notWs.listen(0, '127.0.0.1', resolve))
  const refusing = new WebSocketServer({ host: '127.0.0.1', port: 0 })
  refusing.on('connection', (socket) =>
    socket.on('message', (raw) => {
      const { id } = JSON.parse(raw.toString()) as { id: number }
      socket.send(JSON.stringify({ jsonrpc: '2.0', id, error: { code: -32601, message: 'the method eth_subscribe does not exist' } }))
    }),
  )
  await new Promise<void>((resolve) => refusing.once('listening', () => resolve()))
  try {
    for (const [url, reason] of [
      [`ws://127.0.0.1:${(notWs.address() as { port: number }).port}`, 'connect'],
      [`ws://127.0.0.1:${(refusing.address() as { port: number }).port}`, 'refused'],
    ] as const) {
      const before = await fallbacks(reason)
      const run = startIndexer({ wsUrl: url, pollIntervalMs: 200 })
      try {
        await until(`the ${reason} fallback is logged`, () => run.lines.some((l) => l.includes(`newHeads unavailable (${reason})`)))
        expect(await gauge()).toBe(0)
        expect(await fallbacks(reason)).toBe(before + 1)
        const key = await attest()
        await until(`${key} is indexed by polling`, () => indexed(key))
      } finally {
        await run.stop()
      }
    }
  } finally {
    notWs.close()
    refusing.close()
  }
})
