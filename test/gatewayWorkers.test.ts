/**
 * `serve --workers 2` (the real CLI, node:cluster) on a seeded PostgreSQL database, used as an operator and a client
 * would: many concurrent queries all answered, by both workers; one `/metrics` scrape counts every worker's
 * requests; a worker killed is replaced while the gateway keeps answering (the connections the killed worker held are
 * reset, as a crashed process's are: the client sends its query again), and so are all of them killed at once; a
 * terminal's Ctrl-C (SIGINT to the primary and every worker) stops every worker cleanly with exit
 * code 0; more than one worker without PostgreSQL is a configuration error.
 */
import { createServer } from 'node:net'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import pg from 'pg'
import { createDb } from '../src/db/createDb.js'
import { toFullId } from '../src/gateway/ids.js'
import { createTestDatabase, type TestDatabase } from './helpers/database.js'
import { spawnCli, spawnGateway } from './helpers/indexerProcess.js'
import { seedRows } from './helpers/seedRows.js'

let database: TestDatabase

beforeAll(async () => {
  database = await createTestDatabase('gateway_workers')
  await (await createDb({ databaseUrl: database.url })).close() // migrated
  const client = new pg.Client({ connectionString: database.url })
  await client.connect()
  try {
    await seedRows(client, { chains: [{ chainId: 31337, rows: 2_000 }], chainRows: true })
  } finally {
    await client.end()
  }
}, 120_000)

afterAll(async () => {
  await database?.drop()
})

/** The value of a Prometheus sample line (`name{labels} value`), summed over the label sets matching `labels`. */
function sample(metrics: string, name: string, labels = ''): number {
  let sum = 0
  for (const line of metrics.split('\n'))
    if (line.startsWith(`${name}{`) || line.startsWith(`${name} `)) if (line.includes(labels)) sum += Number(line.slice(line.lastIndexOf(' ') + 1))
  return sum
}

/** A port nothing listens on now. */
async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  await new Promise((resolve) => server.close(resolve))
  return port
}

const isRunning = (pid: number) => {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

/** Worker pids in the gateway's output: each worker logs its own `GraphQL gateway running` line. */
const workerPids = (output: string) => new Set([...output.matchAll(/"pid":(\d+)[^\n]*GraphQL gateway running/g)].map((m) => Number(m[1])))

describe('serve --workers 2', () => {
  it('answers every query from both workers, counts them in one scrape, replaces killed workers and stops cleanly on Ctrl-C', async () => {
    // a fixed port, as in production: with port 0 a cluster whose workers all died listens again on another port.
    // Found free, then taken before the workers listened (the other test worker's processes bind port 0): once more.
    let gateway = spawnGateway(database.url, ['--workers', '2', '--port', String(await freePort())])
    for (let attempt = 1; attempt < 3; attempt++) {
      await gateway.ready
      if (gateway.child.exitCode === null || !gateway.output().includes('is already in use')) break
      gateway = spawnGateway(database.url, ['--workers', '2', '--port', String(await freePort())])
    }
    try {
      await gateway.ready
      const url = gateway.url()
      expect(url, gateway.output()).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/graphql$/)
      // both workers listen on the one port
      for (let i = 0; i < 100 && workerPids(gateway.output()).size < 2; i++) await new Promise((r) => setTimeout(r, 100))
      const pids = workerPids(gateway.output())
      expect(pids.size, gateway.output()).toBe(2)

      const query = async (id: number, retryReset = false): Promise<{ status: number; body: { data?: { attestation: { attestationId: string } | null } } }> => {
        const response = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ query: 'query($id: ID!) { attestation(id: $id) { id attestationId } }', variables: { id: toFullId(31337, BigInt(id)) } }),
        }).catch((error: Error) => {
          // a kept-alive connection to a worker that was killed is reset: a client sends the (idempotent) query again
          if (retryReset && /ECONNRESET|other side closed/.test(String((error.cause as Error | undefined)?.message ?? error.message))) return null
          throw error
        })
        if (!response) return query(id)
        return { status: response.status, body: (await response.json()) as { data?: { attestation: { attestationId: string } | null } } }
      }
      const before = await (await fetch(new URL('/metrics', url))).text()
      const answers = await Promise.all(Array.from({ length: 200 }, (_, i) => query(1 + i)))
      for (const [i, a] of answers.entries()) {
        expect(a.status).toBe(200)
        expect(BigInt(a.body.data?.attestation?.attestationId ?? -1)).toBe(BigInt(1 + i))
      }
      // one scrape, every worker's requests: the executions of the 200 queries over both workers
      const after = await (await fetch(new URL('/metrics', url))).text()
      const executions = (m: string) => sample(m, 'sign_indexer_graphql_executions_total')
      expect(executions(after) - executions(before)).toBe(200)

      // a worker killed is replaced; the gateway keeps answering meanwhile
      const [victim] = [...pids]
      process.kill(victim!, 'SIGKILL')
      for (const i of [1, 2, 3, 4, 5]) expect((await query(i, true)).status).toBe(200)
      for (let i = 0; i < 100 && workerPids(gateway.output()).size < 3; i++) await new Promise((r) => setTimeout(r, 100))
      expect(workerPids(gateway.output()).size, gateway.output()).toBe(3)
      expect(gateway.output()).toContain('A gateway worker exited: starting another')

      // every worker gone at once (a database outage, an OOM kill): the primary starts new ones
      const running = () => [...workerPids(gateway.output())].filter((pid) => isRunning(pid))
      const before2 = running()
      expect(before2.length).toBe(2)
      for (const pid of before2) process.kill(pid, 'SIGKILL')
      for (let i = 0; i < 150 && running().filter((pid) => !before2.includes(pid)).length < 2; i++) await new Promise((r) => setTimeout(r, 100))
      expect(running().filter((pid) => !before2.includes(pid)).length, gateway.output()).toBe(2)
      expect((await query(6, true)).status).toBe(200)

      // Ctrl-C in a terminal: SIGINT reaches the primary and every worker at once; each worker still shuts down
      // cleanly (exit 0), not cut short by the primary's stop request
      const last = running()
      for (const pid of [gateway.child.pid!, ...last]) process.kill(pid, 'SIGINT')
      expect(await gateway.exited).toBe(0)
      for (const pid of last) {
        expect(isRunning(pid), `worker ${pid} still running`).toBe(false)
        expect(gateway.output(), `worker ${pid}`).toMatch(new RegExp(`"pid":${pid},"code":0[^\n]*Gateway worker stopped`))
      }
    } finally {
      if (gateway.child.exitCode === null) gateway.child.kill('SIGKILL')
    }
  }, 120_000)

  it('refuses more than one worker without PostgreSQL (PGlite belongs to one process)', async () => {
    const cli = spawnCli(['serve', '--workers', '2', '--port', '0'], 'never', { DATABASE_URL: '' })
    expect(await cli.exited).toBe(1)
    expect(cli.output()).toContain('gateway workers need PostgreSQL')
  }, 60_000)
})
