/**
 * The embedded default run twice, as a newcomer does: `sign-indexer start` with no configuration on one data
 * directory, stopped with Ctrl-C (SIGINT) once it has indexed the workload (linked attestations included), then
 * started again on the same directory. The second run starts a fresh devnet, so it must remove the previous run's
 * rows for chain 31337 — linked attestations among them — and index the new chain.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, expect, it } from 'vitest'

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..')
let dir: string

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sign-embedded-'))
})
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true })
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
  const child = spawn(process.execPath, [join(ROOT, 'bin/sign-indexer.mjs'), 'start'], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, DATA_DIR: dir, DEVNET_PORT: String(await freePort()), PORT: String(await freePort()), HOST: '127.0.0.1', LOG_LEVEL: 'info' },
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

/** Polls the run's GraphQL endpoint until it serves linked attestations; fails with the run's output otherwise. */
async function waitForLinkedAttestations(run: Run): Promise<number> {
  const deadline = Date.now() + 90_000
  for (;;) {
    const url = /"graphql_url":"([^"]+)"/.exec(run.output())?.[1]
    if (url) {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: '{ attestations(first: 100) { totalCount edges { node { id linkedAttestation { id } } } } }' }),
      }).catch(() => null)
      const body = res?.ok
        ? ((await res.json()) as { data?: { attestations: { totalCount: number; edges: { node: { linkedAttestation: unknown } }[] } } })
        : null
      const list = body?.data?.attestations
      if (list?.edges.some((e) => e.node.linkedAttestation)) return list.totalCount
    }
    const exited = run.child.exitCode
    if (exited !== null || Date.now() > deadline) throw new Error(`no linked attestations served (exit ${exited}):\n${run.output().slice(-4_000)}`)
    await new Promise((r) => setTimeout(r, 250))
  }
}

it('a second `start` on the same data directory resets the devnet chain and indexes again', async () => {
  const first = await startEmbedded()
  expect(await waitForLinkedAttestations(first)).toBeGreaterThan(0)
  first.child.kill('SIGINT')
  expect(await first.exited).toBe(0)

  const second = await startEmbedded()
  try {
    expect(await waitForLinkedAttestations(second)).toBeGreaterThan(0)
    expect(second.output()).toContain("Fresh devnet: removed the previous run's rows")
    expect(second.output()).not.toMatch(/"level":(50|60)/) // no error or fatal log line
  } finally {
    second.child.kill('SIGINT')
    expect(await second.exited).toBe(0)
  }
}, 240_000)
