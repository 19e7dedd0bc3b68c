/**
 * `npm run bench:verify` — the verify stage scaled over processes, while ingest runs.
 *
 *   npm run bench:verify -- [--attestations 10000] [--processes 1,2,4] [--workers 1] [--runner dist|tsx] [--database-url postgres://…]
 *
 * Seeds N attestations once with `attestBatch` on a fresh devnet (seeding time not counted). Then, per entry of
 * `--processes` (P), on a fresh PostgreSQL database: P `sign-indexer verify --verifiers <workers>` processes are
 * started and ready first, then `sign-indexer index` (which runs no verifier) backfills the chain while they drain
 * the queue. The run ends when the indexer's checkpoint is at the head, the queue is empty and every attestation
 * has a verdict. Prints per configuration:
 * - verdicts/s: attestations / (first CREATED journal entry → last first-verdict), and the ingest span for reference
 *   (first → last CREATED entry): when both are about equal, the verifiers kept up with ingest;
 * - how evenly claims spread: jobs per worker (process × worker, each batch's debug log line `Verified a batch` with
 *   its `worker`), min / max and batches per worker;
 * - queue age p50 / p99 / max per attestation: its CREATED entry's transaction → its first STATUS_CHANGED entry's
 *   transaction (both `Event.createdAt`, the transactions' start times on the database's clock).
 * Figures are printed, never asserted.
 */
import { execFileSync } from 'node:child_process'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { Command } from 'commander'
import pg from 'pg'
import { createDb } from '../../src/db/createDb.js'
import { startDevnet } from '../../src/devnet/index.js'
import { createWorkload } from '../../src/devnet/workload.js'
import { createTruthClient } from '../helpers/groundTruth.js'
import { type IndexerProcess, spawnCli, spawnIndexer, writeChainConfig } from '../helpers/indexerProcess.js'

const opts = new Command('bench:verify')
  .option('--attestations <n>', 'attestations to seed', '10000')
  .option('--per-tx <n>', 'attestations per attestBatch transaction', '100')
  .option('--processes <list>', 'verify process counts to run, one fresh database each', '1,2,4')
  .option('--workers <n>', 'verifier workers per verify process (--verifiers)', '1')
  .option(
    '--database-url <url>',
    'PostgreSQL server URL (a fresh database is created on it per configuration)',
    process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
  )
  .option('--max-block-range <n>', 'blocks per eth_getLogs range', '2000')
  .option('--runner <dist|tsx>', 'the processes run dist/ (built first) or the sources through tsx', 'dist')
  .option('--backlog', 'verify processes start after the indexer reached the head and stopped: they drain a standing queue')
  .option('--timeout <s>', 'give up on a configuration after this many seconds', '600')
  .parse()
  .opts()

const N = Number(opts.attestations)
const processCounts = String(opts.processes).split(',').map(Number)
const workersPerProcess = Number(opts.workers)
if (opts.runner !== 'dist' && opts.runner !== 'tsx') throw new Error(`--runner must be dist or tsx, not ${opts.runner}`)
if (opts.runner === 'dist') execFileSync('npm', ['run', 'build', '--silent'], { stdio: 'inherit' })
const runnerEnv: Record<string, string> = opts.runner === 'tsx' ? { SIGN_INDEXER_TSX: '1' } : {}

const devnet = await startDevnet({ port: 0 })
const workload = createWorkload({ rpcUrl: devnet.rpcUrl, address: devnet.address })
const t = performance.now()
await workload.seedBulk({ attestations: N, perTx: Number(opts.perTx) })
const seedS = (performance.now() - t) / 1000
const head = await createTruthClient(devnet.rpcUrl).getBlockNumber({ cacheTime: 0 })
console.log(`Seeded ${N} attestations in ${seedS.toFixed(1)} s (not counted); head block ${head}`)

const admin = new pg.Client({ connectionString: opts.databaseUrl })
await admin.connect()
const dir = await mkdtemp(join(tmpdir(), 'sign-bench-verify-'))
const configPath = await writeChainConfig(join(dir, 'chain.json'), {
  rpcUrl: devnet.rpcUrl,
  chainId: devnet.chainId,
  contract: devnet.address,
  startBlock: devnet.deployBlock,
  maxBlockRange: Number(opts.maxBlockRange),
})

type Row = {
  processes: number
  workers: number
  attestations: number
  jobs: number
  ingestS: number
  verifyS: number
  verdictsPerS: number
  perWorker: number[]
  batchesPerWorker: number[]
  ageP50Ms: number
  ageP99Ms: number
  ageMaxMs: number
  /** CPU seconds of each verify process after its start-up */
  cpuS: number[]
}
const rows: Row[] = []

/** utime + stime of a process from /proc/<pid>/stat, in seconds (0 when gone) */
async function cpuSecondsOf(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '')
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  return (Number(fields[11] ?? 0) + Number(fields[12] ?? 0)) / 100 // clock ticks: 100 per second on Linux
}

const quantile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * q))] ?? Number.NaN
const exitedOf = (p: IndexerProcess) => p.child.exitCode !== null || p.child.signalCode !== null

for (const P of processCounts) {
  const dbName = `sign_bench_verify_${process.pid}_${P}`
  await admin.query(`CREATE DATABASE ${dbName}`)
  const url = new URL(opts.databaseUrl)
  url.pathname = `/${dbName}`
  const db = await createDb({ databaseUrl: url.toString(), poolSize: 4 }) // applies the migrations before anyone starts

  let indexer: IndexerProcess | undefined
  if (opts.backlog) {
    indexer = spawnIndexer(configPath, url.toString(), [], runnerEnv)
    for (;;) {
      const cp = await db.prisma.checkpoint.findUnique({ where: { chainId: devnet.chainId } })
      if (cp && cp.blockNumber >= head) break
      if (exitedOf(indexer)) throw new Error(`indexer exited: ${indexer.output().slice(-3000)}`)
      await new Promise((r) => setTimeout(r, 50))
    }
    indexer.child.kill('SIGTERM')
    await indexer.exited
  }
  // jobs and batches per (process, worker), from each verify process's debug lines
  const jobsBy = new Map<string, { jobs: number; batches: number }>()
  const verifiers: IndexerProcess[] = []
  for (let p = 0; p < P; p++) {
    const proc = spawnCli(['verify', '--database-url', url.toString(), '--verifiers', String(workersPerProcess), '--log-level', 'debug'], 'Verifier running', {
      ...runnerEnv,
      LOG_LEVEL: 'debug',
    })
    for (let w = 0; w < workersPerProcess; w++) jobsBy.set(`${p}:${w}`, { jobs: 0, batches: 0 })
    let pending = ''
    proc.child.stdout!.on('data', (d: Buffer) => {
      pending += d.toString()
      const lines = pending.split('\n')
      pending = lines.pop()!
      for (const line of lines) {
        if (!line.includes('Verified a batch')) continue
        const entry = JSON.parse(line) as { worker: number; jobs: number }
        const counts = jobsBy.get(`${p}:${entry.worker}`)!
        counts.jobs += entry.jobs
        counts.batches++
      }
    })
    verifiers.push(proc)
  }
  await Promise.all(verifiers.map((v) => v.ready))
  for (const v of verifiers) if (exitedOf(v)) throw new Error(`verify process exited: ${v.output().slice(-3000)}`)
  const cpuAtReady = await Promise.all(verifiers.map((v) => cpuSecondsOf(v.child.pid!)))

  indexer ??= spawnIndexer(configPath, url.toString(), [], runnerEnv)
  const deadline = performance.now() + Number(opts.timeout) * 1000
  for (;;) {
    const [state] = await db.prisma.$queryRawUnsafe<{ cp: bigint | null; jobs: number; verdicts: number; attestations: number }[]>(
      `SELECT (SELECT "blockNumber" FROM "Checkpoint" WHERE "chainId" = $1) AS cp,
              (SELECT count(*)::int FROM "VerificationJob") AS jobs,
              (SELECT count(*)::int FROM "Verification") AS verdicts,
              (SELECT count(*)::int FROM "Attestation") AS attestations`,
      devnet.chainId,
    )
    const { cp, jobs, verdicts, attestations } = state!
    if (cp !== null && cp >= head && jobs === 0 && verdicts === attestations) break
    for (const p of opts.backlog ? verifiers : [indexer, ...verifiers]) if (exitedOf(p)) throw new Error(`a process exited: ${p.output().slice(-3000)}`)
    if (performance.now() > deadline) throw new Error(`P=${P}: not done after ${opts.timeout} s (checkpoint ${cp}, jobs ${jobs}, verdicts ${verdicts})`)
    await new Promise((r) => setTimeout(r, 50))
  }
  // CPU seconds (user + system) each verify process used from its start-up's end until now (just before it is stopped)
  const cpuS = await Promise.all(verifiers.map(async (v, i) => (await cpuSecondsOf(v.child.pid!)) - cpuAtReady[i]!))
  for (const p of [indexer, ...verifiers]) if (!exitedOf(p)) p.child.kill('SIGTERM')
  await Promise.all([indexer, ...verifiers].map((p) => p.exited))

  // --backlog: the verify span starts at the first verdict (the queue was full before any verifier started)
  const [span] = await db.prisma.$queryRawUnsafe<{ ingest_s: number; verify_s: number }[]>(
    `SELECT extract(epoch FROM max(c."createdAt") - min(c."createdAt"))::float8 AS ingest_s,
            extract(epoch FROM (SELECT max("createdAt") FROM "Event" WHERE kind = 'STATUS_CHANGED')
              - ${opts.backlog ? `(SELECT min("createdAt") FROM "Event" WHERE kind = 'STATUS_CHANGED')` : 'min(c."createdAt")'})::float8 AS verify_s
     FROM "Event" c WHERE c.kind = 'CREATED' AND c."subjectType" = 'ATTESTATION'`,
  )
  const ages = (
    await db.prisma.$queryRawUnsafe<{ ms: number }[]>(
      `SELECT extract(epoch FROM verdict - created)::float8 * 1000 AS ms FROM (
         SELECT min("createdAt") FILTER (WHERE kind = 'CREATED') AS created, min("createdAt") FILTER (WHERE kind = 'STATUS_CHANGED') AS verdict
         FROM "Event" WHERE "subjectType" = 'ATTESTATION' GROUP BY "chainId", "subjectId"
       ) e WHERE created IS NOT NULL AND verdict IS NOT NULL`,
    )
  )
    .map((r) => r.ms)
    .sort((a, b) => a - b)
  const attestations = await db.prisma.attestation.count()
  const counts = [...jobsBy.values()]
  rows.push({
    processes: P,
    workers: workersPerProcess,
    attestations,
    jobs: counts.reduce((s, c) => s + c.jobs, 0),
    ingestS: span!.ingest_s,
    verifyS: span!.verify_s,
    verdictsPerS: attestations / span!.verify_s,
    perWorker: counts.map((c) => c.jobs),
    batchesPerWorker: counts.map((c) => c.batches),
    ageP50Ms: quantile(ages, 0.5),
    ageP99Ms: quantile(ages, 0.99),
    ageMaxMs: ages.at(-1) ?? Number.NaN,
    cpuS,
  })
  const r = rows.at(-1)!
  console.log(
    `\nP=${P} verify process(es) × ${workersPerProcess} worker(s)${opts.backlog ? ', standing queue' : ''}: ${r.attestations} attestations, ${r.jobs} jobs` +
      `\n  ingest span ${r.ingestS.toFixed(2)} s; ${opts.backlog ? 'first → last' : 'first job → last first-verdict'} ${r.verifyS.toFixed(2)} s = ${Math.round(r.verdictsPerS)} verdicts/s` +
      `\n  jobs per worker: min ${Math.min(...r.perWorker)} / max ${Math.max(...r.perWorker)}  [${r.perWorker.join(', ')}]; batches [${r.batchesPerWorker.join(', ')}]` +
      `\n  verify processes' CPU: ${r.cpuS.map((c) => c.toFixed(1)).join(' + ')} s = ${((1000 * r.cpuS.reduce((a, b) => a + b, 0)) / r.jobs).toFixed(2)} ms per job` +
      `\n  queue age (CREATED → first verdict): p50 ${r.ageP50Ms.toFixed(0)} ms, p99 ${r.ageP99Ms.toFixed(0)} ms, max ${r.ageMaxMs.toFixed(0)} ms`,
  )

  await db.close()
  await admin.query(`DROP DATABASE ${dbName} WITH (FORCE)`)
}

console.log('\nprocesses × workers | verdicts/s | ingest s | verify s | jobs/worker min / max | queue age p99 ms')
for (const r of rows) {
  console.log(
    `${`${r.processes} × ${r.workers}`.padEnd(19)} | ${String(Math.round(r.verdictsPerS)).padStart(10)} | ${r.ingestS.toFixed(2).padStart(8)} | ${r.verifyS.toFixed(2).padStart(8)} | ${`${Math.min(...r.perWorker)} / ${Math.max(...r.perWorker)}`.padStart(21)} | ${r.ageP99Ms.toFixed(0).padStart(16)}`,
  )
}
console.log(JSON.stringify({ attestations: N, runner: opts.runner, backlog: Boolean(opts.backlog), rows }))

await rm(dir, { recursive: true, force: true })
await admin.end()
await devnet.stop()
process.exit(0)
