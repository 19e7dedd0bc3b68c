/**
 * Whether a database already has exactly the migrations of a folder applied, read with ONE query of the standard
 * `_prisma_migrations` table, so that a start on an up-to-date database never loads the schema engine (its WASM
 * instantiation and no-op `applyMigrations` cost ~0.5–1 s per start).
 */
import { createHash } from 'node:crypto'
import type { PGlite } from '@electric-sql/pglite'

/** One migration of the folder: its directory name and the contents of its `migration.sql`. */
export type FolderMigration = { name: string; sql: string }

/** Where the history is read: a PostgreSQL URL or an open PGlite instance (as `MigrationTarget` in migrate.ts). */
export type HistoryTarget = { kind: 'postgres'; url: string } | { kind: 'pglite'; db: PGlite }

type HistoryRow = { migration_name: string; checksum: string; applied: boolean; rolled_back: boolean }

const HISTORY_SQL = 'SELECT migration_name, checksum, finished_at IS NOT NULL AS applied, rolled_back_at IS NOT NULL AS rolled_back FROM _prisma_migrations'

/**
 * True when the rows of `_prisma_migrations` that are applied (finished, not rolled back) are exactly the folder's
 * migrations, each with the checksum Prisma records (SHA-256 hex of `migration.sql`'s bytes), and no migration is
 * unfinished (failed, or being applied by another process right now).
 *
 * False in every other case — no table yet (a new database), a pending, edited or unknown migration, a failed one,
 * any error reading the table (connection refused included) — so that the caller runs the schema engine, which
 * applies, waits for its lock or reports the problem exactly as `prisma migrate deploy` does. Never throws.
 *
 * @param target the database (PostgreSQL: one short-lived connection for the query)
 * @param folder the migrations folder's contents
 */
export async function isUpToDate(target: HistoryTarget, folder: FolderMigration[]): Promise<boolean> {
  let rows: HistoryRow[]
  try {
    rows = await readHistory(target)
  } catch {
    return false
  }
  if (rows.some((r) => !r.applied && !r.rolled_back)) return false
  const applied = new Map<string, string>()
  for (const r of rows.filter((r) => r.applied && !r.rolled_back)) {
    if (applied.has(r.migration_name)) return false
    applied.set(r.migration_name, r.checksum)
  }
  if (applied.size !== folder.length) return false
  return folder.every((m) => applied.get(m.name) === createHash('sha256').update(m.sql).digest('hex'))
}

async function readHistory(target: HistoryTarget): Promise<HistoryRow[]> {
  if (target.kind === 'pglite') return (await target.db.query<HistoryRow>(HISTORY_SQL)).rows
  const { default: pg } = await import('pg')
  const client = new pg.Client({ connectionString: target.url })
  client.on('error', () => {}) // a connection dropped after the answer: nothing left to read
  await client.connect()
  try {
    return (await client.query<HistoryRow>(HISTORY_SQL)).rows
  } finally {
    await client.end().catch(() => {})
  }
}
