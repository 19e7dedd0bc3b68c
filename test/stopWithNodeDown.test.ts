/**
 * An operator stops the indexer while its node is down (the node crashed, or a terminal's Ctrl-C reached the embedded
 * devnet's anvil first): the stop is not held up by the RPC governor's backoff (6 retries, up to ~20 s before). The
 * real CLI (`index`, spawned) follows a real devnet on PostgreSQL; the devnet is stopped, the indexer is seen retrying,
 * then it gets SIGINT: it exits 0 and no request is retried after "Shutting down".
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { createWorkload, type Devnet, startDevnet } from '../src/devnet/index.js'
import { createTestDatabase, type TestDatabase } from './helpers/database.js'
import { spawnIndexer, waitForOutput, writeChainConfig } from './helpers/indexerProcess.js'

let devnet: Devnet
let database: TestDatabase
let dir: string

beforeAll(async () => {
  devnet = await startDevnet({ port: 0 })
  await createWorkload({ rpcUrl: devnet.rpcUrl, address: devnet.address }).seedScenario()
  database = await createTestDatabase('sitest_stop_node_down')
  dir = await mkdtemp(join(tmpdir(), 'stop-node-down-'))
})

afterAll(async () => {
  await devnet?.stop()
  await database?.drop()
  if (dir) await rm(dir, { recursive: true, force: true })
})

it('SIGINT while the node is down: exit 0 without waiting out the RPC retries', async () => {
  const config = await writeChainConfig(join(dir, 'config.json'), {
    rpcUrl: devnet.rpcUrl,
    chainId: devnet.chainId,
    contract: devnet.address,
    startBlock: devnet.deployBlock,
    maxBlockRange: 2_000,
    pollIntervalMs: 100,
  })
  const proc = spawnIndexer(config, database.url, ['--log-level', 'debug'])
  try {
    await proc.ready
    // following the head (a backfill's pending fetches are dropped at a stop anyway; a head poll is awaited)
    expect(await waitForOutput(proc, 'Backfill complete, following the head', 60_000), proc.output()).toBe(true)
    const retrying = waitForOutput(proc, '"msg":"Retrying RPC request"', 60_000)
    await devnet.stop()
    expect(await retrying, proc.output()).toBe(true) // the next poll met the dead node and is backing off
    proc.child.kill('SIGINT')
    expect(await proc.exited, proc.output()).toBe(0)
    const afterStop = proc.output().split('"msg":"Shutting down"')[1]
    expect(afterStop, proc.output()).toBeDefined()
    expect(afterStop).not.toContain('Retrying RPC request')
  } finally {
    proc.child.kill('SIGKILL')
  }
})
