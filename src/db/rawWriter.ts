/**
 * The ingest commit's connection: transactions of raw SQL statements, on PostgreSQL straight through node-postgres
 * (the driver `@prisma/adapter-pg` wraps), on PGlite through Prisma.
 *
 * Why not Prisma on PostgreSQL: a range's commit sends a few statements of ~1 MB of text each (src/db/bulkInsert.ts).
 * Through Prisma's client each such parameter is serialised again for its query engine and parsed back before the
 * adapter sends it; the backfill's CPU profile (100k attestations) put Prisma's client at 8 % of the indexer's busy
 * time and a share of the garbage collector's 27 % on those copies, all on the commit's critical path. And Prisma
 * cannot send COPY data ({@link RawTx.$copyFrom}), which carries most rows here. The other statements are the same
 * on both paths, and so are the values they return where the code reads them (int8 columns come back as strings from
 * node-postgres and as bigint from Prisma: readers convert with `BigInt(…)`).
 */
import pg from 'pg'
import { from as copyFrom } from 'pg-copy-streams'
import type { PrismaClient } from '../generated/prisma/client.js'

/** What a statement of the commit may use: the raw half of a Prisma transaction client, which node-postgres mimics. */
export type RawTx = {
  /** @returns the rows (int8 as string on PostgreSQL, bigint on PGlite) */
  $queryRawUnsafe<T = unknown>(sql: string, ...values: unknown[]): Promise<T>
  /** @returns the rows affected */
  $executeRawUnsafe(sql: string, ...values: unknown[]): Promise<number>
  /**
   * true when a statement is queued as soon as it is asked for, before earlier ones answered, and runs after them in
   * order: the caller may make the next statement while the server runs this one (see src/ingest/commitBatch.ts).
   * Prisma's transaction client runs a statement when it is awaited only.
   */
  pipelined?: boolean
  /**
   * Runs `COPY … FROM STDIN` (`sql`) with `data` (UTF-8) as its data, in PostgreSQL's text format (rows end with a newline,
   * fields are tab-separated, `\N` is NULL, backslash escapes: see src/db/bulkInsert.ts), through pg-copy-streams.
   * node-postgres only: Prisma's transaction client cannot send COPY data, so where this is absent the rows go as
   * one JSON parameter instead.
   * @returns the rows copied
   */
  $copyFrom?(sql: string, data: Buffer): Promise<number>
}

export type RawWriter = {
  /**
   * Runs `fn` in one transaction: COMMIT when it resolves, ROLLBACK when it throws (its error is rethrown). A
   * pipelined writer (`tx.pipelined`) also rolls back when a statement `fn` did not await failed, and refuses
   * statements asked for after `fn` settled ({@link TransactionClosedError}).
   * @throws what `fn` or the database throws; for a failed COMMIT the transaction is rolled back by the server
   */
  transaction<T>(fn: (tx: RawTx) => Promise<T>): Promise<T>
  /** closes the writer's connections (PostgreSQL) */
  close(): Promise<void>
}

/** How long a commit transaction may stay open, ms (Prisma's interactive-transaction timeout on PGlite; on
 * PostgreSQL each statement's deadline and the server's `idle_in_transaction_session_timeout`). */
const TRANSACTION_TIMEOUT_MS = 120_000

/** A writer on Prisma's interactive transactions (PGlite, and tests that hand in a client only). */
export function prismaRawWriter(prisma: PrismaClient): RawWriter {
  return {
    transaction: (fn) => prisma.$transaction((tx) => fn(tx), { timeout: TRANSACTION_TIMEOUT_MS, maxWait: 30_000 }),
    close: async () => {},
  }
}

/** A statement asked for after its transaction's function settled: refused, never sent (it would run after COMMIT or ROLLBACK, outside the transaction). */
export class TransactionClosedError extends Error {
  constructor() {
    super('statement refused: its transaction has ended (it would have run outside it)')
    this.name = 'TransactionClosedError'
  }
}

/**
 * A writer on its own node-postgres pool of `max` connections (default 10, as Prisma's pool; opened on first use).
 *
 * Statements of a transaction run one after another in the order asked, each sent when the one before answered (our
 * own chain of promises, not node-postgres's deprecated queue of overlapping `client.query` calls). After a statement
 * failed, the ones after it are not sent: they reject with that failure. Once the transaction's function has settled,
 * a statement asked for is refused ({@link TransactionClosedError}) and COMMIT / ROLLBACK run after every statement
 * already asked for: nothing can run after them, outside the transaction (a journal chunk asked for after an early
 * failure once committed on its own that way). Each statement has a deadline of `statementTimeoutMs` (default
 * {@link TRANSACTION_TIMEOUT_MS}) kept by the server (`SET LOCAL statement_timeout`: it cancels the statement with
 * SQLSTATE 57014 and the connection stays in step), and the server ends a transaction idle that long
 * (`SET LOCAL idle_in_transaction_session_timeout`), both sent with BEGIN (a pooler passes them, unlike startup
 * parameters). node-postgres's own `query_timeout`, 15 s later, is only the backstop for a server that stopped
 * answering: a COPY it gives up on while the server still waits (a lock) is not safe to keep — pg-copy-streams 7.0.0
 * throws an uncaught TypeError when the server's CopyInResponse arrives after it (brianc/node-pg-copy-streams#171) —
 * so after a COPY fails without a SQLSTATE the connection's socket is destroyed and the connection discarded.
 */
export function pgRawWriter(databaseUrl: string, opts: { max?: number; statementTimeoutMs?: number } = {}): RawWriter {
  const statementTimeoutMs = opts.statementTimeoutMs ?? TRANSACTION_TIMEOUT_MS
  const pool = new pg.Pool({
    connectionString: databaseUrl,
    max: opts.max ?? 10,
    idleTimeoutMillis: 30_000,
    query_timeout: statementTimeoutMs + 15_000,
  })
  pool.on('error', () => {}) // an idle connection dropped by the server: the next transaction opens another
  return {
    async transaction(fn) {
      const client = await pool.connect()
      // the transaction's statements, in order: `last` settles when the latest one asked for has answered
      let last: Promise<unknown> = Promise.resolve()
      let failure: { error: unknown } | undefined
      let closed = false
      const send = <T>(run: () => Promise<T>): Promise<T> => {
        if (closed) return Promise.reject(new TransactionClosedError())
        const sent = last.then(async () => {
          if (failure) throw failure.error // the transaction is aborted: not sent
          try {
            return await run()
          } catch (error) {
            failure ??= { error }
            throw error
          }
        })
        last = sent.catch(() => {})
        return sent
      }
      let broken = false // a COPY failed without the server's word: the connection is not reused
      const copy = (sql: string, data: Buffer) =>
        new Promise<number>((resolve, reject) => {
          const stream = client.query(copyFrom(sql))
          stream.on('error', (error: Error & { code?: string }) => {
            if (!error.code && !broken) {
              // no SQLSTATE: the client gave up (query_timeout) or the socket failed, and the server may still
              // answer this COPY later, which pg-copy-streams cannot take: nothing more is read from this socket (as
              // pg-pool ends a client that does not connect in time; its error listener takes the client out)
              broken = true
              ;(client as unknown as { connection?: { stream?: { destroy(): void } } }).connection?.stream?.destroy()
            }
            reject(error)
          })
          stream.on('finish', () => resolve(stream.rowCount))
          stream.end(data)
        })
      try {
        await client.query(`BEGIN; SET LOCAL idle_in_transaction_session_timeout = ${statementTimeoutMs}; SET LOCAL statement_timeout = ${statementTimeoutMs}`)
      } catch (error) {
        client.release(true) // never reuse a connection that could not begin
        throw error
      }
      const tx: RawTx = {
        pipelined: true,
        $queryRawUnsafe: <T>(sql: string, ...values: unknown[]) => send(async () => (await client.query(sql, values)).rows as T),
        $executeRawUnsafe: (sql: string, ...values: unknown[]) => send(async () => (await client.query(sql, values)).rowCount ?? 0),
        $copyFrom: (sql: string, data: Buffer) => send(() => copy(sql, data)),
      }
      let result: Awaited<ReturnType<typeof fn>>
      try {
        result = await fn(tx)
      } catch (error) {
        closed = true
        await last // every statement asked for has answered (or was skipped): ROLLBACK is the last thing sent
        if (broken)
          client.release(true) // its socket is closed: the server rolls the transaction back
        else
          await client.query('ROLLBACK').then(
            () => client.release(),
            () => client.release(true), // the connection is gone or unusable: discarded, not pooled
          )
        throw error
      }
      closed = true
      await last
      try {
        if (failure) throw failure.error // a statement the function did not await failed: nothing commits
        await client.query('COMMIT')
      } catch (error) {
        if (!broken) await client.query('ROLLBACK').catch(() => {})
        client.release(true) // start afresh
        throw error
      }
      client.release()
      return result
    },
    close: () => pool.end(),
  }
}
