/**
 * `npm run soak -- --minutes N [--seed S] [--fault-rate 0.05]` — the whole system under pressure for N minutes:
 * a live workload on the devnet (with the hostile records of src/devnet/poisonPills.ts), the real CLI indexer reading
 * through the fault-injecting proxy, SIGKILLed and restarted at seeded random moments, and random reorgs
 * (anvil_reorg, depth 1–16). Before each reorg, with the workload held (faults go on), a chain of 2–4 linked
 * attestations is written into the latest blocks (one block each, or one attestBatch), and the soak waits (up to
 * 180 s) until the indexer has committed every record above the reorg's ancestor, counted in the database: so each
 * rollback removes committed rows, linked pairs among them. A third of the reorgs end the indexer's life in the
 * rollback (killed when it logs the reorg, or up to 1.5 s later). At the end the faults stop, a last indexer
 * converges, and the WHOLE database is compared with the ground truth read from the contract.
 * Prints reorgs, indexed rows and indexed linked attestations rolled back, kills, faults and differences.
 * Exits 1 on any difference, and when ≥ 5 reorgs rolled back no committed linked attestation (the claim unchecked).
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Command } from 'commander'
import { createDb } from '../../src/db/createDb.js'
import { createWorkload, startDevnet } from '../../src/devnet/index.js'
import { createTestDatabase } from '../helpers/database.js'
import { createFaultProxy, FAULT_KINDS, mulberry32 } from '../helpers/faultProxy.js'
import { waitForCommittedAbove } from '../helpers/committedAbove.js'
import { countRolledBackAbove, createTruthClient, rowsOf, waitForGroundTruth } from '../helpers/groundTruth.js'
import { type IndexerProcess, spawnIndexer, waitForOutput, writeChainConfig } from '../helpers/indexerProcess.js'

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
const scenario = await workload.seedScenario()
await workload.seedBulk({ attestations: 2_000, perTx: 50, txPerBlock: 1 })
const proxy = await createFaultProxy({
  target: devnet.rpcUrl,
  seed: Number(opts.seed),
  rates: Object.fromEntries(FAULT_KINDS.filter((k) => k !== 'lagging').map((k) => [k, Number(opts.faultRate)])),
})
const database = await createTestDatabase('soak')
await (await createDb({ databaseUrl: database.url })).close()
const dir = await mkdtemp(join(tmpdir(), 'sign-soak-'))
const config = await writeChainConfig(join(dir, 'chain.json'), {
  rpcUrl: proxy.url,
  chainId: devnet.chainId,
  contract: devnet.address,
  startBlock: devnet.deployBlock,
  maxBlockRange: 20,
})
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
const liveRun = workload
  .runLive({ intervalMs: 300, signal: live.signal, around, random: mulberry32(Number(opts.seed) + 1), poisonPills: true })
  .catch((error) => console.error('workload stopped:', error))
const began = Date.now()
const end = began + Number(opts.minutes) * 60_000
/** how long a reorg waits for the indexer to commit the blocks it will take back (faults and the workload's backlog go on) */
const COMMIT_WAIT_MS = 180_000
const figures = {
  kills: 0,
  reorgs: 0,
  /** reorgs that struck before the indexer had committed the blocks above their ancestor (the wait timed out) */
  uncommitted: 0,
  /** indexed rows (attestations, schemas, off-chain attestations, revocations) above the reorgs' ancestors when they struck */
  rowsRolledBack: 0,
  attestationsRolledBack: 0,
  /** indexed attestations a reorg took back together with the (indexed) attestation they link to */
  linkedRolledBack: 0,
  /** kills while the old branch was still stored (the next indexer had to roll back at its start) … */
  killsBeforeRollback: 0,
  /** … of which the indexer had logged "Reorg detected" and not yet "Rolled back": killed in the rollback itself */
  killsInRollback: 0,
}
const watch = await createDb({ databaseUrl: database.url, migrate: false })
// The soak's own amendment chains (the scenario's attester, which the live workload never uses): written just before
// each reorg, so its blocks hold linked attestations; the root links the latest of them still on the canonical chain.
const CHAIN_ATTESTER = 1
let chainTip: { id: bigint; block: bigint } | undefined
/** the old branch of the latest reorg: its block hashes, until a kill finds them gone (rolled back) */
let oldBranch: string[] = []
let current: IndexerProcess | null = null
console.log(`soak: ${opts.minutes} min, seed ${opts.seed}, fault rate ${opts.faultRate} per kind`)

/**
 * With the workload held: writes a linked chain into the latest blocks, waits until the indexer has committed
 * everything above the reorg's ancestor, counts it, reorganises. `killPlan` 'detected': resolves once the indexer
 * logs the reorg (then the caller kills it, in its rollback).
 */
const strike = async (depth: number, linked: { length: number; oneBlock: boolean }, indexer: IndexerProcess, killPlan: 'detected' | number | null) => {
  let ids: bigint[] = []
  try {
    ids = await workload.attestLinkedChain({
      attester: CHAIN_ATTESTER,
      schemaId: scenario.schemas.score,
      ...linked,
      ...(chainTip && { linkTo: chainTip.id }),
      key: `soak-${figures.reorgs}`,
    })
  } catch (error) {
    console.error('linked chain not written:', String(error).split('\n')[0])
  }
  const head = await truthClient.getBlockNumber({ cacheTime: 0 })
  const ancestor = head - BigInt(depth)
  const wait = await waitForCommittedAbove({
    prisma: watch.prisma,
    client: truthClient,
    contract: devnet.address,
    chainId: devnet.chainId,
    ancestor,
    head,
    timeoutMs: COMMIT_WAIT_MS,
  })
  // what the reorg takes back: counted in the database, read only once the indexer has committed it
  const stored = wait.committed ? wait.stored : await countRolledBackAbove(watch.prisma, devnet.chainId, ancestor)
  if (!wait.committed) {
    figures.uncommitted++
    console.log(`  reorg ${figures.reorgs + 1}: ${wait.reason}; reorganising anyway`)
  }
  const blocks = await Promise.all(Array.from({ length: depth }, (_, k) => truthClient.getBlock({ blockNumber: head - BigInt(k) })))
  const detected = killPlan === 'detected' ? waitForOutput(indexer, 'Reorg detected', 30_000) : Promise.resolve(false)
  await rpc('anvil_reorg', [depth, []])
  oldBranch = blocks.map((b) => b.hash)
  // the chain's latest attestation still canonical (nothing else was mined meanwhile: one block per attest, or
  // the whole batch in the head block)
  const written = ids.map((id, k) => ({ id, block: linked.oneBlock ? head : head - BigInt(ids.length - 1 - k) }))
  chainTip = [...(chainTip ? [chainTip] : []), ...written].filter((t) => t.block <= ancestor).at(-1)
  figures.reorgs++
  figures.rowsRolledBack += rowsOf(stored)
  figures.attestationsRolledBack += stored.attestations
  figures.linkedRolledBack += stored.linked
  console.log(
    `  ${Math.round((Date.now() - began) / 1000)} s: reorg ${figures.reorgs}: depth ${depth}, linked chain of ${ids.length}${linked.oneBlock ? ' in one block' : ''}, waited ${(wait.waitedMs / 1000).toFixed(1)} s; rolled back ${rowsOf(stored)} indexed rows (${stored.attestations} attestations, ${stored.linked} linked with what they link to)${killPlan === null ? '' : `, kill ${killPlan === 'detected' ? 'at detection' : `after ${killPlan} ms`}`}`,
  )
  return detected
}

while (Date.now() < end) {
  current = spawnIndexer(config, database.url)
  await current.ready
  let until = Date.now() + 1_000 + Math.floor(random() * 8_000)
  while (Date.now() < until) {
    await new Promise((r) => setTimeout(r, 500))
    if (random() < 0.08) {
      const depth = 1 + Math.floor(random() * 16)
      const linked = { length: 2 + Math.floor(random() * 3), oneBlock: random() < 1 / 3 }
      // a third of the reorgs end the indexer's life in the rollback: at the moment it detects the reorg, or at a
      // random moment up to 1.5 s after it; the others leave it its random lifetime
      const roll = random()
      const killPlan = roll < 1 / 6 ? 'detected' : roll < 1 / 3 ? Math.floor(random() * 1_500) : null
      const started = Date.now()
      const detected = await paused(() => strike(depth, linked, current!, killPlan)).catch((error) => {
        console.error('reorg failed:', error)
        return null
      })
      until += Date.now() - started // the wait is not part of the indexer's lifetime: kills stay at random moments of its run
      if (detected && killPlan !== null) {
        if (killPlan === 'detected') await detected
        await new Promise((r) => setTimeout(r, killPlan === 'detected' ? Math.floor(random() * 50) : killPlan))
        break
      }
    }
  }
  current.child.kill('SIGKILL')
  await current.exited
  figures.kills++
  if (oldBranch.length) {
    const stale = await watch.prisma.block.count({ where: { chainId: devnet.chainId, hash: { in: oldBranch } } })
    if (stale > 0) {
      figures.killsBeforeRollback++
      const out = current.output()
      if (out.lastIndexOf('Reorg detected') > out.lastIndexOf('Rolled back')) figures.killsInRollback++
    } else oldBranch = []
  }
  if (figures.kills % 10 === 0)
    console.log(`  ${Math.round((end - Date.now()) / 1000)} s left: ${figures.kills} kills, ${figures.reorgs} reorgs, faults ${JSON.stringify(proxy.stats())}`)
}
live.abort()
await liveRun
await watch.close()
proxy.setEnabled(false)

const last = spawnIndexer(config, database.url)
await last.ready
const db = await createDb({ databaseUrl: database.url, migrate: false })
const diffs = await waitForGroundTruth({
  prisma: db.prisma,
  chainId: devnet.chainId,
  client: truthClient,
  contract: devnet.address,
  fromBlock: devnet.deployBlock,
  timeoutMs: 300_000,
  pollMs: 500,
})
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
  const rowsByBlock = await db.prisma.attestation.groupBy({
    by: ['blockNumber', 'blockHash'],
    where: { chainId: devnet.chainId },
    _count: true,
    orderBy: { blockNumber: 'asc' },
  })
  for (const r of rowsByBlock) {
    const block = (await rpc('eth_getBlockByNumber', [`0x${r.blockNumber.toString(16)}`, false])) as { hash: string } | null
    if (block?.hash !== r.blockHash)
      console.log(`  stale: ${r._count} attestation(s) at block ${r.blockNumber} ${r.blockHash}, canonical ${block?.hash ?? 'none'}`)
  }
  const stored = await db.prisma.block.findMany({ where: { chainId: devnet.chainId }, orderBy: { number: 'asc' } })
  for (const b of stored) {
    const block = (await rpc('eth_getBlockByNumber', [`0x${b.number.toString(16)}`, false])) as { hash: string } | null
    if (block?.hash !== b.hash) console.log(`  stale window block ${b.number} ${b.hash}, canonical ${block?.hash ?? 'none'}`)
  }
}
const rows = {
  attestations: await db.prisma.attestation.count(),
  schemas: await db.prisma.schema.count(),
  offchain: await db.prisma.offchainAttestation.count(),
  journal: await db.prisma.event.count(),
}
const faults = proxy.stats()
last.child.kill('SIGTERM')
const exitCode = await last.exited
await db.close()
await proxy.close()
if (diffs.length && process.env.SOAK_KEEP_DB) console.log(`database kept: ${database.url}`)
else await database.drop()
await devnet.stop()
await rm(dir, { recursive: true, force: true })
const faultsInjected = Object.entries(faults)
  .filter(([k]) => k !== 'passed')
  .reduce((sum, [, n]) => sum + n, 0)
const noLinked = figures.reorgs >= 5 && figures.linkedRolledBack === 0
console.log(
  `\nSoak ${opts.minutes} min (seed ${opts.seed}): ${figures.reorgs} reorgs (depth 1-16; ${figures.uncommitted} struck before the indexer had committed their blocks), ` +
    `${figures.rowsRolledBack} indexed rows rolled back (${figures.attestationsRolledBack} attestations), ${figures.linkedRolledBack} indexed LINKED attestations rolled back (both ends committed)`,
)
console.log(
  `${figures.kills} SIGKILLs (${figures.killsBeforeRollback} before a reorg's rollback had committed, ${figures.killsInRollback} of them in the rollback itself); ${faultsInjected} faults injected ${JSON.stringify(faults)}`,
)
console.log(`Rows compared with the contract: ${JSON.stringify(rows)}; graceful stop exit code ${exitCode}`)
console.log(`Differences: ${diffs.length}${diffs.length ? `\n  ${diffs.slice(0, 20).join('\n  ')}` : ''}`)
if (noLinked)
  console.log(
    `FAILED: ${figures.reorgs} reorgs rolled back no committed linked attestation: the soak did not test what it claims (rollbacks of linked attestations)`,
  )
process.exit(diffs.length || exitCode !== 0 || noLinked ? 1 : 0)
