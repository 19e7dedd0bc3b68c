/**
 * `/healthz` and `/readyz` latency while the gateway is saturated. A real `sign-indexer serve` process on a fresh
 * PostgreSQL database; this process holds an exclusive lock on "Attestation" (every query blocks, as behind a stuck
 * migration) and keeps `--concurrency` GraphQL queries outstanding (a shed one is sent again at once: a 503 storm),
 * while it samples `/healthz` and `/readyz` every 20 ms. Prints p50 / p99 / max of each and the answers' statuses.
 *
 *   npx tsx test/bench/healthUnderLoad.ts [--seconds 10] [--concurrency 200]
 */
import { spawn } from 'node:child_process'
import { createServer } from 'node:net'
import { parseArgs } from 'node:util'
import pg from 'pg'
import { createDb } from '../../src/db/createDb.js'
import { seedGatewayFixtures } from '../fixtures/gatewayFixtures.js'
import { createTestDatabase } from '../helpers/database.js'

const { values } = parseArgs({ options: { seconds: { type: 'string', default: '10' }, concurrency: { type: 'string', default: '200' } } })
const seconds = Number(values.seconds)
const concurrency = Number(values.concurrency)

async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  await new Promise((resolve) => server.close(resolve))
  return port
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN
}

const database = await createTestDatabase('sibench_health')
const db = await createDb({ databaseUrl: database.url })
await seedGatewayFixtures(db.prisma)
await db.close()

const port = await freePort()
const base = `http://127.0.0.1:${port}`
const gateway = spawn(process.execPath, ['bin/sign-indexer.mjs', 'serve'], {
  env: { ...process.env, DATABASE_URL: database.url, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn' },
  stdio: ['ignore', 'ignore', 'inherit'],
})
try {
  for (let i = 0; ; i++) {
    if (i > 600) throw new Error('the gateway did not start within 60 s')
    const ok = await fetch(`${base}/healthz`).then(
      (r) => r.ok,
      () => false,
    )
    if (ok) break
    await new Promise((resolve) => setTimeout(resolve, 100))
  }

  const lock = new pg.Client({ connectionString: database.url })
  await lock.connect()
  await lock.query('BEGIN')
  await lock.query('LOCK TABLE "Attestation" IN ACCESS EXCLUSIVE MODE')

  const until = Date.now() + seconds * 1000
  const statuses = new Map<number, number>()
  const body = JSON.stringify({ query: '{ attestations(first: 5) { nodes { id } } }' })
  async function client(): Promise<void> {
    while (Date.now() < until) {
      const status = await fetch(`${base}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body }).then(
        async (r) => (await r.arrayBuffer(), r.status),
        () => 0,
      )
      statuses.set(status, (statuses.get(status) ?? 0) + 1)
    }
  }
  const clients = Array.from({ length: concurrency }, client)
  await new Promise((resolve) => setTimeout(resolve, 1_000)) // let the bound fill up

  const samples: Record<string, number[]> = { '/healthz': [], '/readyz': [] }
  const probeStatuses: string[] = []
  while (Date.now() < until - 500) {
    for (const path of Object.keys(samples)) {
      const started = performance.now()
      const response = await fetch(`${base}${path}`)
      await response.text()
      samples[path]!.push(performance.now() - started)
      if (response.status !== 200) probeStatuses.push(`${path} ${response.status}`)
    }
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
  await lock.query('ROLLBACK')
  await lock.end()
  await Promise.all(clients)

  console.log(`saturation: ${concurrency} clients for ${seconds} s, GraphQL answers by status: ${JSON.stringify(Object.fromEntries(statuses))}`)
  for (const [path, list] of Object.entries(samples)) {
    const sorted = [...list].sort((a, b) => a - b)
    console.log(
      `${path}: ${sorted.length} samples, p50 ${percentile(sorted, 50).toFixed(1)} ms, p99 ${percentile(sorted, 99).toFixed(1)} ms, max ${sorted.at(-1)!.toFixed(1)} ms`,
    )
  }
  console.log(probeStatuses.length ? `non-200 probe answers: ${probeStatuses.join(', ')}` : 'every probe answered 200')
} finally {
  gateway.kill('SIGTERM')
  await new Promise((resolve) => gateway.once('exit', resolve))
  await database.drop()
}
