/**
 * How the verify stage's workers share the queue, on real PostgreSQL (jobs of attestations that are not stored: a
 * worker claims and deletes them like the jobs of attestations a reorg removed, which is all these tests need).
 * Counted, never timed: idle polls are 10 minutes long, so a worker that was not given work or not woken shows as a
 * zero or as a queue that does not drain within the test's deadline.
 * - a queue smaller than 4 full batches is spread over 4 workers (each claim takes its fair share of it);
 * - a worker in a process of its own, idle, is woken by the journal notifier (PostgreSQL LISTEN/NOTIFY) that the
 *   indexer publishes to after each commit, instead of sleeping through its poll interval.
 */
import pg from 'pg'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { createSilentLogger } from '../src/common/logger.js'
import { createDb, type Db } from '../src/db/createDb.js'
import { createJournalNotifier } from '../src/journal/journalNotifier.js'
import { createVerifier, VERIFY_BATCH_SIZE } from '../src/verify/index.js'
import { createTestDatabase, type TestDatabase } from './helpers/database.js'
import { waitFor } from './helpers/graphql.js'
import { waitForQueueEmpty } from './helpers/verification.js'
import { createTestCommon } from './helpers/common.js'

const IDLE_POLL_MS = 600_000

let database: TestDatabase
let db: Db

beforeAll(async () => {
  database = await createTestDatabase('sitest_verify_claims')
  db = await createDb({ databaseUrl: database.url, poolSize: 8 })
}, 60_000)

afterAll(async () => {
  await db?.close()
  await database?.drop()
})

/** Queues `n` jobs for attestations that are not stored, from a connection of its own (as ingest would). */
async function queueJobs(n: number, firstId: number): Promise<void> {
  const client = new pg.Client({ connectionString: database.url })
  await client.connect()
  try {
    await client.query(
      `INSERT INTO "VerificationJob" ("chainId", "attestationId", "cause") SELECT 1, g, 'CREATED' FROM generate_series($1::bigint, $2::bigint) g`,
      [firstId, firstId + n - 1],
    )
  } finally {
    await client.end()
  }
}

it('spreads a queue smaller than 4 full batches over 4 workers: every worker claims some of it', async () => {
  const jobs = Math.floor(VERIFY_BATCH_SIZE * 1.6) // 400: full-size claims would be 250 + 150 and leave two workers idle
  await queueJobs(jobs, 1)
  // Each claim is held open until every worker either holds one or has found nothing (then sleeps 10 minutes), so
  // no worker drains the queue before the others have claimed.
  let inFlight = 0
  let released = false
  const verifier = createVerifier({
    prisma: db.prisma,
    common: createTestCommon(),
    workers: 4,
    pollIntervalMs: IDLE_POLL_MS,
    schedule: false,
    hooks: {
      beforeCommit: async () => {
        inFlight++
        await waitFor(() => released || inFlight + verifier.stats().idlePolls >= 4, 30_000, 'every worker to claim or idle')
        released = true
      },
    },
  })
  const running = verifier.run()
  try {
    await waitForQueueEmpty(db.prisma, 60_000)
    const { workerJobs, jobs: done } = verifier.stats()
    console.log(`${jobs} jobs over 4 workers: ${workerJobs.join(', ')}`)
    expect(done).toBe(jobs)
    expect(workerJobs.filter((n) => n === 0)).toEqual([])
  } finally {
    verifier.stop()
    await running
  }
}, 120_000)

it("wakes an idle worker on the indexer's journal notification (PostgreSQL LISTEN/NOTIFY), not at its next poll", async () => {
  const listener = await createJournalNotifier({ kind: 'postgres', databaseUrl: database.url, logger: createSilentLogger() })
  const publisher = await createJournalNotifier({ kind: 'postgres', databaseUrl: database.url, logger: createSilentLogger() })
  const verifier = createVerifier({
    prisma: db.prisma,
    common: createTestCommon(),
    workers: 1,
    pollIntervalMs: IDLE_POLL_MS,
    schedule: false,
    wakeOn: (wake) => listener.subscribe(() => wake()),
  })
  const running = verifier.run()
  try {
    await waitFor(() => verifier.stats().idlePolls >= 1, 30_000, 'the worker to find the queue empty') // now asleep for 10 minutes
    await queueJobs(3, 10_000)
    await publisher.publish('1') // what the indexer does after the commit that queued the jobs
    await waitForQueueEmpty(db.prisma, 30_000)
    expect(verifier.stats().jobs).toBe(3)
  } finally {
    verifier.stop()
    await running
    await listener.close()
    await publisher.close()
  }
}, 120_000)
