/**
 * The ingest commit's connection: transactions of raw SQL statements, on PostgreSQL straight through node-postgres
 * (the driver `@prisma/adapter-pg` wraps), on PGlite through Prisma.
 *
 * Why not Prisma on PostgreSQL: a range's commit sends a few statements whose one parameter is a ~1 MB JSON text
 * (src/db/bulkInsert.ts). Through Prisma's client each such parameter is serialised again for its query engine and
 * parsed back before the adapter sends it; the backfill's CPU profile (100k attestations) put Prisma's client at 8 %
 * of the indexer's busy time and a share of the garbage collector's 27 % on those copies, all on the commit's
 * critical path. The statements are the same on both paths, and so are the values they return where the code reads
 * them (int8 columns come back as strings from node-postgres and as bigint from Prisma: readers convert with
 * `BigInt(…)`).
 */
import pg from 'pg'
import type { PrismaClient } from '../generated/prisma/client.js'

/** What a statement of the commit may use: the raw half of a Prisma transaction client, which node-postgres mimics. */
export type RawTx = {
  /** @returns the rows (int8 as string on PostgreSQL, bigint on PGlite) */
  $queryRawUnsafe<T = unknown>(sql: string, ...values: unknown[]): Promise<T>
  /** @returns the rows affected */
  $executeRawUnsafe(sql: string, ...values: unknown[]): Promise<number>
  /**
   * true when a statement is sent (queued on the connection) as soon as it is asked for, before earlier ones
   * answered, and runs after them in order: the caller may queue the next statement while the server runs this one
   * (node-postgres; see src/ingest/commitBatch.ts). Prisma's transaction client sends a statement when awaited only.
   */
  pipelined?: boolean
}

export type RawWriter = {
  /**
   * Runs `fn` in one transaction: COMMIT when it resolves, ROLLBACK when it throws (its error is rethrown).
   * @throws what `fn` or the database throws; for a failed COMMIT the transaction is rolled back by the server
   */
  transaction<T>(fn: (tx: RawTx) => Promise<T>): Promise<T>
  /** closes the writer's connections (PostgreSQL) */
  close(): Promise<void>
}

/** How long a commit transaction may stay open, ms (Prisma's interactive-transaction timeout on PGlite). */
const TRANSACTION_TIMEOUT_MS = 120_000

/** A writer on Prisma's interactive transactions (PGlite, and tests that hand in a client only). */
export function prismaRawWriter(prisma: PrismaClient): RawWriter {
  return {
    transaction: (fn) => prisma.$transaction((tx) => fn(tx), { timeout: TRANSACTION_TIMEOUT_MS, maxWait: 30_000 }),
    close: async () => {},
  }
}

/**
 * A writer on its own node-postgres pool of `max` connections (default 2: a commit and a probe of
 * commitBatchResilient never need more). Each transaction runs on one connection with
 * `idle_in_transaction_session_timeout` so a stuck process cannot hold row locks for ever.
 */
export function pgRawWriter(databaseUrl: string, opts: { max?: number } = {}): RawWriter {
  const pool = new pg.Pool({
    connectionString: databaseUrl,
    max: opts.max ?? 2,
    idleTimeoutMillis: 30_000,
    idle_in_transaction_session_timeout: TRANSACTION_TIMEOUT_MS,
  })
  pool.on('error', () => {}) // an idle connection dropped by the server: the next transaction opens another
  return {
    async transaction(fn) {
      const client = await pool.connect()
      try {
        await client.query('BEGIN')
      } catch (error) {
        client.release(true) // never reuse a connection that could not begin
        throw error
      }
      const tx: RawTx = {
        pipelined: true,
        $queryRawUnsafe: async <T>(sql: string, ...values: unknown[]) => (await client.query(sql, values)).rows as T,
        $executeRawUnsafe: async (sql: string, ...values: unknown[]) => (await client.query(sql, values)).rowCount ?? 0,
      }
      let result: Awaited<ReturnType<typeof fn>>
      try {
        result = await fn(tx)
      } catch (error) {
        await client.query('ROLLBACK').then(
          () => client.release(),
          () => client.release(true), // the connection is gone or unusable: discarded, not pooled
        )
        throw error
      }
      try {
        await client.query('COMMIT')
      } catch (error) {
        client.release(true) // the transaction ended with the error (or the connection did): start afresh
        throw error
      }
      client.release()
      return result
    },
    close: () => pool.end(),
  }
}
