/**
 * Query throughput and latency at scale (issue 14): `npm run bench:queries -- [--rows 100000] [--concurrency 1,50]
 * [--duration 5] [--only byid,page.attester] [--seed 1] [--keep-db | --database-url URL] [--cpu-prof DIR] [--no-direct]`
 *
 * 1. Seeds N attestations by SQL in the shape ingest writes (test/helpers/seedRows.ts: 3 chains of 4/7, 2/7 and 1/7
 *    of the rows, 10 attesters, 21 schemas per chain, address and text recipients, 2 % revoked, lineage blocks of a
 *    12-deep spine + 8 branches, a Verification row each, the Chain rows). `--database-url` reuses a database this
 *    bench seeded (kept with `--keep-db`); an empty one is migrated and seeded.
 * 2. Starts the gateway as its own process (the real CLI, `sign-indexer serve` on PostgreSQL), waits for /readyz.
 * 3. For each query type (test/bench/queryLoads.ts; `--only` keeps the types whose key starts with one of the words)
 *    and each concurrency: closed-loop load by autocannon (one connection per concurrent client, no pipelining), a
 *    body drawn per request from the seeded generator. Prints req/s, p50/p99 latency (ms, from autocannon's
 *    per-response times), errors (non-200 responses and GraphQL errors, the first of them printed), the gateway's CPU
 *    seconds and peak RSS during the run (/proc; CPU s / done = CPU per request) and the responses counted (`done`;
 *    requests still in flight when the run ends are not); VmHWM at the end.
 * 4. Unless `--no-direct`: the same kinds of reads by node-pg directly on a pool of 50 (the headroom).
 *
 * `--cpu-prof DIR` starts the gateway with `--cpu-prof --cpu-prof-dir=DIR` (written when it exits);
 * `npx tsx test/bench/cpuProfileSummary.ts DIR/*.cpuprofile` ranks where the time went.
 * Load generator and gateway share this machine's cores. Figures are printed, never asserted.
 */
import { performance } from 'node:perf_hooks'
import autocannon from 'autocannon'
import { Command } from 'commander'
import pg from 'pg'
import { applyMigrations } from '../../src/db/migrate.js'
import { createTestDatabase, type TestDatabase } from '../helpers/database.js'
import { mulberry32 as random } from '../helpers/faultProxy.js'
import { spawnGateway } from '../helpers/indexerProcess.js'
import { type SeedChain, seedRows } from '../helpers/seedRows.js'
import { createDirectReads, runDirectRead } from './directReads.js'
import { getTreeMemoryMiB, measureProcess } from './processUsage.js'
import { BENCH_LINEAGE, buildQueryLoads, type QueryLoad } from './queryLoads.js'

const opts = new Command('bench-queries')
  .option('--rows <n>', 'attestations to seed', '100000')
  .option('--concurrency <list>', 'concurrent clients, comma-separated', '1,50')
  .option('--duration <s>', 'seconds per query type and concurrency', '5')
  .option('--only <keys>', 'query types whose key starts with one of these (comma-separated): byid, page, page.attester, lineage.up, count, …')
  .option('--days <n>', 'UTC days the seeded rows span on the largest chain (block time stretched to fit, ≥ 1 s)', '365')
  .option('--seed <n>', 'seed of ids and cursors', String(Date.now() % 100_000))
  .option('--keep-db', 'keep the seeded database and print its URL')
  .option('--database-url <url>', 'reuse this database (seeded by this bench; migrated and seeded when empty)')
  .option('--workers <n>', 'gateway processes (serve --workers; CPU and RSS are summed over them)', '1')
  .option('--cpu-prof <dir>', 'profile the gateway process (node --cpu-prof into DIR)')
  .option('--no-direct', 'skip the node-pg headroom figures')
  .parse()
  .opts()

const ROWS = Number(opts.rows)
const CONCURRENCY = String(opts.concurrency).split(',').map(Number)
const DURATION_S = Number(opts.duration)
const SEED = Number(opts.seed)
const ONLY = opts.only
  ? String(opts.only)
      .split(',')
      .map((w) => w.trim().toLowerCase())
  : null
console.log(`bench:queries seed ${SEED} (--seed ${SEED} repeats the ids and cursors)`)

let created: TestDatabase | undefined
const databaseUrl = opts.databaseUrl ? String(opts.databaseUrl) : (created = await createTestDatabase('bench_queries')).url
const pool = new pg.Pool({ connectionString: databaseUrl, max: 50 })
let gateway: ReturnType<typeof spawnGateway> | undefined

/** The chains and rows in the database, or null when it holds no attestation (or no tables). */
async function readSeededChains(): Promise<SeedChain[] | null> {
  const tables = await pool.query(`SELECT 1 FROM information_schema.tables WHERE table_name = 'Attestation'`)
  if (!tables.rowCount) return null
  const { rows } = await pool.query(`SELECT "chainId", max("attestationId")::int AS rows FROM "Attestation" GROUP BY 1 ORDER BY 2 DESC`)
  return rows.length ? (rows as SeedChain[]) : null
}

async function seed(): Promise<SeedChain[]> {
  const started = performance.now()
  await applyMigrations({ kind: 'postgres', url: databaseUrl })
  const a = Math.floor((ROWS * 4) / 7)
  const b = Math.floor((ROWS * 2) / 7)
  const chains = [
    { chainId: 31337, rows: a },
    { chainId: 10, rows: b },
    { chainId: 8453, rows: ROWS - a - b },
  ]
  await seedRows(pool, {
    chains,
    lineageLength: BENCH_LINEAGE.length,
    branches: BENCH_LINEAGE.branches,
    verifications: true,
    chainRows: true,
    // blocks of 3 attestations, stretched so the largest chain spans --days (dashboards ask for days and weeks)
    secondsPerBlock: Math.max(1, Math.floor((Number(opts.days) * 86_400) / Math.max(1, Math.floor(a / 3)))),
    onStep: (label) => console.log(`  seeded ${label} (${((performance.now() - started) / 1000).toFixed(1)} s)`),
  })
  console.log(`seeded ${ROWS} attestations in ${((performance.now() - started) / 1000).toFixed(1)} s`)
  return chains
}

/** Closed-loop load of one query type at one concurrency; every response checked for status 200 and no `errors`. */
async function runLoad(url: string, load: QueryLoad, connections: number, seconds: number) {
  const times: number[] = []
  let errors = 0
  const samples: string[] = []
  let instance!: autocannon.Instance
  const done = new Promise<autocannon.Result>((resolve, reject) => {
    instance = autocannon(
      {
        url,
        connections,
        pipelining: 1,
        duration: seconds,
        timeout: 30,
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        requests: [
          {
            setupRequest: (req) => ({ ...req, body: load.body() }),
            onResponse: (status, body) => {
              if (status !== 200 || body.includes('"errors":[')) {
                errors++
                if (samples.length < 3) samples.push(`${status} ${body.slice(0, 300)}`)
              }
            },
          },
        ],
      },
      (err, result) => (err ? reject(err) : resolve(result)),
    )
  })
  instance.on('response', (_client, _status, _bytes, ms) => {
    times.push(ms)
  })
  const result = await done
  times.sort((x, y) => x - y)
  const p = (q: number) => times[Math.min(times.length - 1, Math.floor(q * times.length))] ?? NaN
  const failed = result.errors + result.timeouts
  return { perSecond: times.length / (result.duration || seconds), p50: p(0.5), p99: p(0.99), requests: times.length, errors: errors + failed, samples }
}

/**
 * Waits until the gateway works on no request (`sign_indexer_graphql_in_flight` 0 on /metrics): requests a run left
 * in flight (autocannon stops sending, the gateway still answers them) would otherwise load the next run.
 * @returns the seconds waited
 */
async function waitIdle(url: string, maxSeconds = 120): Promise<number> {
  const started = performance.now()
  while (performance.now() - started < maxSeconds * 1000) {
    const text = await fetch(new URL('/metrics', url))
      .then((r) => r.text())
      .catch(() => '')
    const inFlight = /^sign_indexer_graphql_in_flight (\S+)$/m.exec(text)
    if (inFlight && Number(inFlight[1]) === 0) break
    await new Promise((r) => setTimeout(r, 100))
  }
  return (performance.now() - started) / 1000
}

const fmt = (n: number, digits = 1) => (Number.isFinite(n) ? n.toFixed(digits) : '-')

try {
  const chains = (await readSeededChains()) ?? (await seed())
  console.log(`rows: ${chains.map((c) => `chain ${c.chainId} ${c.rows}`).join(', ')}`)
  const next = random(SEED)
  const loads = (await buildQueryLoads(pool, chains, SEED, next)).filter((l) => !ONLY || ONLY.some((w) => l.key.startsWith(w)))

  if (opts.cpuProf) process.env.INDEXER_NODE_ARGS = `${process.env.INDEXER_NODE_ARGS ?? ''} --cpu-prof --cpu-prof-dir=${opts.cpuProf}`
  gateway = spawnGateway(databaseUrl, Number(opts.workers) > 1 ? ['--workers', String(opts.workers)] : [])
  const started = performance.now()
  await Promise.race([
    gateway.ready,
    gateway.exited.then((code) => {
      throw new Error(`gateway exited (${code}): ${gateway!.output()}`)
    }),
  ])
  const url = gateway.url()
  if (!url) throw new Error(`no GraphQL URL in the gateway's output: ${gateway.output()}`)
  for (let ready = false; !ready; ) ready = (await fetch(new URL('/readyz', url)).catch(() => null))?.status === 200
  const pid = gateway.child.pid!
  console.log(`gateway pid ${pid} ready in ${((performance.now() - started) / 1000).toFixed(1)} s at ${url}; RSS ${fmt(getTreeMemoryMiB(pid).rss, 0)} MiB`)
  console.log(
    `\n${'query type'.padEnd(72)} ${'c'.padStart(3)} ${'req/s'.padStart(8)} ${'p50 ms'.padStart(8)} ${'p99 ms'.padStart(8)} ${'errors'.padStart(7)} ${'cpu s'.padStart(6)} ${'rss MiB'.padStart(8)} ${'done'.padStart(6)}`,
  )
  for (const load of loads) {
    await runLoad(url, load, 4, 1) // warm-up: plans cached, JIT warm
    await waitIdle(url)
    for (const c of CONCURRENCY) {
      const { result: r, cpuSeconds, peakRssMiB } = await measureProcess(pid, () => runLoad(url, load, c, DURATION_S))
      console.log(
        `${`${load.name} [${load.key}]`.padEnd(72)} ${String(c).padStart(3)} ${fmt(r.perSecond).padStart(8)} ${fmt(r.p50, 2).padStart(8)} ${fmt(r.p99, 2).padStart(8)} ${String(r.errors).padStart(7)} ${fmt(cpuSeconds, 2).padStart(6)} ${fmt(peakRssMiB, 0).padStart(8)} ${String(r.requests).padStart(6)}`,
      )
      if (!r.requests) console.log(`    no response within ${DURATION_S} s (requests still in flight when the run ended are not counted)`)
      for (const s of r.samples) console.log(`    error: ${s}`)
      const drained = await waitIdle(url)
      if (drained > 1) console.log(`    the gateway finished the requests left in flight ${drained.toFixed(1)} s after the run`)
    }
  }
  console.log(`gateway peak RSS over the run (VmHWM): ${fmt(getTreeMemoryMiB(pid).peak, 0)} MiB`)

  if (opts.direct) {
    console.log(
      `\nheadroom: node-pg directly, pool of 50\n${'read'.padEnd(72)} ${'c'.padStart(3)} ${'reads/s'.padStart(8)} ${'p50 ms'.padStart(8)} ${'p99 ms'.padStart(8)} ${'errors'.padStart(7)} ${'rows'.padStart(6)}`,
    )
    for (const read of createDirectReads(chains, next)) {
      await runDirectRead(pool, read, 4, 1)
      for (const c of CONCURRENCY) {
        const r = await runDirectRead(pool, read, c, DURATION_S)
        console.log(
          `${read.name.padEnd(72)} ${String(c).padStart(3)} ${fmt(r.perSecond).padStart(8)} ${fmt(r.p50, 2).padStart(8)} ${fmt(r.p99, 2).padStart(8)} ${String(r.errors).padStart(7)} ${fmt(r.rowsPerRead).padStart(6)}`,
        )
      }
    }
  }
} finally {
  if (gateway && gateway.child.exitCode === null) {
    gateway.child.kill('SIGTERM')
    await gateway.exited
    if (opts.cpuProf) console.log(`gateway CPU profile written to ${opts.cpuProf}`)
  }
  await pool.end()
  if (created && opts.keepDb) console.log(`kept the database: --database-url ${created.url}`)
  else await created?.drop()
}
