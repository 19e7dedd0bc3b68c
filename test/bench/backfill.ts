/**
 * `npm run bench` — end-to-end backfill throughput and query latency on a fresh devnet.
 *
 *   npm run bench -- --attestations 10000 [--per-tx 100] [--database-url postgres://…] [--max-block-range 2000] [--runner dist|tsx]
 *
 * Seeds N attestations with `attestBatch` (seeding time is reported apart and not counted), backfills them from
 * the contract's deployment block into a fresh PostgreSQL database with the real indexer running as its own process
 * (`sign-indexer index`, so its peak RSS — VmHWM from /proc — is the indexer's alone), then measures
 * `attestation(id)` and a 50-item `attestations` page through the in-process gateway. Prints figures; asserts nothing.
 * The backfill clock starts when the indexer holds its writer lock (process start-up and migrations excluded); the
 * cold figures count from the spawn: to the first committed attestation, to the last, and to the end of the backfill
 * (the secondary indexes a fresh database defers are built again: src/db/deferredIndexes.ts). `--runner dist` (default)
 * runs `npm run build` and spawns the compiled CLI, `--runner tsx` the TypeScript sources through tsx.
 *
 * Before the indexer, on the same seeded chain and in the same run, the node's floor (`floorReader.ts`: every log by
 * eth_getLogs and every getAttestation pinned at its log's block by Multicall3, nothing else running) is measured;
 * the indexer's rates are printed as a share of it, cold (spawn → last row) and from the first committed row. Only
 * these ratios compare across runs on a shared machine: absolute figures drift with its load.
 */
import { execFileSync } from 'node:child_process'
import { createWriteStream } from 'node:fs'
import { performance } from 'node:perf_hooks'
import { Command } from 'commander'
import pg from 'pg'
import { createDb } from '../../src/db/createDb.js'
import { startDevnet } from '../../src/devnet/index.js'
import { createWorkload } from '../../src/devnet/workload.js'
import { createGateway } from '../../src/gateway/index.js'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { availableParallelism, tmpdir } from 'node:os'
import { join } from 'node:path'
import { createTruthClient } from '../helpers/groundTruth.js'
import { spawnIndexer, writeChainConfig } from '../helpers/indexerProcess.js'
import { createTestCommon } from '../helpers/common.js'
import { measureFloor } from './floorReader.js'
import { cpuSecondsByCommand, getCpuSeconds } from './processUsage.js'

const opts = new Command('bench')
  .option('--attestations <n>', 'attestations to seed', '10000')
  .option('--per-tx <n>', 'attestations per attestBatch transaction', '100')
  .option(
    '--database-url <url>',
    'PostgreSQL server URL (a fresh database is created on it)',
    process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
  )
  .option('--max-block-range <n>', 'blocks per eth_getLogs range', '2000')
  .option('--queries <n>', 'queries per latency figure', '500')
  .option('--runner <dist|tsx>', 'the indexer process runs dist/ (built first) or the sources through tsx', 'dist')
  .option('--floor-range <n>', 'blocks per eth_getLogs of the floor reader on a chain too sparse to size its ranges by density', '10')
  .option('--floor-parallel <n>', 'requests in flight of the floor reader', '4')
  .option('--no-floor', 'skip the floor')
  .option('--indexer-log <file>', "write the indexer's output to this file (with --indexer-log-level, e.g. debug: per-range timings)")
  .option('--indexer-log-level <level>', "the indexer's log level", 'info')
  .parse()
  .opts()

const N = Number(opts.attestations)
if (opts.runner !== 'dist' && opts.runner !== 'tsx') throw new Error(`--runner must be dist or tsx, not ${opts.runner}`)
if (opts.runner === 'dist') execFileSync('npm', ['run', 'build', '--silent'], { stdio: 'inherit' })

const devnet = await startDevnet({ port: 0 })
const workload = createWorkload({ rpcUrl: devnet.rpcUrl, address: devnet.address })
let t = performance.now()
await workload.seedBulk({ attestations: N, perTx: Number(opts.perTx) })
const seedS = (performance.now() - t) / 1000
const seededHead = await createTruthClient(devnet.rpcUrl).getBlockNumber({ cacheTime: 0 })
// the node's floor on this chain, now, with nothing else running (no database, no indexer)
const floorCpuStart = { self: process.cpuUsage(), anvil: cpuSecondsByCommand('anvil') }
const floor = opts.floor
  ? await measureFloor({
      rpcUrl: devnet.rpcUrl,
      contract: devnet.address,
      multicall3: devnet.multicall3,
      fromBlock: devnet.deployBlock,
      toBlock: seededHead,
      blocksPerRange: Number(opts.floorRange),
      parallel: Number(opts.floorParallel),
    })
  : undefined
const floorCpu = {
  reader: (() => {
    const u = process.cpuUsage(floorCpuStart.self)
    return (u.user + u.system) / 1e6
  })(),
  anvil: cpuSecondsByCommand('anvil') - floorCpuStart.anvil,
}
if (floor?.failedReads) throw new Error(`floor: ${floor.failedReads} getAttestation reads failed`)
const floorRate = floor ? floor.attestations / floor.seconds : Number.NaN

const dbName = `sign_bench_${process.pid}`
const admin = new pg.Client({ connectionString: opts.databaseUrl })
await admin.connect()
await admin.query(`CREATE DATABASE ${dbName}`)
const url = new URL(opts.databaseUrl)
url.pathname = `/${dbName}`
const db = await createDb({ databaseUrl: url.toString(), poolSize: 10 })

const dir = await mkdtemp(join(tmpdir(), 'sign-bench-'))
const config = await writeChainConfig(join(dir, 'chain.json'), {
  rpcUrl: devnet.rpcUrl,
  chainId: devnet.chainId,
  contract: devnet.address,
  startBlock: devnet.deployBlock,
  maxBlockRange: Number(opts.maxBlockRange),
})
const head = await db.prisma
  .$queryRawUnsafe<{ n: bigint }[]>('SELECT 0::bigint AS n')
  .then(() => createTruthClient(devnet.rpcUrl).getBlockNumber({ cacheTime: 0 }))
const spawnedAt = performance.now()
const cpuAtSpawn = { postgres: cpuSecondsByCommand('postgres'), anvil: cpuSecondsByCommand('anvil') }
const indexer = spawnIndexer(
  config,
  url.toString(),
  ['--log-level', opts.indexerLogLevel],
  opts.runner === 'tsx' ? { SIGN_INDEXER_TSX: '1', LOG_LEVEL: opts.indexerLogLevel } : { LOG_LEVEL: opts.indexerLogLevel },
)
if (opts.indexerLog) {
  const out = createWriteStream(opts.indexerLog)
  indexer.child.stdout!.pipe(out)
  indexer.child.stderr!.pipe(out)
}
let firstRowAt: number | undefined
let indexerPeakKiB = 0
const watchFirstRow = async () => {
  if (firstRowAt === undefined && (await db.prisma.attestation.findFirst({ where: { chainId: devnet.chainId }, select: { attestationId: true } })))
    firstRowAt = performance.now()
}
while (!(await Promise.race([indexer.ready.then(() => true), new Promise<false>((r) => setTimeout(() => r(false), 20))]))) await watchFirstRow()
const readyAt = performance.now()
const rssAtLockMiB = Number(/VmRSS:\s+(\d+)/.exec(await readFile(`/proc/${indexer.child.pid}/status`, 'utf8').catch(() => ''))?.[1] ?? 0) / 1024
t = readyAt
/** Polls every 20 ms (tracking the indexer's peak RSS and its first row) until `done()`; throws if the indexer exits. */
const pollUntil = async (done: () => Promise<boolean>) => {
  for (;;) {
    const status = await readFile(`/proc/${indexer.child.pid}/status`, 'utf8').catch(() => '')
    indexerPeakKiB = Math.max(indexerPeakKiB, Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0))
    await watchFirstRow()
    if (await done()) return
    if (indexer.child.exitCode !== null || indexer.child.signalCode !== null) {
      throw new Error(`indexer exited (${indexer.child.exitCode ?? indexer.child.signalCode}): ${indexer.output().slice(-3000)}`)
    }
    await new Promise((r) => setTimeout(r, 20))
  }
}
await pollUntil(async () => ((await db.prisma.checkpoint.findUnique({ where: { chainId: devnet.chainId } }))?.blockNumber ?? -1n) >= head)
const lastRowAt = performance.now()
await watchFirstRow() // the first row appeared after the last check: counted at the end
// a fresh database backfills without its secondary indexes (src/db/deferredIndexes.ts): the backfill is done when
// they are built again, and that is the end of every rate below
await pollUntil(async () => (await db.prisma.$queryRawUnsafe<{ n: number }[]>('SELECT count(*)::int AS n FROM "DeferredIndex"'))[0]?.n === 0)
const indexedAt = performance.now()
// where the machine's CPU went from the spawn to the end of the backfill (the node's floor has anvil to itself)
const cpu = {
  indexer: getCpuSeconds(indexer.child.pid!),
  postgres: cpuSecondsByCommand('postgres') - cpuAtSpawn.postgres,
  anvil: cpuSecondsByCommand('anvil') - cpuAtSpawn.anvil,
}
const backfillS = (indexedAt - t) / 1000
indexer.child.kill('SIGTERM')
await indexer.exited
await rm(dir, { recursive: true, force: true })
const stored = await db.prisma.attestation.count()
const backfillPeakRss = indexerPeakKiB * 1024

const gateway = createGateway({ prisma: db.prisma, common: createTestCommon() })
const q = async (query: string, variables: Record<string, unknown>) => {
  const res = await gateway.yoga.fetch('http://bench/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query, variables }),
  })
  const body = (await res.json()) as { errors?: unknown[]; data?: unknown }
  if (body.errors) throw new Error(JSON.stringify(body.errors))
  return body.data
}
const latency = async (fn: (i: number) => Promise<unknown>) => {
  const samples: number[] = []
  for (let i = 0; i < Number(opts.queries); i++) {
    const s = performance.now()
    await fn(i)
    samples.push(performance.now() - s)
  }
  samples.sort((a, b) => a - b)
  return { p50: samples[Math.floor(samples.length * 0.5)]!, p99: samples[Math.floor(samples.length * 0.99)]! }
}
const one = await latency((i) =>
  q('query($id: ID!) { attestation(id: $id) { id attester schema { id } recipients { address } decodedData } }', {
    id: `onchain_evm_${devnet.chainId}_0x${(1 + ((i * 7919) % N)).toString(16)}`,
  }),
)
const page = await latency(() =>
  q('query { attestations(first: 50) { edges { node { id attester schema { id } linkedAttestation { id } } } pageInfo { endCursor } } }', {}),
)

const rate = stored / backfillS
console.log(`\nBackfill: ${stored} attestations in ${backfillS.toFixed(2)} s = ${Math.round(rate)} att/s (seeding ${seedS.toFixed(1)} s, not counted)`)
console.log(
  `  cold (${opts.runner}): spawn → writer lock ${((readyAt - spawnedAt) / 1000).toFixed(2)} s, spawn → first committed row ${((firstRowAt! - spawnedAt) / 1000).toFixed(2)} s, first → last row ${((lastRowAt - firstRowAt!) / 1000).toFixed(2)} s, last row → deferred indexes built ${((indexedAt - lastRowAt) / 1000).toFixed(2)} s, spawn → indexes built ${((indexedAt - spawnedAt) / 1000).toFixed(2)} s = ${Math.round(stored / ((indexedAt - spawnedAt) / 1000))} att/s`,
)
console.log(
  `  indexer process peak RSS (VmHWM): ${(backfillPeakRss / 2 ** 20).toFixed(0)} MiB (RSS at the writer lock: ${rssAtLockMiB.toFixed(0)} MiB); max range ${opts.maxBlockRange} blocks`,
)
const coldRate = stored / ((indexedAt - spawnedAt) / 1000)
const firstRowRate = stored / ((indexedAt - firstRowAt!) / 1000)
if (floor)
  console.log(
    `  node floor (same chain, this run: eth_getLogs of ~5,000 logs + getAttestation by aggregate3 of 250, ${opts.floorParallel} requests in flight): ${floor.attestations} attestations (${floor.logs} logs) in ${floor.seconds.toFixed(2)} s = ${Math.round(floorRate)} att/s`,
  )
if (floor)
  console.log(
    `  the floor's CPU: reader ${floorCpu.reader.toFixed(2)} s, anvil ${floorCpu.anvil.toFixed(2)} s = ${((1e6 * (floorCpu.reader + floorCpu.anvil)) / floor.attestations).toFixed(0)} µs per attestation`,
  )
// without the floor (--no-floor) there is no share to print
if (floor)
  console.log(
    `  ours: cold ${Math.round(coldRate)} att/s = ${((100 * coldRate) / floorRate).toFixed(0)} % of the floor; first row → indexes built ${Math.round(firstRowRate)} att/s = ${((100 * firstRowRate) / floorRate).toFixed(0)} %; from the writer lock ${((100 * rate) / floorRate).toFixed(0)} %`,
  )
else console.log(`  ours: cold ${Math.round(coldRate)} att/s; first row → indexes built ${Math.round(firstRowRate)} att/s (no floor: --no-floor)`)
console.log(
  `  CPU from the spawn to the end (${((indexedAt - spawnedAt) / 1000).toFixed(2)} s wall, ${availableParallelism()} cores): indexer ${cpu.indexer.toFixed(2)} s, PostgreSQL ${cpu.postgres.toFixed(2)} s, anvil ${cpu.anvil.toFixed(2)} s = ${((1e6 * (cpu.indexer + cpu.postgres + cpu.anvil)) / stored).toFixed(0)} µs per attestation (indexer ${((1e6 * cpu.indexer) / stored).toFixed(0)}, PostgreSQL ${((1e6 * cpu.postgres) / stored).toFixed(0)}, anvil ${((1e6 * cpu.anvil) / stored).toFixed(0)})`,
)
console.log(`attestation(id):         p50 ${one.p50.toFixed(2)} ms  p99 ${one.p99.toFixed(2)} ms  (${opts.queries} queries)`)
console.log(`attestations(first: 50): p50 ${page.p50.toFixed(2)} ms  p99 ${page.p99.toFixed(2)} ms  (${opts.queries} queries)`)
console.log(
  JSON.stringify({
    attestations: stored,
    runner: opts.runner,
    startupSeconds: (readyAt - spawnedAt) / 1000,
    firstRowSeconds: (firstRowAt! - spawnedAt) / 1000,
    coldSeconds: (indexedAt - spawnedAt) / 1000,
    lastRowSeconds: (lastRowAt - spawnedAt) / 1000,
    cpuSeconds: cpu,
    backfillSeconds: backfillS,
    attPerSecond: rate,
    floor,
    floorAttPerSecond: floorRate,
    coldAttPerSecond: coldRate,
    firstRowAttPerSecond: firstRowRate,
    coldRatio: coldRate / floorRate,
    firstRowRatio: firstRowRate / floorRate,
    peakRssMiB: backfillPeakRss / 2 ** 20,
    rssAtLockMiB,
    one,
    page,
  }),
)

await gateway.close?.()
await db.close()
await admin.query(`DROP DATABASE ${dbName} WITH (FORCE)`)
await admin.end()
await devnet.stop()
process.exit(0)
