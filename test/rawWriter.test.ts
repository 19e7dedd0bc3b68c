/**
 * The commit's connection on PostgreSQL (src/db/rawWriter.ts) with the real commit (src/ingest/commitBatch.ts): what a
 * failed commit leaves (nothing, however many statements were queued behind the failure), statements asked for after
 * the transaction ended, and the connection after a failure.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createMetrics } from '../src/common/metrics.js'
import { createDb, type Db } from '../src/db/createDb.js'
import { pgRawWriter, type RawTx, type RawWriter, TransactionClosedError } from '../src/db/rawWriter.js'
import { DatabaseError } from '../src/errors/baseError.js'
import type { Batch } from '../src/ingest/buildBatch.js'
import { commitBatch } from '../src/ingest/commitBatch.js'
import { createTestDatabase, type TestDatabase } from './helpers/database.js'

describe('the commit writer on PostgreSQL', () => {
  let database: TestDatabase
  let db: Db
  let writer: RawWriter
  beforeAll(async () => {
    database = await createTestDatabase('raw_writer')
    db = await createDb({ databaseUrl: database.url })
    writer = pgRawWriter(database.url, { max: 2 })
  })
  afterAll(async () => {
    await writer?.close()
    await db?.close()
    await database?.drop()
  })

  const count = async (table: string) => Number((await db.prisma.$queryRawUnsafe<{ n: bigint }[]>(`SELECT count(*) AS n FROM "${table}"`))[0]!.n)

  it('a commit whose checkpoint moved under it leaves nothing, a journal of several statements included', async () => {
    const chainId = 7
    await db.prisma.checkpoint.create({ data: { chainId, blockNumber: 100n, blockHash: '0xaa' } })
    // 12,000 journal entries: more than one ~1 MB statement, sent one after another, each after the last answered
    const journal = Array.from({ length: 12_000 }, (_, i) => ({
      chainId,
      kind: 'CREATED' as const,
      subjectType: 'ATTESTATION' as const,
      subjectId: String(i + 1),
      blockNumber: 60n,
      blockHash: `0x${'ab'.repeat(32)}`,
      logIndex: i,
    }))
    const batch = {
      chainId,
      fromBlock: 50n, // the checkpoint says 100: another writer (or a rollback) moved it
      toBlock: 60n,
      toBlockHash: `0x${'cd'.repeat(32)}`,
      schemas: [],
      attestations: [],
      recipients: [],
      offchain: [],
      revocations: [],
      journal,
      skipped: [],
      blocks: [],
    } as unknown as Batch
    const error = await commitBatch(writer, batch, createMetrics()).then(
      () => null,
      (e) => e,
    )
    expect(error).toBeInstanceOf(DatabaseError)
    expect((error as DatabaseError).retryable).toBe(true)
    expect(String((error as DatabaseError).cause)).toMatch(/Checkpoint of chain 7 is at block 100, expected 49/)
    await new Promise((r) => setTimeout(r, 500)) // anything still in flight lands
    expect(await count('Event')).toBe(0)
    expect((await db.prisma.checkpoint.findUnique({ where: { chainId } }))?.blockNumber).toBe(100n)
  })

  it('refuses a statement asked for once the transaction has ended, and never runs it', async () => {
    let kept: RawTx | undefined
    await writer.transaction(async (tx) => {
      kept = tx
      await tx.$executeRawUnsafe(
        `INSERT INTO "SkippedLog" ("chainId", "blockNumber", "logIndex", "blockHash", "txHash", "data", "reason") VALUES (8, 1, 0, 'h', 't', '0x', 'in')`,
      )
    })
    await expect(
      kept!.$executeRawUnsafe(
        `INSERT INTO "SkippedLog" ("chainId", "blockNumber", "logIndex", "blockHash", "txHash", "data", "reason") VALUES (8, 2, 0, 'h', 't', '0x', 'after')`,
      ),
    ).rejects.toBeInstanceOf(TransactionClosedError)
    const rows = await db.prisma.skippedLog.findMany({ where: { chainId: 8 }, select: { reason: true } })
    expect(rows.map((r) => r.reason)).toEqual(['in'])
  })

  it('after a failed statement the ones queued behind it are not sent, its error is the one thrown, nothing commits, and the connection serves the next transaction', async () => {
    const insert = (block: number) =>
      `INSERT INTO "SkippedLog" ("chainId", "blockNumber", "logIndex", "blockHash", "txHash", "data", "reason") VALUES (9, ${block}, 0, 'h', 't', '0x', 'r')`
    const outcome = await writer
      .transaction(async (tx) => {
        const queued = [tx.$executeRawUnsafe(insert(1)), tx.$executeRawUnsafe('SELECT 1 / 0'), tx.$executeRawUnsafe(insert(2))]
        for (const q of queued) q.catch(() => {})
        const settled = await Promise.allSettled(queued)
        expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'rejected', 'rejected'])
        // the third was never sent: it rejects with the division's own error, not "current transaction is aborted"
        expect(String((settled[2] as PromiseRejectedResult).reason)).toMatch(/division by zero/)
        return 'returned'
      })
      .then(
        () => null,
        (e) => e,
      )
    // the function returned, but a statement of its transaction failed: no COMMIT, the failure is thrown
    expect(String(outcome)).toMatch(/division by zero/)
    expect(await db.prisma.skippedLog.count({ where: { chainId: 9 } })).toBe(0)
    // both pool connections still work
    for (let i = 0; i < 3; i++) expect(await writer.transaction(async (tx) => tx.$queryRawUnsafe<{ one: number }[]>('SELECT 1 AS one'))).toEqual([{ one: 1 }])
  })
})
