/**
 * `/readyz` means "every chain is near its head now", and a stuck chain says so: the real CLI (`start`: indexer +
 * gateway server) on PostgreSQL, its RPC through the fault proxy. Ready once caught up; the RPC then fails every
 * request (no step completes): 503 and `indexerStatus` shows the RPC error; the RPC comes back: 200. Then every commit
 * fails (a trigger refuses checkpoint writes): the chain is reported stalled after STALL_AFTER_FAILURES failures — the
 * gauge, ONE error log with the cause, `indexerStatus.stalled` and `lastError` (read from the database, as a gateway
 * in another process would) — and ready again once commits work.
 */
import pg from 'pg'
import { afterAll, beforeAll, expect, it } from 'vitest'
import type { Devnet } from '../src/devnet/index.js'
import { IndexerHealthDocument } from './generated/graphql.js'
import type { TestDatabase } from './helpers/database.js'
import type { FaultProxy } from './helpers/faultProxy.js'
import { execute, httpFetcher, waitFor } from './helpers/graphql.js'
import { createTruthClient } from './helpers/groundTruth.js'
import { spawnCli } from './helpers/indexerProcess.js'
import { type ProxiedDevnet, startProxiedDevnet } from './helpers/proxiedDevnet.js'

const STALL_AFTER = 3

let stack: ProxiedDevnet
let devnet: Devnet
let database: TestDatabase
let proxy: FaultProxy

beforeAll(async () => {
  stack = await startProxiedDevnet('readiness', 5)
  ;({ devnet, database, proxy } = stack)
})

afterAll(async () => {
  await stack?.stop()
})

it('turns /readyz 503 while the chain is stuck (RPC down, commits failing), shows why, and 200 again after', { timeout: 300_000 }, async () => {
  const proc = spawnCli(
    [
      'start',
      '--rpc-url',
      proxy.url,
      '--chain-id',
      String(devnet.chainId),
      '--contract',
      devnet.address,
      '--start-block',
      String(devnet.deployBlock),
      '--confirmations',
      '0',
      '--database-url',
      database.url,
      '--port',
      '0',
      '--host',
      '127.0.0.1',
      '--verifiers',
      '0',
    ],
    'Sign indexer running',
    { STALL_AFTER_FAILURES: String(STALL_AFTER) },
  )
  let output = ''
  proc.child.stdout!.on('data', (d: Buffer) => {
    output += d.toString()
  })
  proc.child.stderr!.on('data', (d: Buffer) => {
    output += d.toString()
  })
  const admin = new pg.Client({ connectionString: database.url })
  await admin.connect()
  try {
    await proc.ready
    const graphqlUrl = /"graphql_url":"([^"]+)"/.exec(output)?.[1]
    expect(graphqlUrl, output).toBeTruthy()
    const base = graphqlUrl!.replace(/\/graphql$/, '')
    const readyz = async () => (await fetch(`${base}/readyz`)).status
    const status = async () => {
      const result = await execute(httpFetcher(graphqlUrl!), IndexerHealthDocument)
      expect(result.errors).toBeUndefined()
      return result.data!.indexerStatus.find((s) => s.chainId === devnet.chainId)!
    }
    const stalledGauge = async () => /sign_indexer_chain_stalled\{chain_id="31337"\} (\d)/.exec(await (await fetch(`${base}/metrics`)).text())?.[1]

    await waitFor(async () => (await readyz()) === 200, 60_000, '/readyz 200 once caught up')

    // 1. The RPC fails every request: no sync step completes, so the chain is no longer ready.
    proxy.setRates({ serverError: 1 })
    await waitFor(async () => (await readyz()) === 503, 60_000, '/readyz 503 while the RPC is down')
    expect(await status()).toMatchObject({ stalled: false }) // not stalled yet: STALL_AFTER steps take longer
    await waitFor(async () => (await status()).consecutiveFailures >= 1, 60_000, 'indexerStatus to show the RPC failure')
    expect((await status()).lastError).toMatchObject({ code: 'RPC', message: expect.stringContaining('HTTP request failed') })
    proxy.setRates({})
    await waitFor(async () => (await readyz()) === 200, 60_000, '/readyz 200 once the RPC answers again')
    await waitFor(async () => (await status()).consecutiveFailures === 0, 10_000, 'consecutiveFailures back to 0')

    // 2. Every commit fails: the same step is retried, the chain is reported stalled after STALL_AFTER failures.
    const logFrom = output.length
    await admin.query(`CREATE FUNCTION test_fail_commit() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'injected commit failure'; END $$`)
    await admin.query(`CREATE TRIGGER test_fail_commit BEFORE INSERT OR UPDATE ON "Checkpoint" FOR EACH ROW EXECUTE FUNCTION test_fail_commit()`)
    const truth = createTruthClient(devnet.rpcUrl)
    await truth.request({ method: 'evm_mine' as never, params: [] as never })
    const minedHead = await truth.getBlockNumber({ cacheTime: 0 })
    await waitFor(async () => (await status()).stalled, 60_000, 'indexerStatus.stalled')
    expect(await readyz()).toBe(503)
    expect(await stalledGauge()).toBe('1')
    const stalled = await status()
    expect(stalled.consecutiveFailures).toBeGreaterThanOrEqual(STALL_AFTER)
    expect(stalled.stalledSince).toBeTruthy()
    expect(stalled.lastError).toMatchObject({ code: 'DATABASE', message: expect.stringContaining('injected commit failure') })
    // two more failed attempts after the limit: they must not log another error (nor a stack)
    await waitFor(async () => (await status()).consecutiveFailures >= STALL_AFTER + 2, 60_000, 'two more failed attempts')
    const lines = output.slice(logFrom).split('\n')
    const errors = lines.filter((l) => l.includes('"level":50'))
    expect(errors, errors.join('\n')).toHaveLength(1)
    expect(errors[0]).toContain('Chain stalled')
    expect(errors[0]).toContain('injected commit failure')
    expect(lines.filter((l) => l.includes('"stack"'))).toHaveLength(1)

    // 3. Commits work again: ready, not stalled, the mined block indexed; lastError stays as history.
    await admin.query('DROP TRIGGER test_fail_commit ON "Checkpoint"')
    await waitFor(async () => (await readyz()) === 200, 60_000, '/readyz 200 once commits work again')
    // /readyz answers from the indexer's memory; indexerStatus from the Chain row, written right after the step that
    // succeeded (chainHealth's queued write): it may trail /readyz by that one write (seen once in CI)
    await waitFor(async () => (await status()).consecutiveFailures === 0, 10_000, 'consecutiveFailures back to 0 in the Chain row')
    const recovered = await status()
    expect(recovered).toMatchObject({ consecutiveFailures: 0, stalled: false, stalledSince: null, lastError: { code: 'DATABASE' } })
    expect(BigInt(recovered.indexedBlock!)).toBeGreaterThanOrEqual(minedHead)
    expect(await stalledGauge()).toBe('0')
    expect(output.slice(logFrom)).toContain('Chain recovered')
  } finally {
    await admin.end()
    proc.child.kill('SIGKILL')
    await proc.exited
  }
})
