/**
 * Deferred secondary indexes (src/db/deferredIndexes.ts) as a new deployment lives them, on PostgreSQL and PGlite:
 * the real indexer backfills the real workload (schemas, linked attestations, `attestBatch`, revocations, delegated
 * and off-chain attestations) from the real contract on anvil into a fresh database. While it backfills, the
 * secondary indexes of "Attestation" and "Recipient" are absent and the indexer is not ready; once it has caught up,
 * every index is back with the definition the migrations gave it, and the database equals the contract. A restart in
 * the middle keeps them deferred and builds them when caught up; with two chains, the first caught up waits for the
 * other; a database that already holds attestations never drops one; an upgrade whose migration touches a deferred
 * index builds it first.
 */
import { cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { PGlite } from '@electric-sql/pglite'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createDb, type Db } from '../src/db/createDb.js'
import { buildDeferredIndexes, DEFERRABLE_TABLES, deferIndexes, KEPT_INDEXES, listDeferredIndexes } from '../src/db/deferredIndexes.js'
import { applyMigrations, getPgliteExtensions, MIGRATIONS_DIR, type MigrationTarget } from '../src/db/migrate.js'
import { createWorkload, type Devnet, startDevnet } from '../src/devnet/index.js'
import { PrismaClient } from '../src/generated/prisma/client.js'
import { createIndexer } from '../src/sync/createIndexer.js'
import { createTestCommon } from './helpers/common.js'
import { createTestDatabase } from './helpers/database.js'
import { ENQUEUE_CHILDREN_SQL } from '../src/verify/runVerificationBatch.js'
import { createTruthClient, waitForGroundTruth } from './helpers/groundTruth.js'
import { devnetChain } from './helpers/runIndexerToHead.js'

type Sql = Pick<PrismaClient, '$queryRawUnsafe'>

/** every index of the deferrable tables, name → definition */
async function indexDefinitions(prisma: Sql): Promise<Map<string, string>> {
  const rows = await prisma.$queryRawUnsafe<{ name: string; definition: string }[]>(
    `SELECT i.relname AS name, pg_get_indexdef(i.oid) AS definition
     FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
     WHERE x.indrelid = ANY($1::regclass[]) ORDER BY 1`,
    DEFERRABLE_TABLES.map((t) => `"${t}"`),
  )
  return new Map(rows.map((r) => [r.name, r.definition]))
}

const kinds = ['postgres', 'pglite'] as const

describe.each(kinds)('deferred secondary indexes (%s)', (kind) => {
  let devnet: Devnet
  const cleanups: (() => Promise<void>)[] = []
  /** the indexes a freshly migrated database has: what every database must have once caught up */
  let migrated: Map<string, string>

  /** a fresh, migrated PostgreSQL database, and `session()` for another connected session on it (the caller ends it) */
  const openPostgres = async () => {
    const database = await createTestDatabase('deferred_indexes')
    cleanups.push(() => database.drop())
    const db = await createDb({ databaseUrl: database.url })
    cleanups.push(() => db.close())
    const session = async () => {
      const client = new pg.Client({ connectionString: database.url })
      await client.connect()
      return client
    }
    return { db, session }
  }

  const openDb = async (): Promise<Db> => {
    if (kind === 'postgres') return (await openPostgres()).db
    const dir = await mkdtemp(join(tmpdir(), 'sign-deferred-'))
    cleanups.push(() => rm(dir, { recursive: true, force: true }))
    const db = await createDb({ dataDir: join(dir, 'pglite') })
    cleanups.push(() => db.close())
    return db
  }

  beforeAll(async () => {
    devnet = await startDevnet({ port: 0 })
    const workload = createWorkload({ rpcUrl: devnet.rpcUrl, address: devnet.address })
    await workload.seedScenario()
    await workload.seedBulk({ attestations: 600, perTx: 50 })
    const db = await openDb()
    migrated = await indexDefinitions(db.prisma)
  }, 120_000)

  afterAll(async () => {
    for (const c of cleanups.reverse()) await c().catch(() => {})
    await devnet?.stop()
  })

  const converge = (db: Db, chain: Devnet = devnet) =>
    waitForGroundTruth({
      prisma: db.prisma,
      chainId: chain.chainId,
      client: createTruthClient(chain.rpcUrl),
      contract: chain.address,
      fromBlock: chain.deployBlock,
      timeoutMs: 90_000,
    })

  /** an indexer that backfills `chain` two blocks a range and is stopped after its third commit: a backfill cut short */
  const backfillPart = async (db: Db, chain: Devnet = devnet) => {
    let commits = 0
    const indexer = createIndexer({
      prisma: db.prisma,
      writer: db.writer,
      chains: [devnetChain(chain, { maxBlockRange: 2 })],
      common: createTestCommon(),
      parallelRanges: 1,
      onCommit: () => {
        if (++commits === 3) indexer.stop()
      },
    })
    await indexer.run()
    return (await db.prisma.checkpoint.findUnique({ where: { chainId: chain.chainId } }))!.blockNumber
  }

  const untilBuilt = async (db: Db, isReady: () => boolean) => {
    const deadline = Date.now() + 90_000
    while ((await listDeferredIndexes(db.prisma)).length || !isReady()) {
      if (Date.now() > deadline) throw new Error(`deferred indexes never built: ${(await listDeferredIndexes(db.prisma)).join(', ')}`)
      await new Promise((r) => setTimeout(r, 100))
    }
  }

  it('a fresh database backfills without them and has every one back as migrated once caught up', async () => {
    const db = await openDb()
    const deferrable = [...migrated.keys()].filter((n) => !n.endsWith('_pkey') && !(KEPT_INDEXES as readonly string[]).includes(n))
    expect(deferrable.length).toBeGreaterThanOrEqual(15)
    let during: Promise<{ deferred: string[]; present: string[] }> | undefined
    const indexer = createIndexer({
      prisma: db.prisma,
      writer: db.writer,
      chains: [devnetChain(devnet)],
      common: createTestCommon(),
      // the first commit with rows: what the database holds while the backfill goes on
      onCommit: () => {
        during ??= (async () => {
          const [deferred, present] = await Promise.all([listDeferredIndexes(db.prisma), indexDefinitions(db.prisma)])
          return { deferred, present: [...present.keys()] }
        })()
      },
    })
    const running = indexer.run()
    try {
      expect(await converge(db)).toEqual([])
      await untilBuilt(db, indexer.isReady)
    } finally {
      indexer.stop()
      await running
    }
    const seen = await during!
    expect(seen.deferred.sort()).toEqual(deferrable.sort())
    for (const name of deferrable) expect(seen.present).not.toContain(name)
    for (const name of KEPT_INDEXES) expect(seen.present).toContain(name)
    expect(await indexDefinitions(db.prisma)).toEqual(migrated)
    // it holds attestations now: nothing is dropped again
    expect(await deferIndexes(db.prisma)).toEqual([])
    expect(await indexDefinitions(db.prisma)).toEqual(migrated)
  }, 180_000)

  it("while deferred, the verify stage's lookup of the attestations linked to one stays on an index (20,000 rows)", async () => {
    const db = await openDb()
    expect((await deferIndexes(db.prisma)).length).toBeGreaterThanOrEqual(15)
    // rows in the shape the indexer writes, every 10th linked to the one before it, as a backfill leaves them
    await db.prisma.$executeRawUnsafe(`
      INSERT INTO "Attestation" ("chainId", "attestationId", "schemaId", "linkedAttestationId", "attestTimestamp",
        "revokeTimestamp", "attester", "validUntil", "dataLocation", "revoked", "recipientsRaw", "data", "indexingKey",
        "txHash", "txFrom", "blockNumber", "blockHash", "blockTimestamp", "logIndex")
      SELECT 1, i, 1, CASE WHEN i % 10 = 0 THEN i - 1 END, 1700000000 + i, 0, '0x' || lpad(to_hex(i % 7), 40, '0'), 0, 0,
        false, '{}', '0x', '', '0x', '0x', i / 100, '0x', 1700000000 + i, (i % 100)::int
      FROM generate_series(1, 20000) AS i`)
    const plan = await db.prisma.$transaction(async (tx) => {
      await tx.$executeRawUnsafe('ANALYZE "Attestation"')
      const rows = await tx.$queryRawUnsafe<Record<string, string>[]>(`EXPLAIN ${ENQUEUE_CHILDREN_SQL}`, [1], ['9'], [true])
      return rows.map((r) => Object.values(r)[0]).join('\n')
    })
    // by an index condition on the link, not by reading the chain's rows (every verification batch would)
    expect(plan).toMatch(/Index Cond: .*"linkedAttestationId" = /)
    expect(plan).not.toMatch(/Seq Scan on "Attestation"/)
    await buildDeferredIndexes(db.prisma)
  }, 120_000)

  it('a restart in the middle keeps them deferred and builds them once caught up', async () => {
    const db = await openDb()
    const checkpoint = await backfillPart(db)
    const head = await createTruthClient(devnet.rpcUrl).getBlockNumber({ cacheTime: 0 })
    expect(checkpoint).toBeLessThan(head) // stopped in the middle of the backfill
    const deferred = await listDeferredIndexes(db.prisma)
    expect(deferred.length).toBeGreaterThanOrEqual(15)

    const restarted = createIndexer({ prisma: db.prisma, writer: db.writer, chains: [devnetChain(devnet)], common: createTestCommon() })
    const running = restarted.run()
    try {
      expect(await converge(db)).toEqual([])
      await untilBuilt(db, restarted.isReady)
    } finally {
      restarted.stop()
      await running
    }
    expect(await indexDefinitions(db.prisma)).toEqual(migrated)
  }, 180_000)

  it('one indexer, two chains: the one that catches up first does not build them while the other still backfills', async () => {
    // chain 31338, small: caught up within a few ranges. The shared chain 31337 behind 1,500 more (empty) blocks, two
    // a range: hundreds of commits still to go when the small one is done.
    const small = await startDevnet({ port: 0, chainId: 31338, spAddress: '0x5151515151515151515151515151515151515151' }) // SP copied: chain 31338
    cleanups.push(() => small.stop())
    await createWorkload({ rpcUrl: small.rpcUrl, address: small.address }).seedScenario()
    const large = await startDevnet({ port: 0 })
    cleanups.push(() => large.stop())
    const largeWorkload = createWorkload({ rpcUrl: large.rpcUrl, address: large.address })
    await largeWorkload.seedScenario()
    const largeTruth = createTruthClient(large.rpcUrl)
    await largeTruth.request({ method: 'anvil_mine' as never, params: ['0x5dc'] as never })
    await largeWorkload.seedBulk({ attestations: 100, perTx: 50 }) // rows at the end, after the empty blocks
    const [smallHead, largeHead] = await Promise.all([
      createTruthClient(small.rpcUrl).getBlockNumber({ cacheTime: 0 }),
      largeTruth.getBlockNumber({ cacheTime: 0 }),
    ])

    const db = await openDb()
    const checkpointOf = async (chainId: number) => (await db.prisma.checkpoint.findUnique({ where: { chainId } }))?.blockNumber ?? -1n
    const indexer = createIndexer({
      prisma: db.prisma,
      writer: db.writer,
      chains: [devnetChain(large, { maxBlockRange: 2 }), devnetChain(small)],
      common: createTestCommon(),
      parallelRanges: 1,
    })
    const running = indexer.run()
    try {
      let smallDoneAt = -1n
      const deadline = Date.now() + 60_000
      for (;;) {
        if (Date.now() > deadline) throw new Error('the small chain never caught up')
        const [smallAt, largeAt] = await Promise.all([checkpointOf(small.chainId), checkpointOf(large.chainId)])
        if (smallAt >= smallHead) {
          smallDoneAt = largeAt
          break
        }
        await new Promise((r) => setTimeout(r, 20))
      }
      // another 200 blocks (100 commits) of the large chain: time enough for a build started by the small chain
      while ((await checkpointOf(large.chainId)) < smallDoneAt + 200n) {
        if (Date.now() > deadline) throw new Error('the large chain stopped moving')
        await new Promise((r) => setTimeout(r, 20))
      }
      const [deferred, largeAt] = await Promise.all([listDeferredIndexes(db.prisma), checkpointOf(large.chainId)])
      expect(largeAt).toBeLessThan(largeHead) // still backfilling
      expect(deferred.length).toBeGreaterThanOrEqual(15)
      expect(indexer.isReady()).toBe(false)

      expect(await converge(db, small)).toEqual([])
      expect(await converge(db, large)).toEqual([])
      await untilBuilt(db, indexer.isReady)
    } finally {
      indexer.stop()
      await running
    }
    expect(await indexDefinitions(db.prisma)).toEqual(migrated)
  }, 180_000)

  it.skipIf(kind === 'pglite')(
    'caught up but with its indexes not built yet, the indexer is not ready',
    async () => {
      const { db, session } = await openPostgres()
      const checkpoint = await backfillPart(db)
      expect((await listDeferredIndexes(db.prisma)).length).toBeGreaterThanOrEqual(15)
      // another session holds "Recipient" against CREATE INDEX: the build waits (and retries) while the chain is caught up
      const holder = await session()
      await holder.query('BEGIN')
      await holder.query('LOCK TABLE "Recipient" IN ROW EXCLUSIVE MODE')
      const indexer = createIndexer({ prisma: db.prisma, writer: db.writer, chains: [devnetChain(devnet)], common: createTestCommon() })
      const running = indexer.run()
      try {
        expect(await converge(db)).toEqual([])
        expect((await db.prisma.checkpoint.findUnique({ where: { chainId: devnet.chainId } }))!.blockNumber).toBeGreaterThan(checkpoint)
        const seen = new Set<boolean>()
        for (let i = 0; i < 20; i++) {
          seen.add(indexer.isReady())
          await new Promise((r) => setTimeout(r, 100))
        }
        expect([...seen]).toEqual([false])
        expect((await listDeferredIndexes(db.prisma)).length).toBeGreaterThan(0)
        await holder.query('COMMIT')
        await untilBuilt(db, indexer.isReady) // ready once they are built
      } finally {
        await holder.end().catch(() => {})
        indexer.stop()
        await running
      }
      expect(await indexDefinitions(db.prisma)).toEqual(migrated)
    },
    180_000,
  )

  it('a reorg that reaches a backfill with deferred indexes builds them before it rolls back', async () => {
    // a chain of its own: the reorg replaces most of it
    const own = await startDevnet({ port: 0 })
    cleanups.push(() => own.stop())
    await createWorkload({ rpcUrl: own.rpcUrl, address: own.address }).seedScenario()
    const db = await openDb()
    const checkpoint = await backfillPart(db, own)
    expect((await listDeferredIndexes(db.prisma)).length).toBeGreaterThanOrEqual(15)
    // the committed blocks are replaced: the next indexer must roll back before it can go on
    const truth = createTruthClient(own.rpcUrl)
    const head = await truth.getBlockNumber({ cacheTime: 0 })
    await truth.request({ method: 'anvil_reorg' as never, params: [Number(head - checkpoint + 1n), []] as never })

    let last = checkpoint
    let atRollback: Promise<string[]> | undefined
    const second = createIndexer({
      prisma: db.prisma,
      writer: db.writer,
      chains: [devnetChain(own)],
      common: createTestCommon(),
      onCommit: (e) => {
        // a rollback reports its ancestor, below what was committed: what is deferred right after it?
        if (e.toBlock < last) atRollback ??= listDeferredIndexes(db.prisma)
        last = e.toBlock
      },
    })
    const running = second.run()
    try {
      expect(await converge(db, own)).toEqual([])
      await untilBuilt(db, second.isReady)
    } finally {
      second.stop()
      await running
    }
    expect(atRollback).toBeDefined()
    // the rollups' delete triggers look up each key's remaining rows: the indexes were there for them
    expect(await atRollback).toEqual([])
    expect(await indexDefinitions(db.prisma)).toEqual(migrated)
  }, 180_000)

  it.skipIf(kind === 'pglite')(
    'a fresh database whose tables another session is in keeps every index, and is not held up',
    async () => {
      const { db, session } = await openPostgres()
      // e.g. a verifier's open transaction that read the table: DROP INDEX would wait for it (and every reader after
      // us would queue behind the DROP); it gives up after about a second instead
      const other = await session()
      try {
        await other.query('BEGIN')
        await other.query('SELECT count(*) FROM "Attestation"')
        expect(await deferIndexes(db.prisma)).toEqual([])
        expect(await indexDefinitions(db.prisma)).toEqual(migrated)
        expect(await listDeferredIndexes(db.prisma)).toEqual([])
      } finally {
        await other.query('ROLLBACK')
        await other.end()
      }
    },
    60_000,
  )

  it('two processes building the same deferred indexes at once both succeed, each index built once', async () => {
    const db = await openDb()
    const deferred = await deferIndexes(db.prisma)
    expect(deferred.length).toBeGreaterThanOrEqual(15)
    const [a, b] = await Promise.all([buildDeferredIndexes(db.prisma, { parallel: 2 }), buildDeferredIndexes(db.prisma, { parallel: 2 })])
    expect(a.built + b.built).toBe(deferred.length)
    expect(await listDeferredIndexes(db.prisma)).toEqual([])
    expect(await indexDefinitions(db.prisma)).toEqual(migrated)
  }, 120_000)

  it('with deferIndexes false, a fresh database keeps every index throughout', async () => {
    const db = await openDb()
    let during: Promise<Map<string, string>> | undefined
    const indexer = createIndexer({
      prisma: db.prisma,
      writer: db.writer,
      chains: [devnetChain(devnet)],
      common: createTestCommon(),
      deferIndexes: false,
      onCommit: () => {
        during ??= indexDefinitions(db.prisma)
      },
    })
    const running = indexer.run()
    try {
      expect(await converge(db)).toEqual([])
    } finally {
      indexer.stop()
      await running
    }
    expect(await during!).toEqual(migrated)
    expect(await listDeferredIndexes(db.prisma)).toEqual([])
  }, 180_000)

  it('an upgrade whose migration renames a deferred index builds the deferred ones first', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sign-deferred-migrations-'))
    cleanups.push(() => rm(dir, { recursive: true, force: true }))
    let target: MigrationTarget
    if (kind === 'postgres') {
      const database = await createTestDatabase('deferred_upgrade')
      cleanups.push(() => database.drop())
      target = { kind: 'postgres', url: database.url }
    } else {
      const pglite = new PGlite({ dataDir: join(dir, 'pglite'), extensions: await getPgliteExtensions() })
      await pglite.waitReady
      cleanups.push(() => pglite.close())
      target = { kind: 'pglite', db: pglite }
    }
    await applyMigrations(target)
    const { PrismaPg } = await import('@prisma/adapter-pg')
    const { PrismaPGlite } = await import('pglite-prisma-adapter')
    const prisma = new PrismaClient({
      adapter: (target.kind === 'postgres' ? new PrismaPg({ connectionString: target.url }) : new PrismaPGlite(target.db)) as never,
    })
    cleanups.push(() => prisma.$disconnect())
    expect((await deferIndexes(prisma)).length).toBeGreaterThanOrEqual(15)

    // release N+1: every migration of this one, and one more that renames an index this backfill deferred
    const next = join(dir, 'migrations')
    await cp(MIGRATIONS_DIR, next, { recursive: true })
    await mkdir(join(next, '29991231000000_rename_index'))
    await writeFile(
      join(next, '29991231000000_rename_index', 'migration.sql'),
      'ALTER INDEX "Attestation_chainId_attester_attestationId_idx" RENAME TO "Attestation_attester_renamed_idx";\n',
    )
    expect(await applyMigrations(target, { migrationsDir: next })).toEqual(['29991231000000_rename_index'])
    expect(await listDeferredIndexes(prisma)).toEqual([])
    const names = [...(await indexDefinitions(prisma)).keys()]
    expect(names).toContain('Attestation_attester_renamed_idx')
    expect(names.sort()).toEqual(
      [...migrated.keys()].map((n) => (n === 'Attestation_chainId_attester_attestationId_idx' ? 'Attestation_attester_renamed_idx' : n)).sort(),
    )
    // nothing left to build
    expect(await buildDeferredIndexes(prisma)).toEqual({ built: 0, ms: 0 })
  }, 120_000)
})
