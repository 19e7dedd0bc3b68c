/**
 * Deferred secondary indexes: a fresh database backfills into "Attestation" and "Recipient" without their
 * non-unique secondary indexes, and each is built once, by one sort, when every chain of the indexer process has
 * caught up with its head, or before a reorg's rollback (src/sync/createIndexer.ts decides when).
 *
 * Why: the backfill's commit was its critical path (100k attestations: 16 of 19 s), and most of a commit is index
 * maintenance: 13 secondary indexes on "Attestation" and 5 on "Recipient", each updated row by row. Building an index
 * from the finished table is one sequential pass and a sort. Ponder does the same (its indexes are created when the
 * historical sync ends).
 *
 * What is never dropped: primary keys and unique indexes (conflict targets, the triggers' and the verify stage's
 * lookups, revocations by id) and {@link KEPT_INDEXES} (a rollback's deletes by block, the verifier's children by
 * link), so every write path stays correct and every lookup the indexer and verifier make stays indexed; only the
 * gateway's filtered and ordered reads are slower until the build.
 *
 * State lives in the `DeferredIndex` table: a row per dropped index with its `pg_get_indexdef` text, written in the
 * transaction that drops it, and deleted in the transaction that builds it again. A crash at any point leaves
 * either the index or its row; a restart finds the rows and builds them when the chain catches up, and pending
 * migrations build them first (they may expect every index).
 */
import type { Logger } from '../common/logger.js'
import type { PrismaClient } from '../generated/prisma/client.js'
import { getSqlState } from './getSqlState.js'

type Sql = Pick<PrismaClient, '$queryRawUnsafe' | '$executeRawUnsafe'>
type Db = Sql & Pick<PrismaClient, '$transaction'>

/** Tables whose secondary indexes may be deferred. */
export const DEFERRABLE_TABLES = ['Attestation', 'Recipient'] as const

/**
 * Indexes of those tables kept during a backfill: a reorg's rollback deletes attestations by block, and the verify
 * stage (running beside the backfill) finds the attestations linked to one it judged by `linkedAttestationId`
 * (`ENQUEUE_CHILDREN_SQL`, src/verify/runVerificationBatch.ts): without that index every verification batch read the
 * whole table. Both keys grow with the chain (most `linkedAttestationId` are null), so keeping them costs little.
 */
export const KEPT_INDEXES = ['Attestation_chainId_blockNumber_idx', 'Attestation_chainId_linkedAttestationId_attestationId_idx'] as const

/** How long dropping or building waits for a table's lock before it gives up (ms; `lock_timeout`). */
const LOCK_WAIT_MS = 1_000
/** SQLSTATE of a `lock_timeout` (lock_not_available). */
const LOCK_NOT_AVAILABLE = '55P03'

/** `maintenance_work_mem` of a build (its sort's memory before it spills to disk), set for its transaction only. */
const BUILD_MEMORY = '128MB'

/** Longest one index build may take before its transaction is abandoned (ms); a 1M-row trigram index takes ~1 min. */
const BUILD_TIMEOUT_MS = 30 * 60_000

/** A stored definition is run as SQL: only an index definition is accepted. */
const DEFINITION = /^CREATE (UNIQUE )?INDEX "?[A-Za-z0-9_]+"? ON /

/**
 * Drops the deferrable indexes when the database holds no attestation yet (a fresh index), recording each in
 * `DeferredIndex`, in one transaction that first locks both tables against writes (so a concurrent first commit
 * either precedes it, and nothing is dropped, or follows it). It waits at most {@link LOCK_WAIT_MS} for the tables.
 * @returns the names of the indexes dropped (empty: the database is not fresh, they are deferred already, or another
 *   session was in the tables)
 * @throws whatever the driver throws; nothing is dropped then
 */
export async function deferIndexes(db: Db): Promise<string[]> {
  // a database that holds attestations is never fresh again: asked without a lock, so a restart of a running
  // deployment takes no table lock at all (the answer is asked again under the lock below)
  if (!(await isFresh(db))) return []
  return db
    .$transaction(
      async (tx) => {
        // DROP INDEX needs the tables alone: when another session is in them (a verifier's open transaction, a long
        // query), waiting would hold the backfill, and queue every later reader behind us; after a second, go on with
        // every index instead
        await tx.$executeRawUnsafe(`SET LOCAL lock_timeout = '${LOCK_WAIT_MS}ms'`)
        await tx.$executeRawUnsafe(`LOCK TABLE ${DEFERRABLE_TABLES.map((t) => `"${t}"`).join(', ')} IN SHARE ROW EXCLUSIVE MODE`)
        if (!(await isFresh(tx))) return []
        const rows = await tx.$queryRawUnsafe<{ name: string }[]>(
          `INSERT INTO "DeferredIndex" ("name", "tableName", "definition")
         SELECT i.relname, t.relname, pg_get_indexdef(i.oid)
         FROM pg_index x
         JOIN pg_class i ON i.oid = x.indexrelid
         JOIN pg_class t ON t.oid = x.indrelid
         WHERE t.oid = ANY($1::regclass[]) AND NOT x.indisprimary AND NOT x.indisunique AND i.relname <> ALL($2::text[])
         ORDER BY t.relname, i.relname
         ON CONFLICT ("name") DO NOTHING
         RETURNING "name"`,
          DEFERRABLE_TABLES.map((t) => `"${t}"`),
          [...KEPT_INDEXES],
        )
        for (const { name } of rows) await tx.$executeRawUnsafe(`DROP INDEX "${name}"`)
        return rows.map((r) => r.name)
      },
      { timeout: 60_000, maxWait: 30_000 },
    )
    .catch((error) => {
      if (getSqlState(error)?.sqlState === LOCK_NOT_AVAILABLE) return [] // busy tables: nothing dropped
      throw error
    })
}

/** Whether "Attestation" holds no row. */
async function isFresh(db: Sql): Promise<boolean> {
  const [row] = await db.$queryRawUnsafe<{ fresh: boolean }[]>('SELECT NOT EXISTS (SELECT 1 FROM "Attestation") AS fresh')
  return row?.fresh === true
}

/** The indexes dropped and not built yet, by name. */
export async function listDeferredIndexes(db: Sql): Promise<string[]> {
  const rows = await db.$queryRawUnsafe<{ name: string }[]>('SELECT "name" FROM "DeferredIndex" ORDER BY "name"')
  return rows.map((r) => r.name)
}

/** `CREATE INDEX "x" ON …` → `CREATE INDEX IF NOT EXISTS "x" ON …`: a build interrupted after its index committed is harmless. */
function ifNotExists(definition: string): string {
  if (!DEFINITION.test(definition)) throw new Error(`DeferredIndex holds a definition that is not an index: ${definition.slice(0, 200)}`)
  return definition.replace(/^CREATE (UNIQUE )?INDEX /, (m) => `${m}IF NOT EXISTS `)
}

export type BuildDeferredIndexesParameters = {
  logger?: Logger
  /** builds at once (default 2; PGlite has one connection, so its builds run one after another anyway) */
  parallel?: number
}

/**
 * Builds every index recorded in `DeferredIndex`, each in its own transaction with the deletion of its row
 * (`CREATE INDEX` blocks writes to its table, not reads, while it runs).
 * @returns how many this call built (another process may have built some of them meanwhile) and how long it took (ms)
 * @throws the first build's error (the indexes built so far stay built; the rest stay recorded for the next call)
 */
export async function buildDeferredIndexes(db: Db, params: BuildDeferredIndexesParameters = {}): Promise<{ built: number; ms: number }> {
  const started = performance.now()
  const pending = await db.$queryRawUnsafe<{ name: string; definition: string }[]>(
    'SELECT "name", "definition" FROM "DeferredIndex" ORDER BY "tableName", "name"',
  )
  if (!pending.length) return { built: 0, ms: 0 }
  params.logger?.info({ indexes: pending.length }, 'Building the indexes deferred during the backfill')
  const queue = [...pending]
  let built = 0
  const worker = async () => {
    for (let next = queue.shift(); next; next = queue.shift()) {
      const { name, definition } = next
      await db.$transaction(
        async (tx) => {
          // another process may be building the same one: the second waits for the first's row, then finds it gone
          const [row] = await tx.$queryRawUnsafe<unknown[]>('SELECT 1 FROM "DeferredIndex" WHERE "name" = $1 FOR UPDATE', name)
          if (!row) return
          await tx.$executeRawUnsafe(`SET LOCAL maintenance_work_mem = '${BUILD_MEMORY}'`)
          // a writer holding the table (another chain's commit) is waited for a while; longer, the step fails and
          // the chain loop tries again after its backoff, rather than hang unseen
          await tx.$executeRawUnsafe(`SET LOCAL lock_timeout = '${10 * LOCK_WAIT_MS}ms'`)
          await tx.$executeRawUnsafe(ifNotExists(definition))
          await tx.$executeRawUnsafe('DELETE FROM "DeferredIndex" WHERE "name" = $1', name)
          built++
        },
        { timeout: BUILD_TIMEOUT_MS, maxWait: 60_000 },
      )
    }
  }
  await Promise.all(Array.from({ length: Math.max(1, params.parallel ?? 2) }, worker))
  const ms = Math.round(performance.now() - started)
  params.logger?.info({ indexes: built, ms }, 'Deferred indexes built')
  return { built, ms }
}

/**
 * Before pending migrations: builds any deferred index (a migration may alter or drop it, or the table under it).
 * A database older than the `DeferredIndex` table has none.
 */
export async function buildDeferredIndexesBeforeMigrations(db: Db, logger?: Logger): Promise<void> {
  const [row] = await db.$queryRawUnsafe<{ exists: boolean }[]>(`SELECT to_regclass('"DeferredIndex"') IS NOT NULL AS "exists"`)
  if (row?.exists) await buildDeferredIndexes(db, { logger })
}
