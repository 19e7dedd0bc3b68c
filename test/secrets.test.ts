/**
 * Secrets in URLs never reach the output: the real CLI (`start`) runs with an RPC URL carrying basic-auth
 * credentials, an Alchemy-style `/v2/<key>` path and an `?apikey=` query (it still reaches anvil through the fault
 * proxy, which ignores path, query and auth), and a database URL with a password; the proxy then fails every
 * request until a sync step fails, so an RPC error is logged whole (viem errors carry the URL in `url`, `message` and
 * `stack`; STALL_AFTER_FAILURES=1 makes the first failed step log its error). Every line of stdout and stderr is searched for each secret part.
 */
import { afterAll, beforeAll, expect, it } from 'vitest'
import { createDb } from '../src/db/createDb.js'
import type { Devnet } from '../src/devnet/index.js'
import type { TestDatabase } from './helpers/database.js'
import type { FaultProxy } from './helpers/faultProxy.js'
import { waitFor } from './helpers/graphql.js'
import { createTruthClient } from './helpers/groundTruth.js'
import { spawnCli } from './helpers/indexerProcess.js'
import { type ProxiedDevnet, startProxiedDevnet } from './helpers/proxiedDevnet.js'

const RPC_USER = 'rpcUserQx7'
const RPC_PASSWORD = 'rpcPassZ9w'
const RPC_KEY = 'AlchKey0123456789abcdefXYZ'
const API_KEY = 'apiKeyS3cr3tVal'
const DB_PASSWORD = 'dbPassW0rdK4'
const SECRETS = [RPC_USER, RPC_PASSWORD, RPC_KEY, API_KEY, DB_PASSWORD]

let stack: ProxiedDevnet
let devnet: Devnet
let database: TestDatabase
let proxy: FaultProxy

beforeAll(async () => {
  stack = await startProxiedDevnet('secrets', 11)
  ;({ devnet, database, proxy } = stack)
})

afterAll(async () => {
  await stack?.stop()
})

it('prints no credential, query string or key of an RPC or database URL, in the banner or in RPC error logs', async () => {
  const proxyPort = new URL(proxy.url).port
  const rpcUrl = `http://${RPC_USER}:${RPC_PASSWORD}@127.0.0.1:${proxyPort}/v2/${RPC_KEY}?apikey=${API_KEY}`
  const dbUrl = new URL(database.url)
  dbUrl.password = DB_PASSWORD // trust auth: the server ignores it, the URL still carries it
  const proc = spawnCli(
    [
      'start',
      '--rpc-url',
      rpcUrl,
      '--chain-id',
      String(devnet.chainId),
      '--contract',
      devnet.address,
      '--start-block',
      String(devnet.deployBlock),
      '--confirmations',
      '0',
      '--database-url',
      dbUrl.toString(),
      '--port',
      '0',
      '--host',
      '127.0.0.1',
      '--verifiers',
      '0',
      '--log-level',
      'debug',
    ],
    'Sign indexer running',
    { STALL_AFTER_FAILURES: '1' },
  ) // the first failed step logs the whole error (url, message, stack)
  let output = ''
  proc.child.stdout!.on('data', (d: Buffer) => {
    output += d.toString()
  })
  proc.child.stderr!.on('data', (d: Buffer) => {
    output += d.toString()
  })
  const db = await createDb({ databaseUrl: database.url, migrate: false })
  try {
    await proc.ready
    const head = await createTruthClient(devnet.rpcUrl).getBlockNumber({ cacheTime: 0 })
    await waitFor(
      async () => ((await db.prisma.checkpoint.findUnique({ where: { chainId: devnet.chainId } }))?.blockNumber ?? -1n) >= head,
      60_000,
      'the indexer to reach the head through the authenticated URL',
    )

    // Every request fails (HTTP 500/502/503) until a whole sync step has given up: RPC errors get logged.
    proxy.setRates({ serverError: 1 })
    await waitFor(() => output.includes('Chain stalled') || /"level":50.*Sync step failed/.test(output), 90_000, 'a failed sync step logged with its error')
    proxy.setRates({})
    proc.child.kill('SIGTERM')
    expect(await proc.exited).toBe(0)
  } finally {
    proc.child.kill('SIGKILL')
    await db.close()
  }

  const lines = output.split('\n')
  const leaks = lines.filter((line) => SECRETS.some((secret) => line.includes(secret)))
  expect(
    leaks,
    `lines leaking a secret:\n${leaks
      .slice(0, 5)
      .map((l) => l.slice(0, 300))
      .join('\n')}`,
  ).toEqual([])
  // not vacuous: the banner, the running line and an RPC error with its (redacted) URL are all there
  const redacted = `http://***@127.0.0.1:${proxyPort}/v2/***?***`
  expect(lines.some((l) => l.includes(`RPC ${redacted}`))).toBe(true)
  expect(lines.some((l) => l.includes('Sign indexer running') && l.includes(redacted))).toBe(true)
  // viem drops the credentials from the URL it puts in its errors; the rest is redacted
  const failure = lines.find((l) => /"level":50/.test(l) && /Chain stalled|Sync step failed/.test(l))
  expect(failure).toContain(`"url":"http://127.0.0.1:${proxyPort}/v2/***?***"`)
  expect(failure).toContain(`URL: http://127.0.0.1:${proxyPort}/v2/***?***`)
  expect(lines.filter((l) => l.includes('HTTP request failed')).length).toBeGreaterThan(0)
})
