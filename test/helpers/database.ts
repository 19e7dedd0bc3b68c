/**
 * Real PostgreSQL databases for test files: one fresh database per call, dropped afterwards.
 * The server is the project machines' PostgreSQL (127.0.0.1:5432, user postgres, trust auth); override it
 * with `TEST_DATABASE_URL` (any database on the server: it is only used to CREATE/DROP DATABASE).
 * Under vitest, when nothing answers there, test/setup/postgresServer.ts starts an embedded PostgreSQL for the run
 * and sets `TEST_DATABASE_URL` to it before the workers start.
 */
import pg from 'pg'

/** the server used when `TEST_DATABASE_URL` is not set */
export const DEFAULT_TEST_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/postgres'

/** read when this module loads, i.e. in each test worker after the global setup ran */
export const ADMIN_DATABASE_URL = process.env.TEST_DATABASE_URL ?? DEFAULT_TEST_DATABASE_URL

export type TestDatabase = {
  /** connection URL of the new, empty database */
  url: string
  /** the database name: `<prefix>_<pid>_<random>` */
  name: string
  /** drops the database (terminating leftover connections); safe to call twice */
  drop(): Promise<void>
}

async function withAdmin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: ADMIN_DATABASE_URL })
  await client.connect()
  try {
    return await fn(client)
  } finally {
    await client.end()
  }
}

/**
 * Creates an empty database with a unique name (safe across parallel vitest workers and processes).
 * @param prefix lower-case letters, digits and underscores, e.g. `sitest_gateway`
 * @throws when the prefix is not a plain identifier or the server refuses the connection
 */
export async function createTestDatabase(prefix: string): Promise<TestDatabase> {
  if (!/^[a-z][a-z0-9_]{0,40}$/.test(prefix)) throw new Error(`Invalid database prefix "${prefix}"`)
  const name = `${prefix}_${process.pid}_${Math.random().toString(36).slice(2, 8)}`
  await withAdmin((client) => client.query(`CREATE DATABASE "${name}"`))
  const url = new URL(ADMIN_DATABASE_URL)
  url.pathname = `/${name}`
  let dropped = false
  return {
    url: url.toString(),
    name,
    drop: async () => {
      if (dropped) return
      dropped = true
      await withAdmin((client) => client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`))
    },
  }
}
