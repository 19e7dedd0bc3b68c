/**
 * `npm run bench:start` — how long the embedded default takes to start, as a user runs it: `sign-indexer start`
 * with no configuration (devnet + PGlite + gateway), once on a fresh data directory, then again on the same one.
 *
 *   npm run bench:start -- [--runner dist|tsx|npm] [--runs 1] [--root <checkout>]
 *
 * `--runner dist` (default) spawns `node bin/sign-indexer.mjs start` after `npm run build`; `tsx` the same with
 * `SIGN_INDEXER_TSX=1` (the TypeScript sources through tsx, as before the build step); `npm` spawns `npm start`.
 * Prints, per start, the milliseconds from spawn to the first committed range holding attestations (the indexer's
 * `Committed range` debug line) and to the first `/readyz` 200. `--root` times another checkout's bin (e.g. an older
 * commit's, for a before/after in the same hour). Figures are printed, never asserted.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'

const { values } = parseArgs({ options: { runner: { type: 'string', default: 'dist' }, runs: { type: 'string', default: '1' }, root: { type: 'string' } } })
const ROOT = resolve(values.root ?? join(dirname(fileURLToPath(import.meta.url)), '../..'))
const runner = values.runner as 'dist' | 'tsx' | 'npm'
if (!['dist', 'tsx', 'npm'].includes(runner)) throw new Error(`--runner must be dist, tsx or npm, not ${runner}`)

async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  await new Promise((resolve) => server.close(resolve))
  return port
}

type StartFigures = { firstRowMs: number; readyMs: number }

/** Spawns one embedded `start` on `dataDir`, waits for its first committed attestations and readiness, stops it. */
async function measureStart(dataDir: string): Promise<StartFigures> {
  const port = await freePort()
  const env = { ...process.env, DATA_DIR: dataDir, PORT: String(port), DEVNET_PORT: String(await freePort()), HOST: '127.0.0.1', LOG_LEVEL: 'debug' }
  const t0 = performance.now()
  const child: ChildProcess =
    runner === 'npm'
      ? spawn('npm', ['start', '--silent'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true })
      : spawn(process.execPath, [join(ROOT, 'bin/sign-indexer.mjs'), 'start'], {
          cwd: ROOT,
          env: { ...env, ...(runner === 'tsx' && { SIGN_INDEXER_TSX: '1' }) },
          stdio: ['ignore', 'pipe', 'pipe'],
        })
  let firstRowMs = Number.NaN
  let tail = ''
  let pending = ''
  const onData = (d: Buffer) => {
    pending += d.toString()
    const lines = pending.split('\n')
    pending = lines.pop() ?? ''
    for (const line of lines) {
      tail = `${tail}${line}\n`.slice(-8_000)
      if (Number.isNaN(firstRowMs) && line.includes('"msg":"Committed range"') && /"attestations":[1-9]/.test(line)) firstRowMs = performance.now() - t0
    }
  }
  child.stdout!.on('data', onData)
  child.stderr!.on('data', onData)
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()))
  // npm runs the CLI as its grandchild: signal the whole group, as Ctrl-C in a terminal does
  const stop = async () => {
    if (child.exitCode === null) runner === 'npm' ? process.kill(-child.pid!, 'SIGINT') : child.kill('SIGINT')
    await exited
  }
  let readyMs = Number.NaN
  const deadline = Date.now() + 600_000
  try {
    while (Number.isNaN(readyMs) || Number.isNaN(firstRowMs)) {
      if (child.exitCode !== null || Date.now() > deadline) throw new Error(`start did not get ready (exit ${child.exitCode}):\n${tail}`)
      if (
        Number.isNaN(readyMs) &&
        (await fetch(`http://127.0.0.1:${port}/readyz`).then(
          (r) => r.status === 200,
          () => false,
        ))
      )
        readyMs = performance.now() - t0
      await new Promise((resolve) => setTimeout(resolve, 10))
    }
  } finally {
    await stop()
  }
  return { firstRowMs, readyMs }
}

if (runner === 'dist') execFileSync('npm', ['run', 'build', '--silent'], { cwd: ROOT, stdio: 'inherit' })
const results: { run: number; start: 'fresh data dir' | 'second start'; figures: StartFigures }[] = []
for (let run = 1; run <= Number(values.runs); run++) {
  const dataDir = await mkdtemp(join(tmpdir(), 'sign-start-'))
  try {
    results.push({ run, start: 'fresh data dir', figures: await measureStart(dataDir) })
    results.push({ run, start: 'second start', figures: await measureStart(dataDir) })
  } finally {
    await rm(dataDir, { recursive: true, force: true })
  }
}
console.log(`\nEmbedded start (${runner === 'npm' ? 'npm start' : runner === 'tsx' ? 'bin through tsx' : 'bin, compiled dist/'}), ms from spawn:`)
for (const r of results) {
  console.log(
    `  run ${r.run} ${r.start.padEnd(14)}  first committed attestations ${r.figures.firstRowMs.toFixed(0).padStart(6)}  /readyz 200 ${r.figures.readyMs.toFixed(0).padStart(6)}`,
  )
}
console.log(JSON.stringify({ runner, results }))
