/**
 * The node's `eth_chainId` must be the configured chain id. The real CLI (`index`):
 * - configured as chain 1 against the devnet (31337): refuses to start (exit 1, CHAIN_ID_MISMATCH), indexes nothing;
 * - configured right, then its RPC connection drops and comes back to a node of another chain (the fault proxy
 *   resets requests and switches its upstream): the chain stalls with CHAIN_ID_MISMATCH in its `Chain` row and ONE
 *   error log; nothing is committed or rolled back (the other node's blocks would read as a reorg); the process keeps
 *   running, and resumes once the node is the right one again.
 */
import { afterAll, beforeAll, expect, it } from 'vitest'
import { createDb, type Db } from '../src/db/createDb.js'
import {
  type AnvilInstance,
  createDevClients,
  createSpWriter,
  createWorkload,
  type Devnet,
  schemaJson,
  SCORE_FIELDS,
  startAnvil,
  startDevnet,
  tupleScore,
} from '../src/devnet/index.js'
import { createTestDatabase, type TestDatabase } from './helpers/database.js'
import { createFaultProxy, type FaultProxy } from './helpers/faultProxy.js'
import { waitFor } from './helpers/graphql.js'
import { createTruthClient } from './helpers/groundTruth.js'
import { spawnCli } from './helpers/indexerProcess.js'

let devnet: Devnet
let other: AnvilInstance
let database: TestDatabase
let db: Db
let proxy: FaultProxy

beforeAll(async () => {
  devnet = await startDevnet({ port: 0 })
  await createWorkload({ rpcUrl: devnet.rpcUrl, address: devnet.address }).seedScenario()
  other = await startAnvil({ port: 0, chainId: 5 })
  database = await createTestDatabase('chain_id')
  db = await createDb({ databaseUrl: database.url })
  proxy = await createFaultProxy({ target: devnet.rpcUrl, seed: 9, rates: {} })
})

afterAll(async () => {
  await proxy?.close()
  await db?.close()
  await database?.drop()
  await other?.stop()
  await devnet?.stop()
})

function spawnIndex(rpcUrl: string, chainId: number) {
  const proc = spawnCli(
    [
      'index',
      '--rpc-url',
      rpcUrl,
      '--chain-id',
      String(chainId),
      '--contract',
      devnet.address,
      '--start-block',
      String(devnet.deployBlock),
      '--confirmations',
      '0',
      '--database-url',
      database.url,
      '--log-level',
      'info',
    ],
    'Writer lock acquired',
  )
  let output = ''
  proc.child.stdout!.on('data', (d: Buffer) => {
    output += d.toString()
  })
  proc.child.stderr!.on('data', (d: Buffer) => {
    output += d.toString()
  })
  return { ...proc, all: () => output }
}

it('refuses to start when the node is on another chain than --chain-id', async () => {
  const proc = spawnIndex(devnet.rpcUrl, 1)
  try {
    const code = await Promise.race([proc.exited, new Promise<'running'>((r) => setTimeout(() => r('running'), 60_000))])
    expect(code, proc.all()).toBe(1)
    expect(proc.all()).toContain('The RPC node answers eth_chainId 31337, but chain "ethereum" is configured as chain id 1')
    expect(proc.all()).toContain('CHAIN_ID_MISMATCH')
    expect(await db.prisma.checkpoint.findUnique({ where: { chainId: 1 } })).toBeNull()
    expect(await db.prisma.attestation.count({ where: { chainId: 1 } })).toBe(0)
    expect(await db.prisma.chain.findUnique({ where: { chainId: 1 } })).toMatchObject({ lastErrorCode: 'CHAIN_ID_MISMATCH' })
  } finally {
    proc.child.kill('SIGKILL')
  }
})

it('stalls, commits nothing and rolls nothing back after reconnecting to a node of another chain; resumes on the right one', async () => {
  const chainId = devnet.chainId
  const truth = createTruthClient(devnet.rpcUrl)
  const proc = spawnIndex(proxy.url, chainId)
  try {
    await proc.ready
    const head = await truth.getBlockNumber({ cacheTime: 0 })
    await waitFor(async () => ((await db.prisma.checkpoint.findUnique({ where: { chainId } }))?.blockNumber ?? -1n) >= head, 60_000, 'caught up')
    const before = {
      checkpoint: await db.prisma.checkpoint.findUnique({ where: { chainId } }),
      attestations: await db.prisma.attestation.count({ where: { chainId } }),
    }
    expect(before.attestations).toBeGreaterThan(0)

    // the other chain is longer: its blocks would read as a reorg of ours, then as new blocks to index
    await createTruthClient(other.rpcUrl).request({ method: 'anvil_mine' as never, params: [`0x${(head + 20n).toString(16)}`] as never })
    const logFrom = proc.all().length
    proxy.setRates({ reset: 1 }) // the connection drops...
    await waitFor(() => proxy.stats().reset >= 1, 30_000, 'a dropped request')
    proxy.setTarget(other.rpcUrl) // ...and comes back to another node
    proxy.setRates({})

    await waitFor(
      async () => (await db.prisma.chain.findUnique({ where: { chainId } }))?.lastErrorCode === 'CHAIN_ID_MISMATCH',
      60_000,
      'CHAIN_ID_MISMATCH in the Chain row',
    )
    await new Promise((r) => setTimeout(r, 5_000)) // several poll intervals on the wrong node
    const row = await db.prisma.chain.findUnique({ where: { chainId } })
    expect(row?.stalledSince).toBeTruthy()
    expect(row?.lastError).toContain('answers eth_chainId 5')
    expect(row!.headBlock! <= head).toBe(true) // the other node's head was not recorded either
    expect(await db.prisma.checkpoint.findUnique({ where: { chainId } })).toMatchObject({
      blockNumber: before.checkpoint!.blockNumber,
      blockHash: before.checkpoint!.blockHash,
    })
    expect(await db.prisma.attestation.count({ where: { chainId } })).toBe(before.attestations)
    expect(proc.child.exitCode).toBeNull() // still running: it resumes when the node is fixed
    const errors = proc
      .all()
      .slice(logFrom)
      .split('\n')
      .filter((l) => l.includes('"level":50'))
    expect(errors, errors.join('\n')).toHaveLength(1)
    expect(errors[0]).toContain('CHAIN_ID_MISMATCH')

    // the right node again: a new attestation is indexed and the chain is no longer stalled
    proxy.setTarget(devnet.rpcUrl)
    const writer = createSpWriter(await createDevClients(devnet.rpcUrl), devnet.address)
    const schemaId = await writer.register(2, { data: schemaJson('chainid', 'chain id test', SCORE_FIELDS) })
    await writer.attest(2, { schemaId, data: tupleScore('back', 1n) }, 'back on the right chain')
    const newHead = await truth.getBlockNumber({ cacheTime: 0 })
    await waitFor(async () => ((await db.prisma.checkpoint.findUnique({ where: { chainId } }))?.blockNumber ?? -1n) >= newHead, 60_000, 'indexing resumed')
    await waitFor(async () => (await db.prisma.chain.findUnique({ where: { chainId } }))?.stalledSince === null, 10_000, 'no longer stalled')
    expect(await db.prisma.attestation.count({ where: { chainId } })).toBe(before.attestations + 1)
  } finally {
    proc.child.kill('SIGKILL')
    await proc.exited
  }
})
