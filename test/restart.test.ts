/**
 * Stopping and restarting in the middle of a backfill loses nothing and doubles nothing — on PostgreSQL and on
 * the embedded PGlite (closed and reopened on the same directory, as `npm start` does across runs).
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createDb, type Db } from '../src/db/createDb.js'
import { createWorkload, type Devnet, startDevnet } from '../src/devnet/index.js'
import { createIndexer } from '../src/sync/createIndexer.js'
import { createTestDatabase } from './helpers/database.js'
import { createTruthClient, diffWithGroundTruth, readGroundTruth } from './helpers/groundTruth.js'
import { devnetChain, runIndexerToHead } from './helpers/runIndexerToHead.js'
import { createTestCommon } from './helpers/common.js'

let devnet: Devnet
let head: bigint

beforeAll(async () => {
  devnet = await startDevnet({ port: 0 })
  const workload = createWorkload({ rpcUrl: devnet.rpcUrl, address: devnet.address })
  await workload.seedScenario()
  await workload.seedBulk({ attestations: 600, perTx: 20, txPerBlock: 1 })
  head = await createTruthClient(devnet.rpcUrl).getBlockNumber({ cacheTime: 0 })
})

afterAll(async () => {
  await devnet?.stop()
})

/** Runs the indexer until its checkpoint passes `block`, then stops it mid-backfill. */
async function indexUntil(db: Db, block: bigint) {
  const chain = devnetChain(devnet, { maxBlockRange: 2 })
  const indexer = createIndexer({ prisma: db.prisma, writer: db.writer, chains: [chain], common: createTestCommon(), parallelRanges: 3 })
  const running = indexer.run()
  for (;;) {
    const cp = await db.prisma.checkpoint.findUnique({ where: { chainId: devnet.chainId } })
    if (cp && cp.blockNumber >= block) break
    await new Promise((r) => setTimeout(r, 5))
  }
  indexer.stop()
  await running
  return (await db.prisma.checkpoint.findUniqueOrThrow({ where: { chainId: devnet.chainId } })).blockNumber
}

async function assertComplete(db: Db) {
  const truth = await readGroundTruth(createTruthClient(devnet.rpcUrl), devnet.address, devnet.deployBlock)
  expect(await diffWithGroundTruth(db.prisma, devnet.chainId, truth)).toEqual([])
  const events = await db.prisma.event.groupBy({ by: ['kind', 'subjectType', 'subjectId'], _count: true, where: { chainId: devnet.chainId } })
  expect(events.filter((e) => e._count !== 1)).toEqual([])
  expect(events.filter((e) => e.subjectType === 'ATTESTATION' && e.kind === 'CREATED').length).toBe(truth.attestations.size)
}

describe('restart in the middle of a backfill', () => {
  it('PostgreSQL: resumes from the checkpoint with no gap and no duplicate', async () => {
    const database = await createTestDatabase('restart')
    try {
      let db = await createDb({ databaseUrl: database.url })
      const mid = devnet.deployBlock + (head - devnet.deployBlock) / 2n
      const stoppedAt = await indexUntil(db, mid)
      expect(stoppedAt).toBeLessThan(head)
      await db.close()
      db = await createDb({ databaseUrl: database.url })
      await runIndexerToHead(db, devnetChain(devnet, { maxBlockRange: 5 }))
      await assertComplete(db)
      await db.close()
    } finally {
      await database.drop()
    }
  })

  it('PGlite: close and reopen the data directory mid-backfill', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sign-indexer-pglite-'))
    try {
      let db = await createDb({ dataDir: join(dir, 'pglite') })
      const stoppedAt = await indexUntil(db, devnet.deployBlock + (head - devnet.deployBlock) / 3n)
      expect(stoppedAt).toBeLessThan(head)
      await db.close()
      db = await createDb({ dataDir: join(dir, 'pglite') })
      await runIndexerToHead(db, devnetChain(devnet, { maxBlockRange: 50 }))
      await assertComplete(db)
      await db.close()
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })
})
