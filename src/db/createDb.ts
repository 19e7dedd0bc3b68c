/**
 * Prisma client construction: PostgreSQL through `@prisma/adapter-pg` when a URL is given,
 * otherwise the embedded PGlite (`pglite-prisma-adapter`) in a data directory (or in memory).
 * Migrations are applied first unless `migrate: false`.
 */
import { mkdir } from 'node:fs/promises'
import { dirname } from 'node:path'
import type { PGlite } from '@electric-sql/pglite'
import { PrismaClient } from '../generated/prisma/client.js'
import { pgRawWriter, prismaRawWriter, type RawWriter } from './rawWriter.js'
import { applyMigrations, getPgliteExtensions, type MigrationTarget } from './migrate.js'
import { createStatementNames } from './statementNames.js'
import { createDirectReader, registerDirectReader } from './directReads.js'

export type Db = {
  prisma: PrismaClient
  kind: 'postgres' | 'pglite'
  /**
   * `SELECT 1` on a connection of its own (PostgreSQL: a one-connection pool beside Prisma's, so a saturated query
   * pool does not delay it; PGlite: the instance itself), for readiness checks. Rejects after 2 s without an answer.
   */
  ping(): Promise<void>
  /**
   * the ingest commit's transactions (src/db/rawWriter.ts): PostgreSQL, a node-postgres pool of its own (up to 10
   * connections, opened on first use); PGlite, Prisma's interactive transactions
   */
  writer: RawWriter
  /** Disconnects Prisma and ends the pool / closes PGlite (PGlite corrupts its directory if not closed). */
  close(): Promise<void>
}

export type CreateDbParameters = {
  /** `postgres://…` for PostgreSQL; omitted => PGlite */
  databaseUrl?: string
  /** PGlite data directory (e.g. `./data/pglite`); omitted => in-memory PGlite */
  dataDir?: string
  /** apply pending migrations first (default true) */
  migrate?: boolean
  /** pg pool size (default 10) */
  poolSize?: number
  /**
   * PostgreSQL `statement_timeout` of this client's connections, in ms (default none): a statement running longer is
   * cancelled by the server (SQLSTATE 57014). For the gateway's pool only, never the indexer's writes. PGlite: ignored.
   */
  statementTimeoutMs?: number
  /**
   * PostgreSQL: send statements as named prepared statements, planned once per connection (default true; see
   * ./statementNames.ts). False for a pooler that cannot keep them (PgBouncer in transaction mode before 1.21).
   */
  preparedStatements?: boolean
  /** log every Prisma query to this callback (tests count queries with it) */
  onQuery?: (e: { query: string; durationMs: number; params: string }) => void
}

/**
 * Opens the database.
 * @throws {DatabaseError} when migrations fail; connection errors surface on first use.
 */
export async function createDb(params: CreateDbParameters = {}): Promise<Db> {
  const log = params.onQuery ? ([{ emit: 'event', level: 'query' }] as const) : undefined
  if (params.databaseUrl) {
    if (params.migrate !== false) await applyMigrations({ kind: 'postgres', url: params.databaseUrl })
    const { PrismaPg } = await import('@prisma/adapter-pg')
    const { default: pg } = await import('pg')
    // one pool for Prisma's adapter and the direct reads (./directReads.ts), ended by close() (Prisma may never have
    // connected: its adapter only listens to the pool from its first query)
    const pool = new pg.Pool({
      connectionString: params.databaseUrl,
      max: params.poolSize ?? 10,
      ...(params.statementTimeoutMs !== undefined && { statement_timeout: params.statementTimeoutMs }),
    })
    pool.on('error', () => {}) // an idle connection dropped by the server: the next query opens another
    // prepared statements by name: parsed and planned once per connection (./statementNames.ts); one generator for
    // both paths, so its bound on distinct texts holds for the pool
    const statementNames = params.preparedStatements === false ? undefined : createStatementNames()
    const adapter = new PrismaPg(pool, statementNames ? { statementNameGenerator: statementNames as (query: { sql: string }) => string } : {})
    const prisma = new PrismaClient({ adapter, log: log as never })
    attachQueryLog(prisma, params.onQuery)
    registerDirectReader(prisma, createDirectReader({ pool, statementNames, onQuery: params.onQuery }))
    const pingPool = new pg.Pool({
      connectionString: params.databaseUrl,
      max: 1,
      idleTimeoutMillis: 10_000,
      connectionTimeoutMillis: PING_TIMEOUT_MS,
      query_timeout: PING_TIMEOUT_MS,
    })
    pingPool.on('error', () => {}) // an idle connection dropped by the server: the next ping opens another
    const writer = pgRawWriter(params.databaseUrl)
    return {
      prisma,
      kind: 'postgres',
      ping: async () => void (await pingPool.query('SELECT 1')),
      writer,
      close: async () => {
        await prisma.$disconnect()
        if (!pool.ending) await pool.end()
        await pingPool.end()
        await writer.close()
      },
    }
  }
  const { PGlite } = await import('@electric-sql/pglite')
  if (params.dataDir) await mkdir(dirname(params.dataDir), { recursive: true })
  const pglite: PGlite = new PGlite({ dataDir: params.dataDir, extensions: await getPgliteExtensions() })
  await pglite.waitReady
  const target: MigrationTarget = { kind: 'pglite', db: pglite }
  if (params.migrate !== false) await applyMigrations(target)
  const { PrismaPGlite } = await import('pglite-prisma-adapter')
  const prisma = new PrismaClient({ adapter: new PrismaPGlite(pglite) as never, log: log as never })
  attachQueryLog(prisma, params.onQuery)
  return {
    prisma,
    kind: 'pglite',
    ping: () => withTimeout(pglite.query('SELECT 1'), PING_TIMEOUT_MS),
    writer: prismaRawWriter(prisma),
    close: async () => {
      await prisma.$disconnect()
      if (!pglite.closed) await pglite.close()
    },
  }
}

/** Longest a `ping` waits for its connection and its answer (ms). */
const PING_TIMEOUT_MS = 2_000

async function withTimeout(promise: Promise<unknown>, ms: number): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined
  try {
    await Promise.race([
      promise,
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`No answer within ${ms} ms`)), ms)
      }),
    ])
  } finally {
    clearTimeout(timer)
  }
}

function attachQueryLog(prisma: PrismaClient, onQuery: CreateDbParameters['onQuery']) {
  if (!onQuery) return
  ;(prisma as unknown as { $on(e: 'query', cb: (e: { query: string; duration: number; params: string }) => void): void }).$on('query', (e) =>
    onQuery({ query: e.query, durationMs: e.duration, params: e.params }),
  )
}
