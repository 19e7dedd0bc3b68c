/**
 * Prisma client construction: PostgreSQL through `@prisma/adapter-pg` when a URL is given,
 * otherwise the embedded PGlite (`pglite-prisma-adapter`) in a data directory (or in memory).
 * Migrations are applied first unless `migrate: false`.
 */
import { mkdir } from 'node:fs/promises'
import { dirname } from 'node:path'
import type { PGlite } from '@electric-sql/pglite'
import { PrismaClient } from '../generated/prisma/client.js'
import { applyMigrations, type MigrationTarget } from './migrate.js'

export type Db = {
  prisma: PrismaClient
  kind: 'postgres' | 'pglite'
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
    const adapter = new PrismaPg({ connectionString: params.databaseUrl, max: params.poolSize ?? 10 })
    const prisma = new PrismaClient({ adapter, log: log as never })
    attachQueryLog(prisma, params.onQuery)
    return { prisma, kind: 'postgres', close: () => prisma.$disconnect() }
  }
  const { PGlite } = await import('@electric-sql/pglite')
  if (params.dataDir) await mkdir(dirname(params.dataDir), { recursive: true })
  const pglite: PGlite = new PGlite(params.dataDir)
  await pglite.waitReady
  const target: MigrationTarget = { kind: 'pglite', db: pglite }
  if (params.migrate !== false) await applyMigrations(target)
  const { PrismaPGlite } = await import('pglite-prisma-adapter')
  const prisma = new PrismaClient({ adapter: new PrismaPGlite(pglite) as never, log: log as never })
  attachQueryLog(prisma, params.onQuery)
  return {
    prisma,
    kind: 'pglite',
    close: async () => {
      await prisma.$disconnect()
      if (!pglite.closed) await pglite.close()
    },
  }
}

function attachQueryLog(prisma: PrismaClient, onQuery: CreateDbParameters['onQuery']) {
  if (!onQuery) return
  ;(prisma as unknown as { $on(e: 'query', cb: (e: { query: string; duration: number; params: string }) => void): void }).$on('query', (e) =>
    onQuery({ query: e.query, durationMs: e.duration, params: e.params }),
  )
}
