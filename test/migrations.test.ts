/**
 * Migrations at start (`src/db/migrate.ts`, `src/db/isUpToDate.ts`), as a deployment lives them: a database made
 * by release N, restarted (already up to date: ONE statement reaches the database, the schema engine never runs),
 * then upgraded to release N+1 (its new migration is applied), restarted again, and a migration edited by hand
 * after it was applied (the engine judges it, not the shortcut) — on PostgreSQL and on PGlite.
 *
 * Statements are counted where they leave the process: `pg.Client.prototype.query` (node-pg, which the engine's
 * adapter-pg pool uses too) and the PGlite instance's `query` / `exec` / `transaction`.
 */
import { cp, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { PGlite } from '@electric-sql/pglite'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { createDb } from '../src/db/createDb.js'
import { applyMigrations, getPgliteExtensions, MIGRATIONS_DIR, type MigrationTarget } from '../src/db/migrate.js'
import { createTestDatabase, type TestDatabase } from './helpers/database.js'

type Backend = {
  name: string
  open(): Promise<{
    target: MigrationTarget
    /** statements sent to the database while `fn` ran */
    countStatements<T>(fn: () => Promise<T>): Promise<{ result: T; statements: number }>
    appliedNames(): Promise<string[]>
    close(): Promise<void>
  }>
}

const HISTORY = 'SELECT migration_name FROM _prisma_migrations WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL ORDER BY migration_name'

const databases: TestDatabase[] = []
const dirs: string[] = []
afterAll(async () => {
  await Promise.all(databases.map((d) => d.drop()))
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })))
})

const backends: Backend[] = [
  {
    name: 'PostgreSQL',
    async open() {
      const database = await createTestDatabase('sitest_migrations')
      databases.push(database)
      return {
        target: { kind: 'postgres', url: database.url },
        async countStatements(fn) {
          const spy = vi.spyOn(pg.Client.prototype, 'query')
          try {
            const result = await fn()
            return { result, statements: spy.mock.calls.length }
          } finally {
            spy.mockRestore()
          }
        },
        async appliedNames() {
          const client = new pg.Client({ connectionString: database.url })
          await client.connect()
          try {
            return (await client.query<{ migration_name: string }>(HISTORY)).rows.map((r) => r.migration_name)
          } finally {
            await client.end()
          }
        },
        close: async () => {},
      }
    },
  },
  {
    name: 'PGlite',
    async open() {
      const dir = await mkdtemp(join(tmpdir(), 'sign-migrations-'))
      dirs.push(dir)
      const db = new PGlite({ dataDir: join(dir, 'pglite'), extensions: await getPgliteExtensions() })
      await db.waitReady
      let statements = 0
      for (const method of ['query', 'exec', 'transaction'] as const) {
        const real = db[method].bind(db) as (...args: unknown[]) => unknown
        ;(db as unknown as Record<string, unknown>)[method] = (...args: unknown[]) => {
          statements++
          return real(...args)
        }
      }
      return {
        target: { kind: 'pglite', db },
        async countStatements(fn) {
          const before = statements
          const result = await fn()
          return { result, statements: statements - before }
        },
        appliedNames: async () => (await db.query<{ migration_name: string }>(HISTORY)).rows.map((r) => r.migration_name),
        close: () => db.close(),
      }
    },
  },
]

let releaseNames: string[]
beforeAll(async () => {
  releaseNames = (await readdir(MIGRATIONS_DIR, { withFileTypes: true }))
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort()
  expect(releaseNames.length).toBeGreaterThan(1)
})

/** A copy of the repository's migrations folder holding its first `count` migrations (release N of a deployment). */
async function releaseFolder(count: number): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'sign-release-'))
  dirs.push(dir)
  await cp(join(MIGRATIONS_DIR, 'migration_lock.toml'), join(dir, 'migration_lock.toml'))
  for (const name of releaseNames.slice(0, count)) await cp(join(MIGRATIONS_DIR, name), join(dir, name), { recursive: true })
  return dir
}

describe.each(backends)('migrations at start on $name', ({ open }) => {
  it("an up-to-date database costs one statement; a new release's migration is still applied", async () => {
    const db = await open()
    try {
      const folder = await releaseFolder(releaseNames.length - 1)
      const created = await db.countStatements(() => applyMigrations(db.target, { migrationsDir: folder }))
      expect(created.result).toEqual(releaseNames.slice(0, -1))

      const restart = await db.countStatements(() => applyMigrations(db.target, { migrationsDir: folder }))
      expect(restart).toEqual({ result: [], statements: 1 })

      // release N+1 ships one more migration
      const last = releaseNames.at(-1)!
      await cp(join(MIGRATIONS_DIR, last), join(folder, last), { recursive: true })
      const upgrade = await db.countStatements(() => applyMigrations(db.target, { migrationsDir: folder }))
      expect(upgrade.result).toEqual([last])
      expect(upgrade.statements).toBeGreaterThan(1)
      expect(await db.appliedNames()).toEqual(releaseNames)

      const again = await db.countStatements(() => applyMigrations(db.target))
      expect(again).toEqual({ result: [], statements: 1 })

      // a migration edited after it was applied: no longer "up to date", so the engine (not the shortcut) judges it
      await writeFile(join(folder, last, 'migration.sql'), '-- edited by hand\n', { flag: 'a' })
      const edited = await db.countStatements(() => applyMigrations(db.target, { migrationsDir: folder }).catch((error: Error) => error))
      expect(edited.statements).toBeGreaterThan(1)
    } finally {
      await db.close()
    }
  })
})

it('PostgreSQL: `start` (createDb) on an up-to-date database sends one statement before it serves', async () => {
  const { target, countStatements } = await backends[0]!.open()
  if (target.kind !== 'postgres') throw new Error('unreachable')
  await applyMigrations(target)
  const { result: db, statements } = await countStatements(() => createDb({ databaseUrl: target.url }))
  await db.close()
  expect(statements).toBe(1)
})
