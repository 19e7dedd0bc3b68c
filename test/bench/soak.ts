/**
 * `npm run soak -- --minutes N [--seed S] [--fault-rate 0.05]` — the whole system under pressure for N minutes:
 * a live workload on the devnet (with the hostile records of src/devnet/poisonPills.ts), the real CLI indexer reading through the fault-injecting proxy, SIGKILLed and
 * restarted at seeded random moments, random reorgs (anvil_reorg, depth 1–16, covering linked attestations: the count is printed). At the end the faults stop, a last
 * indexer converges, and the WHOLE database is compared with the ground truth read from the contract.
 * Prints kills, reorgs, faults survived, rows compared and differences (must be 0); exits 1 on any difference.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Command } from 'commander'
import { createDb } from '../../src/db/createDb.js'
import { createWorkload, startDevnet } from '../../src/devnet/index.js'
import { createTestDatabase } from '../helpers/database.js'
import { createFaultProxy, FAULT_KINDS, mulberry32 } from '../helpers/faultProxy.js'
import { countRolledBackAbove, createTruthClient, waitForGroundTruth } from '../helpers/groundTruth.js'
import { type IndexerProcess, spawnIndexer, writeChainConfig } from '../helpers/indexerProcess.js'

const opts = new Command('soak')
  .option('--minutes <n>', 'duration of the pressure phase', '10')
  .option('--seed <n>', 'seed for kills, reorgs and faults', '1')
  .option('--fault-rate <r>', 'probability of each fault kind per request', '0.03')
  .parse()
  .opts()

const random = mulberry32(Number(opts.seed))
// Every state in anvil's memory: by default anvil moves older states to disk, and after ~75 anvil_reorgs it has lost
// the contract's state at its head (getCode empty, attestationCounter "0x": test/bench/anvilReorgs.ts reproduces it;
// with --prune-history 100000 the same 80 seeded reorgs keep it).
const devnet = await startDevnet({ port: 0, args: ['--prune-history', '100000'] })
const workload = createWorkload({ rpcUrl: devnet.rpcUrl, address: devnet.address })
await workload.seedScenario()
await workload.seedBulk({ attestations: 2_000, perTx: 50, txPerBlock: 1 })
const proxy = await createFaultProxy({ target: devnet.rpcUrl, seed: Number(opts.seed), rates: Object.fromEntries(FAULT_KINDS.filter((k) => k !== 'lagging').map((k) => [k, Number(opts.faultRate)])) })
const database = await createTestDatabase('soak')
await (await createDb({ databaseUrl: database.url })).close()
const dir = await mkdtemp(join(tmpdir(), 'sign-soak-'))
const config = await writeChainConfig(join(dir, 'chain.json'), { rpcUrl: proxy.url, chainId: devnet.chainId, contract: devnet.address, startBlock: devnet.deployBlock, maxBlockRange: 20 })
const truthClient = createTruthClient(devnet.rpcUrl)
const rpc = (method: string, params: unknown[] = []) => truthClient.request({ method: method as never, params: params as never })

// Reorgs never overlap a workload transaction: anvil_reorg racing a transaction being mined has left anvil's chain
// inconsistent (a block answering null; attestation ids out of block order, so the "truth" itself was impossible).
let surgery: Promise<unknown> = Promise.resolve()
let inFlight: Promise<unknown> = Promise.resolve()
const around = <T>(action: () => Promise<T>): Promise<T> => {
  const run = surgery.then(action)
  inFlight = Promise.allSettled([inFlight, run])
  return run
}
/** Holds new workload transactions, lets the ones in flight finish, runs `work`, then lets the workload go on. */
const paused = async <T>(work: () => Promise<T>): Promise<T> => {
  let release!: () => void
  const gate = new Promise<void>((resolve) => (release = resolve))
  const previous = surgery
  const settled = inFlight
  surgery = gate
  try {
    await previous
    await settled
    return await work()
  } finally {
    release()
  }
}
const live = new AbortController()
const liveRun = workload.runLive({ intervalMs: 300, signal: live.signal, around, random: mulberry32(Number(opts.seed) + 1), poisonPills: true }).catch((error) => console.error('workload stopped:', error))
const end = Date.now() + Number(opts.minutes) * 60_000
let kills = 0
let reorgs = 0
/** attestations a reorg took back while the one they link to went with them (the case that once stalled the chain) */
let linkedRolledBack = 0
/** indexed attestations above the reorgs' ancestors when they struck (what the rollbacks removed) */
let rolledBack = 0
const watch = await createDb({ databaseUrl: database.url, migrate: false })
let current: IndexerProcess | null = null
console.log(`soak: ${opts.minutes} min, seed ${opts.seed}, fault rate ${opts.faultRate} per kind`)
while (Date.now() < end) {
  current = spawnIndexer(config, database.url)
  await current.ready
  const lifetime = 1_000 + Math.floor(random() * 8_000)
  const until = Date.now() + lifetime
  while (Date.now() < until) {
    await new Promise((r) => setTimeout(r, 500))
    if (random() < 0.08) {
      const depth = 1 + Math.floor(random() * 16)
      // reorgs strike where the indexer is, at the head: with the workload held, wait (at most 20 s; a restarted
      // indexer starts 10+ blocks behind) for the indexer to reach the head, so the rollback removes committed rows,
      // linked ones among them (counted against a moving head, 47 reorgs had rolled back no indexed row)
      await paused(async () => {
        const head = await truthClient.getBlockNumber({ cacheTime: 0 })
        for (const until = Date.now() + 20_000; Date.now() < until;) {
          const cp = await watch.prisma.checkpoint.findUnique({ where: { chainId: devnet.chainId } })
          if (cp && cp.blockNumber >= head) break
          await new Promise((r) => setTimeout(r, 100))
        }
        const above = await countRolledBackAbove(watch.prisma, devnet.chainId, head - BigInt(depth))
        rolledBack += above.attestations
        linkedRolledBack += above.linked
        await rpc('anvil_reorg', [depth, []])
      }).catch((error) => console.error('reorg failed:', error))
      reorgs++
    }
  }
  current.child.kill('SIGKILL')
  await current.exited
  kills++
  if (kills % 10 === 0) console.log(`  ${Math.round((end - Date.now()) / 1000)} s left: ${kills} kills, ${reorgs} reorgs, faults ${JSON.stringify(proxy.stats())}`)
}
live.abort()
await liveRun
await watch.close()
proxy.setEnabled(false)

const last = spawnIndexer(config, database.url)
await last.ready
const db = await createDb({ databaseUrl: database.url, migrate: false })
const diffs = await waitForGroundTruth({ prisma: db.prisma, chainId: devnet.chainId, client: truthClient, contract: devnet.address, fromBlock: devnet.deployBlock, timeoutMs: 300_000, pollMs: 500 })
if (diffs.length) {
  const cp = await db.prisma.checkpoint.findUnique({ where: { chainId: devnet.chainId } })
  console.log(`checkpoint ${cp?.blockNumber} ${cp?.blockHash}; head ${await truthClient.getBlockNumber({ cacheTime: 0 })}`)
  // Which blocks above the checkpoint does the node not serve? (anvil has been seen answering null after reorgs.)
  const from = Number(cp?.blockNumber ?? devnet.deployBlock)
  for (let n = Math.max(0, from - 3); n <= from + 30; n++) {
    const block = (await rpc('eth_getBlockByNumber', [`0x${n.toString(16)}`, false])) as { hash: string; parentHash: string } | null
    console.log(`  block ${n}: ${block ? `${block.hash} parent ${block.parentHash}` : 'null'}`)
  }
  console.log(`last indexer output (tail):\n${last.output().slice(-6000)}`)
  // Rows whose block is not canonical any more (the stale data a missed rollback would leave).
  const rowsByBlock = await db.prisma.attestation.groupBy({ by: ['blockNumber', 'blockHash'], where: { chainId: devnet.chainId }, _count: true, orderBy: { blockNumber: 'asc' } })
  for (const r of rowsByBlock) {
    const block = (await rpc('eth_getBlockByNumber', [`0x${r.blockNumber.toString(16)}`, false])) as { hash: string } | null
    if (block?.hash !== r.blockHash) console.log(`  stale: ${r._count} attestation(s) at block ${r.blockNumber} ${r.blockHash}, canonical ${block?.hash ?? 'none'}`)
  }
  const stored = await db.prisma.block.findMany({ where: { chainId: devnet.chainId }, orderBy: { number: 'asc' } })
  for (const b of stored) {
    const block = (await rpc('eth_getBlockByNumber', [`0x${b.number.toString(16)}`, false])) as { hash: string } | null
    if (block?.hash !== b.hash) console.log(`  stale window block ${b.number} ${b.hash}, canonical ${block?.hash ?? 'none'}`)
  }
}
const rows = { attestations: await db.prisma.attestation.count(), schemas: await db.prisma.schema.count(), offchain: await db.prisma.offchainAttestation.count(), journal: await db.prisma.event.count() }
const faults = proxy.stats()
last.child.kill('SIGTERM')
const exitCode = await last.exited
await db.close()
await proxy.close()
if (diffs.length && process.env.SOAK_KEEP_DB) console.log(`database kept: ${database.url}`)
else await database.drop()
await devnet.stop()
await rm(dir, { recursive: true, force: true })
console.log(`\nSoak ${opts.minutes} min (seed ${opts.seed}): ${kills} SIGKILLs, ${reorgs} reorgs (depth 1-16; ${rolledBack} indexed attestations rolled back, ${linkedRolledBack} of them with the attestation they link to), faults injected ${JSON.stringify(faults)}`)
console.log(`Rows compared with the contract: ${JSON.stringify(rows)}; graceful stop exit code ${exitCode}`)
console.log(`Differences: ${diffs.length}${diffs.length ? `\n  ${diffs.slice(0, 20).join('\n  ')}` : ''}`)
process.exit(diffs.length || exitCode !== 0 ? 1 : 0)
