/**
 * The embedded default as a newcomer runs it: `bin/sign-indexer.mjs start` with no configuration (devnet + PGlite)
 * on a data directory, for the suites that start the real CLI (test/embeddedRestart.test.ts, test/build.test.ts).
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..')

/** A running `start`: the child, everything it wrote so far (stdout + stderr), and its exit code once it exits. */
export type EmbeddedRun = { child: ChildProcess; output: () => string; exited: Promise<number | null> }

/**
 * Spawns `start` on `dataDir` on 127.0.0.1, logging at info, its devnet and GraphQL ports picked by the OS when they
 * listen (port 0; the URL is in its log): a port found free beforehand was taken by a parallel suite's process once.
 * @param env the child's environment besides those (default: this process's)
 * @param options `detached`: the child leads its own process group (signal `-pid` to reach its anvil too, as a
 *   terminal's Ctrl-C does)
 */
export async function startEmbedded(dataDir: string, env: NodeJS.ProcessEnv = process.env, options: { detached?: boolean } = {}): Promise<EmbeddedRun> {
  const child = spawn(process.execPath, [join(ROOT, 'bin/sign-indexer.mjs'), 'start'], {
    cwd: ROOT,
    detached: options.detached ?? false,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...env, DATA_DIR: dataDir, DEVNET_PORT: '0', PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info' },
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

/**
 * Polls the run's GraphQL endpoint (the `graphql_url` of its log) every 250 ms until it serves a linked attestation.
 * @returns `attestations.totalCount` at that moment
 * @throws when the run exits first or `timeoutMs` passes, with the last 4,000 characters of its output
 */
export async function waitForLinkedAttestations(run: EmbeddedRun, timeoutMs: number): Promise<number> {
  const deadline = Date.now() + timeoutMs
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
