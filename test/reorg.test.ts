/**
 * Reorgs on a real anvil with the real contract, while the real indexer follows the head (confirmations 0, the
 * most exposed setting). After each reorg the database must equal the ground truth read from the canonical chain,
 * and the journal must carry REMOVED entries for what disappeared.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createDb, type Db } from '../src/db/createDb.js'
import {
  createDevClients,
  createSpWriter,
  createWorkload,
  type Devnet,
  schemaJson,
  SCORE_FIELDS,
  type SpWriter,
  startDevnet,
  tupleScore,
} from '../src/devnet/index.js'
import { createIndexer, type Indexer } from '../src/sync/createIndexer.js'
import { createTestDatabase } from './helpers/database.js'
import { createTruthClient, diffWithGroundTruth, readGroundTruth } from './helpers/groundTruth.js'
import { devnetChain } from './helpers/runIndexerToHead.js'
import { createTestCommon } from './helpers/common.js'

let devnet: Devnet
let database: { url: string; drop(): Promise<void> }
let db: Db
let indexer: Indexer
let running: Promise<void>
let writer: SpWriter
let schemaId: bigint
const truthClient = () => createTruthClient(devnet.rpcUrl)
const rpc = (method: string, params: unknown[] = []) => truthClient().request({ method: method as never, params: params as never })

/** Waits until the database equals the canonical chain (or fails with the last differences). */
async function expectConverged(timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs
  let diffs: string[] = []
  for (;;) {
    const head = await truthClient().getBlockNumber({ cacheTime: 0 })
    const cp = await db.prisma.checkpoint.findUnique({ where: { chainId: devnet.chainId } })
    const block = cp
      ? await truthClient()
          .getBlock({ blockNumber: cp.blockNumber })
          .catch(() => null)
      : null
    if (cp && cp.blockNumber === head && block?.hash === cp.blockHash) {
      diffs = await diffWithGroundTruth(db.prisma, devnet.chainId, await readGroundTruth(truthClient(), devnet.address, devnet.deployBlock))
      if (!diffs.length) return
    }
    if (Date.now() > deadline) throw new Error(`not converged: checkpoint ${cp?.blockNumber} head ${head}; ${diffs.slice(0, 5).join('; ')}`)
    await new Promise((r) => setTimeout(r, 100))
  }
}

const attest = (name: string, score: bigint) => writer.attest(1, { schemaId, data: tupleScore(name, score) }, `reorg-${name}`)

beforeAll(async () => {
  devnet = await startDevnet({ port: 0 })
  await createWorkload({ rpcUrl: devnet.rpcUrl, address: devnet.address }).seedScenario()
  writer = createSpWriter(await createDevClients(devnet.rpcUrl), devnet.address)
  schemaId = await writer.register(1, { data: schemaJson('reorg', 'reorg tests', SCORE_FIELDS) })
  database = await createTestDatabase('reorg')
  db = await createDb({ databaseUrl: database.url })
  indexer = createIndexer({ prisma: db.prisma, writer: db.writer, chains: [devnetChain(devnet, { pollIntervalMs: 50 })], common: createTestCommon() })
  running = indexer.run()
  await expectConverged()
})

afterAll(async () => {
  indexer?.stop()
  await running
  await db?.close()
  await database?.drop()
  await devnet?.stop()
})

describe('reorgs while following the head', () => {
  it('depth 1: the replaced block is rolled back and re-ingested', async () => {
    await attest('d1', 1n)
    await expectConverged()
    await rpc('anvil_reorg', [1, []])
    await expectConverged()
  })

  it('replaces attestation #N with a different #N', async () => {
    const snapshot = await rpc('evm_snapshot')
    const id = await attest('original', 10n)
    await expectConverged()
    const before = await db.prisma.attestation.findUniqueOrThrow({ where: { chainId_attestationId: { chainId: devnet.chainId, attestationId: id } } })
    expect(before.decodedData).toEqual({ name: 'original', score: '10' })
    await rpc('evm_revert', [snapshot])
    await rpc('anvil_mine', ['0x2']) // the new branch is longer than the old one
    const replacement = await attest('replacement', 20n)
    expect(replacement).toBe(id)
    await expectConverged()
    const after = await db.prisma.attestation.findUniqueOrThrow({ where: { chainId_attestationId: { chainId: devnet.chainId, attestationId: id } } })
    expect(after.decodedData).toEqual({ name: 'replacement', score: '20' })
    expect(after.indexingKey).toBe('reorg-replacement')
    // ids are counters: an earlier test may have retracted another attestation with this id at another block
    const removed = await db.prisma.event.findMany({
      where: { chainId: devnet.chainId, kind: 'REMOVED', subjectType: 'ATTESTATION', subjectId: id.toString(), blockHash: before.blockHash },
    })
    expect(removed).toHaveLength(1)
  })

  it('removes a revocation that the new branch does not contain', async () => {
    const id = await attest('to-revoke', 3n)
    await expectConverged()
    const snapshot = await rpc('evm_snapshot')
    await writer.revoke(1, id, 'short-lived')
    await expectConverged()
    expect((await db.prisma.attestation.findUniqueOrThrow({ where: { chainId_attestationId: { chainId: devnet.chainId, attestationId: id } } })).revoked).toBe(
      true,
    )
    await rpc('evm_revert', [snapshot])
    await rpc('anvil_mine', ['0x3'])
    await expectConverged()
    const row = await db.prisma.attestation.findUniqueOrThrow({ where: { chainId_attestationId: { chainId: devnet.chainId, attestationId: id } } })
    expect(row).toMatchObject({ revoked: false, revokeReason: null, revokeTxHash: null })
    const revokedRow = await db.prisma.event.findFirstOrThrow({ where: { chainId: devnet.chainId, kind: 'REVOKED', subjectId: id.toString() } })
    const removed = await db.prisma.event.findMany({
      where: { chainId: devnet.chainId, kind: 'REMOVED', subjectId: id.toString(), blockHash: revokedRow.blockHash },
    })
    expect(removed).toHaveLength(1)
  })

  it('depth 20 while live, with new attestations on both branches', async () => {
    for (let i = 0; i < 10; i++) await attest(`old-${i}`, BigInt(i))
    await rpc('anvil_mine', ['0xa'])
    await expectConverged()
    await rpc('anvil_reorg', [20, []])
    for (let i = 0; i < 3; i++) await attest(`new-${i}`, BigInt(100 + i))
    await expectConverged()
    const journal = await db.prisma.event.findMany({ where: { chainId: devnet.chainId }, orderBy: { seq: 'asc' } })
    // every CREATED that is no longer canonical has exactly one REMOVED after it
    const live = new Map<string, number>()
    for (const e of journal) {
      const key = `${e.subjectType}:${e.subjectId}:${e.blockHash}:${e.logIndex}`
      live.set(key, (live.get(key) ?? 0) + (e.kind === 'REMOVED' ? -1 : 1))
    }
    expect([...live.values()].every((v) => v === 0 || v === 1)).toBe(true)
  })
})

describe('reorg during backfill', () => {
  it('depth 5 while the indexer is still catching up', async () => {
    const chainDevnet = await startDevnet({ port: 0 })
    const database2 = await createTestDatabase('reorg_backfill')
    const db2 = await createDb({ databaseUrl: database2.url })
    const truth = () => createTruthClient(chainDevnet.rpcUrl)
    try {
      const workload = createWorkload({ rpcUrl: chainDevnet.rpcUrl, address: chainDevnet.address })
      await workload.seedScenario()
      await workload.seedBulk({ attestations: 400, perTx: 10, txPerBlock: 1 })
      const head = await truth().getBlockNumber({ cacheTime: 0 })
      const backfill = createIndexer({
        prisma: db2.prisma,
        writer: db2.writer,
        chains: [devnetChain(chainDevnet, { maxBlockRange: 1, pollIntervalMs: 50 })],
        common: createTestCommon(),
        parallelRanges: 1,
      })
      const run = backfill.run()
      for (;;) {
        const cp = await db2.prisma.checkpoint.findUnique({ where: { chainId: chainDevnet.chainId } })
        if (cp && cp.blockNumber >= head - 3n) break
        await new Promise((r) => setTimeout(r, 5))
      }
      const before = await db2.prisma.checkpoint.findUniqueOrThrow({ where: { chainId: chainDevnet.chainId } })
      expect(before.blockNumber).toBeLessThan(head) // still backfilling
      await truth().request({ method: 'anvil_reorg' as never, params: [5, []] as never })
      const deadline = Date.now() + 60_000
      let diffs: string[] = ['not converged']
      while (Date.now() < deadline) {
        const cp = await db2.prisma.checkpoint.findUnique({ where: { chainId: chainDevnet.chainId } })
        const block = cp
          ? await truth()
              .getBlock({ blockNumber: cp.blockNumber })
              .catch(() => null)
          : null
        if (cp && block?.hash === cp.blockHash && cp.blockNumber === (await truth().getBlockNumber({ cacheTime: 0 }))) {
          diffs = await diffWithGroundTruth(db2.prisma, chainDevnet.chainId, await readGroundTruth(truth(), chainDevnet.address, chainDevnet.deployBlock))
          if (!diffs.length) break
        }
        await new Promise((r) => setTimeout(r, 100))
      }
      backfill.stop()
      await run
      expect(diffs).toEqual([])
      expect(await db2.prisma.event.count({ where: { kind: 'REMOVED' } })).toBeGreaterThan(0)
    } finally {
      await db2.close()
      await database2.drop()
      await chainDevnet.stop()
    }
  }, 120_000)
})
