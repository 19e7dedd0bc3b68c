/**
 * Faulty RPCs: the indexer reads the real contract through a fault-injecting proxy (10 % of requests hit by each
 * fault kind: delays, 429 with and without Retry-After, 5xx, connection resets, timeouts, truncated and corrupt
 * bodies, provider range errors on eth_getLogs, a lagging head). The database must end up exactly as a clean run's:
 * equal to the ground truth read from the contract without the proxy.
 */
import { afterAll, beforeAll, expect, it } from 'vitest'
import { createDb } from '../src/db/createDb.js'
import { createWorkload, type Devnet, startDevnet } from '../src/devnet/index.js'
import { createIndexer } from '../src/sync/createIndexer.js'
import { createTestDatabase } from './helpers/database.js'
import { createFaultProxy, FAULT_KINDS, type FaultProxy } from './helpers/faultProxy.js'
import { createTruthClient, diffWithGroundTruth, readGroundTruth } from './helpers/groundTruth.js'
import { devnetChain } from './helpers/runIndexerToHead.js'
import { createTestCommon } from './helpers/common.js'

const SEED = Number(process.env.FAULT_SEED ?? 7)
const RATE = Number(process.env.FAULT_RATE ?? 0.1)

let devnet: Devnet
let proxy: FaultProxy
let database: { url: string; drop(): Promise<void> }

beforeAll(async () => {
  devnet = await startDevnet({ port: 0 })
  const workload = createWorkload({ rpcUrl: devnet.rpcUrl, address: devnet.address })
  await workload.seedScenario()
  // 600 attestations in 12 blocks: every fault kind still fires a hundred times or more, and the run stays inside
  // its deadline (1,000 took 187–421 s here: each injected timeout costs the 1.5 s RPC timeout, at concurrency 1 once
  // the governor has backed off)
  await workload.seedBulk({ attestations: 600, perTx: 50, txPerBlock: 1 })
  proxy = await createFaultProxy({ target: devnet.rpcUrl, seed: SEED, rates: Object.fromEntries(FAULT_KINDS.map((k) => [k, RATE])), lagBlocks: 3 })
  database = await createTestDatabase('faults')
})

afterAll(async () => {
  await proxy?.close()
  await database?.drop()
  await devnet?.stop()
})

it(`ends equal to the ground truth with ${RATE * 100} % of every fault kind (seed ${SEED})`, async () => {
  const db = await createDb({ databaseUrl: database.url })
  const chain = devnetChain({ ...devnet, rpcUrl: proxy.url }, { maxBlockRange: 20 })
  const indexer = createIndexer({ prisma: db.prisma, writer: db.writer, chains: [chain], common: createTestCommon(), rpcTimeoutMs: 1_500 })
  const running = indexer.run()
  const truthClient = createTruthClient(devnet.rpcUrl)
  const truth = await readGroundTruth(truthClient, devnet.address, devnet.deployBlock)
  const head = await truthClient.getBlockNumber({ cacheTime: 0 })
  try {
    // 11 fault kinds at 10 % each (a timeout costs the 1.5 s RPC timeout): two in three requests fail, and the run
    // took 188 s alone and 449 s in a full suite run on the same machine (2026-12-07), so the deadline leaves room
    const deadline = Date.now() + 720_000
    let diffs: string[] = ['not started']
    while (Date.now() < deadline) {
      const cp = await db.prisma.checkpoint.findUnique({ where: { chainId: devnet.chainId } })
      if (cp && cp.blockNumber >= head - 3n) {
        // the lagging node may hold the checkpoint a few blocks short for a while; everything is below that
        diffs = await diffWithGroundTruth(db.prisma, devnet.chainId, truth)
        if (!diffs.length && cp.blockNumber === head) break
      }
      await new Promise((r) => setTimeout(r, 250))
    }
    expect(diffs).toEqual([])
    expect(await db.prisma.skippedLog.count()).toBe(0)
    const stats = proxy.stats()
    // Whole-request faults hit any request; `lagging` and `rangeError` only hit head / multi-block getLogs requests,
    // whose number depends on timing, so they are counted but not required.
    for (const kind of FAULT_KINDS.filter((k) => k !== 'lagging' && k !== 'rangeError')) expect(stats[kind], `fault ${kind} never fired`).toBeGreaterThan(0)
    console.log('faults injected:', JSON.stringify(stats))
  } finally {
    indexer.stop()
    await running
    await db.close()
  }
}, 780_000)
