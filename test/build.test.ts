/**
 * The compiled CLI, as a user runs it after `npm install` (which runs `npm run build`): `bin/sign-indexer.mjs` runs
 * `dist/` (not tsx), and from `dist/` the embedded default finds everything it needs outside the JavaScript — the
 * Prisma client, `prisma/migrations`, the SP artifact cache, anvil — started twice on one data directory; `migrate`
 * against PostgreSQL; and a build older than a source makes the bin run the sources instead of stale code.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { createTestDatabase } from './helpers/database.js'

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..')
const BIN = join(ROOT, 'bin/sign-indexer.mjs')
const FALLBACK_NOTICE = 'running the TypeScript sources through tsx'
const run = promisify(execFile)
/** this process's environment without the test-wide SIGN_INDEXER_TSX=1 (vitest.config.ts) */
const { SIGN_INDEXER_TSX: _, ...userEnv } = process.env
let dataDir: string

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'sign-build-'))
  await run(process.execPath, ['--import', 'tsx', join(ROOT, 'scripts/build.ts')], { cwd: ROOT })
})
afterAll(async () => {
  if (dataDir) await rm(dataDir, { recursive: true, force: true })
})

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number }
      server.close(() => resolve(port))
    })
  })
}

type Run = { child: ChildProcess; output: () => string; exited: Promise<number | null> }

async function startEmbedded(): Promise<Run> {
  const child = spawn(process.execPath, [BIN, 'start'], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...userEnv, DATA_DIR: dataDir, DEVNET_PORT: String(await freePort()), PORT: String(await freePort()), HOST: '127.0.0.1', LOG_LEVEL: 'info' },
  })
  let out = ''
  child.stdout!.on('data', (d: Buffer) => {
    out += d.toString()
  })
  child.stderr!.on('data', (d: Buffer) => {
    out += d.toString()
  })
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)))
  return { child, output: () => out, exited }
}

/** Polls the run's GraphQL endpoint until it serves a linked attestation; fails with the run's output otherwise. */
async function waitForLinkedAttestation(run: Run): Promise<void> {
  const deadline = Date.now() + 480_000
  for (;;) {
    const url = /"graphql_url":"([^"]+)"/.exec(run.output())?.[1]
    if (url) {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: '{ attestations(first: 50) { edges { node { id linkedAttestation { id } } } } }' }),
      }).catch(() => null)
      const body = res?.ok ? ((await res.json()) as { data?: { attestations: { edges: { node: { linkedAttestation: unknown } }[] } } }) : null
      if (body?.data?.attestations.edges.some((e) => e.node.linkedAttestation)) return
    }
    if (run.child.exitCode !== null || Date.now() > deadline)
      throw new Error(`no linked attestation served (exit ${run.child.exitCode}):\n${run.output().slice(-4_000)}`)
    await new Promise((r) => setTimeout(r, 250))
  }
}

it('`start` from dist/ serves the embedded default, twice on one data directory', async () => {
  for (const attempt of ['fresh data directory', 'second start']) {
    const started = await startEmbedded()
    try {
      await waitForLinkedAttestation(started)
      expect(started.output(), attempt).not.toContain(FALLBACK_NOTICE)
      expect(started.output(), attempt).not.toMatch(/"level":(50|60)/) // no error or fatal log line
    } finally {
      started.child.kill('SIGINT')
    }
    expect(await started.exited, attempt).toBe(0)
  }
}, 1_200_000) // two embedded starts (anvil, seeding, PGlite): minutes on a loaded machine

it('`migrate` from dist/ applies the migrations to PostgreSQL, then finds the database up to date', async () => {
  const database = await createTestDatabase('sitest_build')
  try {
    const migrate = () => run(process.execPath, [BIN, 'migrate', '--database-url', database.url], { cwd: ROOT, env: userEnv })
    const first = await migrate()
    expect(first.stdout + first.stderr).toContain('"msg":"Migrations applied"')
    const second = await migrate()
    expect(second.stdout + second.stderr).toContain('"msg":"Database is up to date"')
    expect(first.stderr + second.stderr).not.toContain(FALLBACK_NOTICE)
  } finally {
    await database.drop()
  }
}, 300_000)

it('a build older than a source file: the bin runs the sources through tsx, with a notice', async () => {
  const info = join(ROOT, 'dist/build-info.json')
  const built = await readFile(info, 'utf8')
  await writeFile(info, JSON.stringify({ builtAt: 0 }))
  try {
    const { stdout, stderr } = await run(process.execPath, [BIN, '--help'], { cwd: ROOT, env: userEnv })
    expect(stderr).toContain(FALLBACK_NOTICE)
    expect(stdout).toContain('Usage: sign-indexer')
  } finally {
    await writeFile(info, built)
  }
})
