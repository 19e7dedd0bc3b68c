/**
 * Migrations without Prisma's native schema engine (none ships on npm): the WASM schema engine
 * (`@prisma/schema-engine-wasm`, pinned) driven through a driver adapter. It writes the standard
 * `_prisma_migrations` table, so history is the same as `prisma migrate deploy`; re-running is a no-op.
 * The same `prisma/migrations` folder serves PostgreSQL and PGlite. A database whose `_prisma_migrations` already
 * holds exactly the folder's migrations costs one query and never loads the engine (`isUpToDate.ts`).
 *
 * These are internal Prisma APIs: the version is pinned in package.json and test/db.test.ts covers them.
 */
import { existsSync } from 'node:fs'
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { PGlite } from '@electric-sql/pglite'
import { bindMigrationAwareSqlAdapterFactory } from '@prisma/driver-adapter-utils'
import { DatabaseError } from '../errors/baseError.js'
import { buildDeferredIndexesBeforeMigrations } from './deferredIndexes.js'
import { isUpToDate } from './isUpToDate.js'

const require = createRequire(import.meta.url)
/** Repository root: this file is `<root>/src/db/migrate.ts`, compiled `<root>/dist/db/migrate.js` (same depth). */
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..')
export const SCHEMA_PATH = join(ROOT, 'prisma/schema.prisma')
export const MIGRATIONS_DIR = join(ROOT, 'prisma/migrations')
const FILTERS = { externalTables: [], externalEnums: [] }

// biome-ignore lint: the wasm module has no usable types for these internals
type EngineModule = any

/**
 * The one module-level `let` kept on purpose (README "Architecture": no module singletons, and what remains). The
 * schema engine's wasm-bindgen glue (`schema_engine_bg.js`) keeps its instance in a module-level variable of its own
 * (`__wbg_set_wasm`), so the engine's state is process-global whatever we do: a second instantiation would swap the
 * memory under an engine still running. One load per process, shared by every migration, is therefore the honest
 * shape; passing it through the dependency bag would only pretend it could be two.
 */
let runtime: Promise<EngineModule> | undefined

/**
 * Instantiates the schema-engine wasm once per process (node 20 cannot import .wasm as an ES module); later calls get
 * the same module (see `runtime` above for why this stays module state). Rejects when the package's files are missing.
 */
function loadEngineModule(): Promise<EngineModule> {
  runtime ??= (async () => {
    const bg = await import('@prisma/schema-engine-wasm/schema_engine_bg')
    const wasmPath = join(dirname(require.resolve('@prisma/schema-engine-wasm/schema_engine_bg')), 'schema_engine_bg.wasm')
    const module = new WebAssembly.Module(await readFile(wasmPath))
    const instance = new WebAssembly.Instance(module, { './schema_engine_bg.js': bg as never })
    ;(bg as EngineModule).__wbg_set_wasm(instance.exports)
    ;(instance.exports as EngineModule).__wbindgen_start()
    return bg
  })()
  return runtime
}

/**
 * The PostgreSQL extensions the migrations create (`CREATE EXTENSION`), as PGlite contrib modules: a PGlite instance
 * must be opened with them (`new PGlite({ dataDir, extensions })`) or the migration fails ("extension ... is not
 * available"). `pg_trgm` backs the text search indexes (src/gateway/search.ts).
 */
export async function getPgliteExtensions() {
  const { pg_trgm } = await import('@electric-sql/pglite/contrib/pg_trgm')
  return { pg_trgm }
}

/** Where migrations go: a PostgreSQL URL or an open PGlite instance. */
export type MigrationTarget = { kind: 'postgres'; url: string } | { kind: 'pglite'; db: PGlite }

/** Adapters the engine opened on a PostgreSQL target: disposed after use, or their pool keeps the session
 * (and the engine's migration advisory lock 72707369) alive and blocks every other migrator. */
type Opened = { dispose(): Promise<void> }

async function adapterFactoryFor(target: MigrationTarget, opened: Opened[]) {
  if (target.kind === 'pglite') {
    const { PrismaPGlite } = await import('pglite-prisma-adapter')
    return bindMigrationAwareSqlAdapterFactory(new PrismaPGlite(target.db) as never)
  }
  const { PrismaPg } = await import('@prisma/adapter-pg')
  const inner = new PrismaPg({ connectionString: target.url })
  const tracking = {
    provider: inner.provider,
    adapterName: inner.adapterName,
    connect: async () => {
      const adapter = await inner.connect()
      opened.push(adapter)
      return adapter
    },
    connectToShadowDb: async () => {
      const adapter = await inner.connectToShadowDb()
      opened.push(adapter)
      return adapter
    },
  }
  return bindMigrationAwareSqlAdapterFactory(tracking as never)
}

async function withEngine<T>(target: MigrationTarget, fn: (engine: EngineModule) => Promise<T>): Promise<T> {
  const rt = await loadEngineModule()
  const opened: Opened[] = []
  const engine = await rt.SchemaEngine.new({ datamodels: undefined }, () => {}, await adapterFactoryFor(target, opened))
  try {
    return await fn(engine)
  } finally {
    engine.free()
    await Promise.allSettled(opened.map((a) => a.dispose()))
  }
}

async function readMigrationsList(migrationsDir: string) {
  const dirs = existsSync(migrationsDir)
    ? (await readdir(migrationsDir, { withFileTypes: true }))
        .filter((d) => d.isDirectory())
        .map((d) => d.name)
        .sort()
    : []
  const lockPath = join(migrationsDir, 'migration_lock.toml')
  return {
    baseDir: migrationsDir,
    shadowDbInitScript: '',
    lockfile: { path: 'migration_lock.toml', content: existsSync(lockPath) ? await readFile(lockPath, 'utf8') : null },
    migrationDirectories: await Promise.all(
      dirs.map(async (name) => ({
        path: name,
        migrationFile: {
          path: 'migration.sql',
          content: { tag: 'ok', value: await readFile(join(migrationsDir, name, 'migration.sql'), 'utf8') },
        },
      })),
    ),
  }
}

/**
 * Builds the indexes a backfill deferred (src/db/deferredIndexes.ts) through a short-lived Prisma client on the
 * target, before the engine runs the pending migrations.
 */
async function buildDeferredIndexesFirst(target: MigrationTarget): Promise<void> {
  const { PrismaClient } = await import('../generated/prisma/client.js')
  const adapter =
    target.kind === 'pglite'
      ? new (await import('pglite-prisma-adapter')).PrismaPGlite(target.db)
      : new (await import('@prisma/adapter-pg')).PrismaPg({ connectionString: target.url, max: 2 })
  const prisma = new PrismaClient({ adapter: adapter as never })
  try {
    await buildDeferredIndexesBeforeMigrations(prisma)
  } finally {
    await prisma.$disconnect()
  }
}

/** Options of {@link applyMigrations}. */
export type ApplyMigrationsParameters = {
  /** the migrations folder (default `<repo>/prisma/migrations`) */
  migrationsDir?: string
}

/**
 * Applies every pending migration of `prisma/migrations` to the target (like `prisma migrate deploy`). When the
 * target's `_prisma_migrations` already lists exactly the folder's migrations (same names and checksums, none
 * failed), that one query is all it costs; otherwise the schema engine runs.
 * @returns the names of the migrations applied by this call (empty when up to date).
 * @throws {DatabaseError} when a migration fails; nothing of that migration is kept.
 */
export async function applyMigrations(target: MigrationTarget, params: ApplyMigrationsParameters = {}): Promise<string[]> {
  try {
    const migrationsList = await readMigrationsList(params.migrationsDir ?? MIGRATIONS_DIR)
    const folder = migrationsList.migrationDirectories.map((d) => ({ name: d.path, sql: d.migrationFile.content.value }))
    if (await isUpToDate(target, folder)) return []
    await buildDeferredIndexesFirst(target) // a migration may alter what a deferred index stands on
    const result = await withEngine(target, async (engine) => engine.applyMigrations({ migrationsList, filters: FILTERS }))
    return (result?.appliedMigrationNames as string[]) ?? []
  } catch (error) {
    throw new DatabaseError('Applying migrations failed', { cause: error, details: String((error as Error)?.message ?? error) })
  }
}

/**
 * The SQL that would bring the migrations folder, applied to an in-memory PGlite shadow database, to
 * `prisma/schema.prisma` (like `prisma migrate diff`). Hand-written parts of migrations (extensions, functions,
 * generated columns) must leave it empty: test/migrationDrift.test.ts checks that it is.
 * @returns the script, or null when the schema and the migrations agree
 */
export async function diffMigrationsAgainstSchema(): Promise<string | null> {
  const { PGlite } = await import('@electric-sql/pglite')
  const shadow = new PGlite({ extensions: await getPgliteExtensions() })
  await shadow.waitReady
  const files = [{ path: SCHEMA_PATH, content: await readFile(SCHEMA_PATH, 'utf8') }]
  try {
    const list = await readMigrationsList(MIGRATIONS_DIR)
    return await withEngine({ kind: 'pglite', db: shadow }, async (engine) => {
      if (list.migrationDirectories.length) await engine.applyMigrations({ migrationsList: list, filters: FILTERS })
      const diff = await engine.diff({
        from: { tag: 'schemaDatasource', files, configDir: dirname(SCHEMA_PATH) },
        to: { tag: 'schemaDatamodel', files },
        script: true,
        exitCode: true,
        filters: FILTERS,
      })
      return diff.exitCode === 0 ? null : (diff.stdout as string)
    })
  } finally {
    await shadow.close()
  }
}

/**
 * Writes a new migration (like `prisma migrate dev --create-only`): {@link diffMigrationsAgainstSchema} as
 * `prisma/migrations/<timestamp>_<name>/migration.sql`.
 * @returns the new migration's directory, or null when the schema has not changed.
 */
export async function createMigration(name: string): Promise<string | null> {
  const sql = await diffMigrationsAgainstSchema()
  if (!sql) return null
  const stamp = new Date().toISOString().replace(/\D/g, '').slice(0, 14)
  const dir = join(MIGRATIONS_DIR, `${stamp}_${name}`)
  await mkdir(dir, { recursive: true })
  await writeFile(join(dir, 'migration.sql'), sql)
  const lockPath = join(MIGRATIONS_DIR, 'migration_lock.toml')
  if (!existsSync(lockPath)) await writeFile(lockPath, 'provider = "postgresql"\n')
  return dir
}
