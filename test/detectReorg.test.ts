/**
 * Reorg detection concludes a reorg only from what the node says about a block, never from a failed request: an RPC
 * outage while the checkpoint's hash is compared used to read as "no stored block is canonical" and rolled the chain
 * back to its start block (then re-indexed everything, or failed the rollback forever).
 */
import { afterAll, beforeAll, expect, it } from 'vitest'
import { createChainClient } from '../src/chain/createChainClient.js'
import { createMetrics } from '../src/common/metrics.js'
import { createDb, type Db } from '../src/db/createDb.js'
import { type Devnet, startDevnet } from '../src/devnet/index.js'
import { detectReorg } from '../src/sync/detectReorg.js'
import { createTestDatabase, type TestDatabase } from './helpers/database.js'
import { createFaultProxy, type FaultProxy } from './helpers/faultProxy.js'

let devnet: Devnet
let database: TestDatabase
let db: Db
let proxy: FaultProxy

beforeAll(async () => {
  devnet = await startDevnet({ port: 0 })
  database = await createTestDatabase('detect_reorg')
  db = await createDb({ databaseUrl: database.url })
  proxy = await createFaultProxy({ target: devnet.rpcUrl, seed: 3, rates: {} })
})

afterAll(async () => {
  await proxy?.close()
  await db?.close()
  await database?.drop()
  await devnet?.stop()
})

it('fails the step when the node cannot be asked, and still sees a checkpoint beyond the head as a reorg', async () => {
  const client = createChainClient({ chainId: devnet.chainId, rpcUrls: [proxy.url], retryCount: 0, metrics: createMetrics() })
  const block = await client.getBlock({ blockNumber: devnet.deployBlock })
  await db.prisma.checkpoint.create({ data: { chainId: devnet.chainId, blockNumber: block.number, blockHash: block.hash } })
  await db.prisma.block.create({
    data: { chainId: devnet.chainId, number: block.number - 1n, hash: `0x${'11'.repeat(32)}`, parentHash: `0x${'22'.repeat(32)}`, timestamp: 0n },
  })

  expect(await detectReorg(db.prisma, client, devnet.chainId, 1n)).toBeNull()
  proxy.setRates({ serverError: 1 })
  await expect(detectReorg(db.prisma, client, devnet.chainId, 1n)).rejects.toThrow(/HTTP request failed/)
  proxy.setRates({})

  // a checkpoint the node has never heard of (beyond its head): a real reorg, found as before
  await db.prisma.checkpoint.update({ where: { chainId: devnet.chainId }, data: { blockNumber: 10_000n, blockHash: `0x${'33'.repeat(32)}` } })
  const reorg = await detectReorg(db.prisma, client, devnet.chainId, 1n)
  expect(reorg?.from.number).toBe(10_000n)
})
