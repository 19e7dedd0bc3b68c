/**
 * `serve --workers 2` (the real CLI, node:cluster) on a seeded PostgreSQL database, used as an operator and a client
 * would: many concurrent queries all answered, by both workers; one `/metrics` scrape counts every worker's
 * requests; a worker killed is replaced while the gateway keeps answering (the connections the killed worker held are
 * reset, as a crashed process's are: the client sends its query again); SIGTERM stops every worker with exit
 * code 0; more than one worker without PostgreSQL is a configuration error.
 */
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

/** Worker pids in the gateway's output: each worker logs its own `GraphQL gateway running` line. */
const workerPids = (output: string) => new Set([...output.matchAll(/"pid":(\d+)[^\n]*GraphQL gateway running/g)].map((m) => Number(m[1])))

describe('serve --workers 2', () => {
  it('answers every query from both workers, counts them in one scrape, replaces a killed worker and stops on SIGTERM', async () => {
    const gateway = spawnGateway(database.url, ['--workers', '2'])
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

      gateway.child.kill('SIGTERM')
      expect(await gateway.exited).toBe(0)
      for (const pid of workerPids(gateway.output())) expect(() => process.kill(pid, 0), `worker ${pid} still running`).toThrow()
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
