/**
 * The real CLI (`bin/sign-indexer.mjs`, spawned) with safe defaults and operator mistakes (issue 12 §4.4, §4.7):
 * without `--host`/`HOST` the server is reachable from this machine only (127.0.0.1, not the network interface);
 * a port in use (the server's or the embedded devnet's) and `--pubsub redis` without a Redis URL end with a clear
 * message and exit 1, no stack trace.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { connect, createServer, type Server } from 'node:net'
import { networkInterfaces, tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { createDb } from '../src/db/createDb.js'
import { createTestDatabase, type TestDatabase } from './helpers/database.js'
import { spawnCli, spawnGateway } from './helpers/indexerProcess.js'

let database: TestDatabase

beforeAll(async () => {
  database = await createTestDatabase('sitest_cli_defaults')
  await (await createDb({ databaseUrl: database.url })).close() // migrated, so `serve` starts at once
})

afterAll(async () => {
  await database?.drop()
})

/** Resolves true when a TCP connection to host:port is accepted, false when refused. */
function canConnect(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port })
    socket.once('connect', () => {
      socket.destroy()
      resolve(true)
    })
    socket.once('error', () => resolve(false))
  })
}

const STACK_FRAME = /\n\s+at .+\(?.+:\d+:\d+\)?/

it('serves on 127.0.0.1 only unless HOST says otherwise', async () => {
  const external = Object.values(networkInterfaces())
    .flat()
    .find((a) => a && a.family === 'IPv4' && !a.internal)?.address
  // spawnGateway passes --host 127.0.0.1: spawn without it, as a user would
  const proc = spawnCli(['serve', '--database-url', database.url, '--port', '0'], 'GraphQL gateway running', { HOST: '' })
  try {
    await proc.ready
    const port = Number(/"graphql_url":"http:\/\/[^:]+:(\d+)\//.exec(proc.output())?.[1])
    expect(port, proc.output()).toBeGreaterThan(0)
    expect(await canConnect('127.0.0.1', port)).toBe(true)
    if (external)
      expect(await canConnect(external, port)).toBe(false) // this machine has no other interface: nothing to check
    else console.log('no non-loopback IPv4 interface: the external check was skipped')
  } finally {
    proc.child.kill('SIGINT')
    await proc.exited
  }
})

it('a port in use: one line naming host, port and the fix; exit 1; no stack', async () => {
  const blocker: Server = createServer()
  await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve))
  const { port } = blocker.address() as { port: number }
  try {
    const proc = spawnGateway(database.url, ['--port', String(port)])
    expect(await proc.exited).toBe(1)
    const output = proc.output()
    expect(output).toContain(
      `Cannot listen on 127.0.0.1:${port}: port ${port} is already in use — stop the other process or choose another port (--port / PORT)\n`,
    )
    expect(output).not.toMatch(STACK_FRAME)
    expect(output).not.toContain('"stack"')
  } finally {
    blocker.close()
  }
})

it('--pubsub redis without --redis-url: says what to pass; exit 1; no stack', async () => {
  const proc = spawnGateway(database.url, ['--pubsub', 'redis', '--port', '0'])
  expect(await proc.exited).toBe(1)
  const output = proc.output()
  expect(output).toContain('redisUrl: required with pubsub redis — pass --redis-url or set REDIS_URL')
  expect(output).not.toMatch(STACK_FRAME)
  expect(output).not.toContain('"stack"')
})

it('`start` with its devnet port in use: one line naming it; exit 1; no stack; the data directory it opened meanwhile opens again', async () => {
  // the embedded default opens PGlite while its devnet starts (src/cli/commands.ts openChainsAndDb): when the devnet
  // fails, the process still exits 1 with the devnet's error, and the directory is usable after (whether close() ran
  // is not seen from here: PGlite may also reopen a directory left unclosed)
  const blocker: Server = createServer()
  await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve))
  const { port } = blocker.address() as { port: number }
  const dataDir = await mkdtemp(join(tmpdir(), 'sign-devnet-port-'))
  try {
    const proc = spawnCli(['start'], 'Sign indexer running', { DATA_DIR: dataDir, DEVNET_PORT: String(port), PORT: '0', HOST: '127.0.0.1' })
    expect(await proc.exited).toBe(1)
    const output = proc.output()
    expect(output).toContain(
      `Cannot start the devnet on 127.0.0.1:${port}: port ${port} is already in use — stop the other process or choose another port (DEVNET_PORT)\n`,
    )
    expect(output).not.toMatch(STACK_FRAME)
    expect(output).not.toContain('"stack"')
    const db = await createDb({ dataDir: join(dataDir, 'pglite') })
    try {
      expect(await db.prisma.attestation.count()).toBe(0) // migrated by the failed start, readable
    } finally {
      await db.close()
    }
  } finally {
    blocker.close()
    await rm(dataDir, { recursive: true, force: true })
  }
}, 120_000)
