/**
 * The verification queue under stress, on real parts (anvil + real SP contract, `attestBatch` seeding, the real
 * indexer into real PostgreSQL):
 * - a stalled verifier (its writes blocked by a table lock another session holds, its claims held open) does not
 *   hold ingestion back: the indexer reaches the head and commits everything while the jobs pile up; released, the
 *   verifier drains them (the indexing time is printed; speed is the benches' business, not an assertion);
 * - a batch that fails inside its transaction after writing verdicts, journal entries and lineage jobs leaves
 *   nothing behind: every job is retried, every attestation gets exactly one STATUS_CHANGED;
 * - the real CLI (`sign-indexer verify`) SIGKILLed while a batch transaction is open loses no job and writes no
 *   duplicate STATUS_CHANGED.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import pg from 'pg'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { createDb, type Db } from '../src/db/createDb.js'
import { createWorkload, type Devnet, startDevnet } from '../src/devnet/index.js'
import { createVerifier } from '../src/verify/index.js'
import { createTestDatabase, type TestDatabase } from './helpers/database.js'
import { waitFor } from './helpers/graphql.js'
import { devnetChain, runIndexerToHead } from './helpers/runIndexerToHead.js'
import { waitForQueueEmpty } from './helpers/verification.js'
import { createTestCommon } from './helpers/common.js'

const ATTESTATIONS = 3_000
const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..')

let devnet: Devnet
const opened: { database: TestDatabase; db: Db }[] = []

beforeAll(async () => {
  devnet = await startDevnet({ port: 0 })
  await createWorkload({ rpcUrl: devnet.rpcUrl, address: devnet.address }).seedBulk({ attestations: ATTESTATIONS, perTx: 100, txPerBlock: 5 })
}, 120_000)

afterAll(async () => {
  for (const { database, db } of opened) {
    await db.close()
    await database.drop()
  }
  await devnet?.stop()
})

async function openDatabase(name: string) {
  const database = await createTestDatabase(name)
  const db = await createDb({ databaseUrl: database.url })
  opened.push({ database, db })
  return { database, db }
}

async function timedIndexing(db: Db): Promise<number> {
  const started = performance.now()
  await runIndexerToHead(db, devnetChain(devnet, { maxBlockRange: 2_000 }), { timeoutMs: 90_000 })
  return performance.now() - started
}

/** Every attestation has exactly one verdict and exactly one STATUS_CHANGED, and no job is left. */
async function expectExactlyOnce(db: Db) {
  const attestations = await db.prisma.attestation.count()
  expect(attestations).toBe(ATTESTATIONS)
  expect(await db.prisma.verificationJob.count()).toBe(0)
  expect(await db.prisma.verification.count()).toBe(attestations)
  const perSubject = await db.prisma.event.groupBy({ by: ['subjectId'], where: { kind: 'STATUS_CHANGED' }, _count: { _all: true } })
  expect(perSubject.length).toBe(attestations)
  expect(perSubject.filter((g) => g._count._all !== 1)).toEqual([])
}

it('keeps ingesting to the head while the verifier is stalled, then drains the pile', async () => {
  const { database, db } = await openDatabase('vq_stalled')
  const blocker = new pg.Client({ connectionString: database.url })
  await blocker.connect()
  await blocker.query('BEGIN')
  await blocker.query('LOCK TABLE "Verification" IN EXCLUSIVE MODE') // verdict writes wait; reads and job inserts do not
  const verifier = createVerifier({ prisma: db.prisma, common: createTestCommon(), workers: 2, pollIntervalMs: 20, lockMs: 120_000 })
  const verifying = verifier.run()
  try {
    const stalledMs = await timedIndexing(db)
    console.log(`indexing ${ATTESTATIONS} attestations with a stalled verifier: ${Math.round(stalledMs)} ms`)
    expect(await db.prisma.attestation.count()).toBe(ATTESTATIONS)
    // the pile: every job still there (some claimed and waiting on the lock), not one verdict written
    expect(await db.prisma.verificationJob.count()).toBe(ATTESTATIONS)
    expect(await db.prisma.verification.count()).toBe(0)
    // the workers really are stuck inside their batch transactions, claims held
    const waiting = await blocker.query(`SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`)
    expect(Number(waiting.rows[0].n)).toBeGreaterThanOrEqual(1)
  } finally {
    await blocker.query('COMMIT')
    await blocker.end()
  }
  await waitForQueueEmpty(db.prisma, 60_000)
  verifier.stop()
  await verifying
  await expectExactlyOnce(db)
})

it('rolls a failing batch back entirely: no job lost, no duplicate STATUS_CHANGED', async () => {
  const { db } = await openDatabase('vq_fault')
  await timedIndexing(db)
  let batches = 0
  let thrown = 0
  const verifier = createVerifier({
    prisma: db.prisma,
    common: createTestCommon(),
    workers: 2,
    pollIntervalMs: 20,
    hooks: {
      beforeCommit: async ({ changed }) => {
        // Crash the 2nd and 4th batches after their verdicts, journal entries and lineage jobs are written.
        batches++
        if ((batches === 2 || batches === 4) && changed > 0) {
          thrown++
          throw new Error('simulated crash inside the batch transaction')
        }
      },
    },
  })
  const verifying = verifier.run()
  await waitForQueueEmpty(db.prisma, 60_000)
  verifier.stop()
  await verifying
  expect(thrown).toBe(2)
  expect(verifier.stats().failures).toBe(2)
  await expectExactlyOnce(db)
})

it('survives SIGKILLs of the `sign-indexer verify` process in the middle of a batch', async () => {
  const { database, db } = await openDatabase('vq_kill')
  await timedIndexing(db)
  const admin = new pg.Client({ connectionString: database.url })
  await admin.connect()
  // Multi-statement transactions on this database: the verifier's batches (this test's own queries are single statements).
  const openTransactions = async () =>
    Number(
      (
        await admin.query(`SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()
      AND xact_start IS NOT NULL AND (state = 'idle in transaction' OR xact_start < query_start)`)
      ).rows[0].n,
    )
  let killedMidBatch = 0
  try {
    for (let kill = 0; kill < 3 && (await db.prisma.verificationJob.count()) > 0; kill++) {
      const before = await db.prisma.verificationJob.count()
      const child = spawnVerify(database.url)
      try {
        // after at least one committed batch, while another batch transaction is open
        await waitFor(
          async () => {
            const left = await db.prisma.verificationJob.count()
            return left === 0 || (left < before && (await openTransactions()) > 0)
          },
          60_000,
          'a verifier transaction after some progress',
        )
        if ((await openTransactions()) > 0) {
          child.kill('SIGKILL')
          killedMidBatch++
        }
      } finally {
        child.kill('SIGKILL')
        await new Promise((r) => (child.exitCode !== null || child.signalCode !== null ? r(null) : child.once('exit', r)))
      }
      await waitFor(async () => (await openTransactions()) === 0, 10_000, 'the killed transactions to end')
    }
  } finally {
    await admin.end()
  }
  console.log(`killed the verify process ${killedMidBatch} times with a batch transaction open; ${await db.prisma.verificationJob.count()} jobs left`)
  expect(killedMidBatch).toBeGreaterThan(0)
  const verifier = createVerifier({ prisma: db.prisma, common: createTestCommon(), workers: 2, pollIntervalMs: 20 })
  const verifying = verifier.run()
  await waitForQueueEmpty(db.prisma, 60_000)
  verifier.stop()
  await verifying
  await expectExactlyOnce(db)
})

/** `sign-indexer verify --database-url … --verifiers 2` (the real CLI through tsx). */
function spawnVerify(databaseUrl: string): ChildProcess {
  return spawn(
    process.execPath,
    [join(ROOT, 'bin/sign-indexer.mjs'), 'verify', '--database-url', databaseUrl, '--verifiers', '2', '--pubsub', 'none', '--log-level', 'warn'],
    {
      cwd: ROOT,
      stdio: 'ignore',
    },
  )
}
