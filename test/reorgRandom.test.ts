/**
 * Seeded random reorgs over the real workload, on PostgreSQL and on PGlite: the live workload `npm start` runs
 * (schemas, attestations linked several levels deep, `attestBatch`, revocations, delegated and off-chain
 * attestations, and the hostile records of src/devnet/poisonPills.ts) keeps writing to the real contract while the real indexer follows the head with confirmations 0;
 * at seeded random moments the devnet is reorganised (`anvil_reorg`, depth 1–64, the new branch re-using the ids).
 * After every reorg the workload pauses until the indexer has reached the head and the WHOLE database equals the
 * contract on the canonical chain. REORG_SEED (default 11) replays a run; REORG_COUNT (default 25) per database.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createDb, type Db } from '../src/db/createDb.js'
import { createWorkload, type Devnet, startDevnet } from '../src/devnet/index.js'
import { createIndexer } from '../src/sync/createIndexer.js'
import { createTestDatabase } from './helpers/database.js'
import { mulberry32 } from './helpers/faultProxy.js'
import { countRolledBackAbove, createTruthClient, diffWithGroundTruth, readGroundTruth } from './helpers/groundTruth.js'
import { devnetChain } from './helpers/runIndexerToHead.js'
import { createTestCommon } from './helpers/common.js'

const SEED = Number(process.env.REORG_SEED ?? 11)
const REORGS = Number(process.env.REORG_COUNT ?? 25)
const MAX_DEPTH = 64

type Figures = { reorgs: number; depths: number[]; linkedRolledBack: number; attestationsRolledBack: number; rowsCompared: number; differences: number }

describe.each(['postgres', 'pglite'] as const)('random reorgs over the live workload (%s)', (kind) => {
  let devnet: Devnet
  let db: Db
  let cleanup: () => Promise<void> = async () => {}

  beforeAll(async () => {
    // anvil keeps every state in memory, as the soak does: with its defaults the contract's state at the head was
    // sometimes gone after a run of deep reorgs (the ground truth's eth_call of schemaCounter answered 0x in CI, PGlite
    // run, seed 11; `npx tsx test/bench/anvilReorgs.ts` reproduces it), which is the devnet's limit, not the indexer's
    devnet = await startDevnet({ port: 0, args: ['--prune-history', '100000'] })
    await createWorkload({ rpcUrl: devnet.rpcUrl, address: devnet.address }).seedScenario()
    if (kind === 'postgres') {
      const database = await createTestDatabase('reorg_random')
      db = await createDb({ databaseUrl: database.url })
      cleanup = () => database.drop()
    } else {
      const dir = await mkdtemp(join(tmpdir(), 'sign-reorg-random-'))
      db = await createDb({ dataDir: join(dir, 'pglite') })
      cleanup = () => rm(dir, { recursive: true, force: true })
    }
  })

  afterAll(async () => {
    await db?.close()
    await cleanup()
    await devnet?.stop()
  })

  it(`${REORGS} seeded reorgs of depth 1–${MAX_DEPTH} (seed ${SEED}): the database equals the canonical chain after each`, async () => {
    const random = mulberry32(SEED)
    const truth = createTruthClient(devnet.rpcUrl)
    const rpc = (method: string, params: unknown[] = []) => truth.request({ method: method as never, params: params as never })
    const lowest = (await truth.getBlockNumber()) + 1n // never reorg the contract or the scenario away
    const indexer = createIndexer({ prisma: db.prisma, writer: db.writer, chains: [devnetChain(devnet, { pollIntervalMs: 50 })], common: createTestCommon() })
    const running = indexer.run()

    // The workload's transactions and the chain surgery never overlap (anvil_reorg racing a transaction being
    // mined leaves anvil inconsistent); while paused, the workload waits before its next transaction.
    let gate: Promise<void> = Promise.resolve()
    let inFlight: Promise<unknown> = Promise.resolve()
    const around = <T>(action: () => Promise<T>): Promise<T> => {
      const run = gate.then(action)
      inFlight = Promise.allSettled([inFlight, run])
      return run
    }
    const live = new AbortController()
    const workload = createWorkload({ rpcUrl: devnet.rpcUrl, address: devnet.address }).runLive({
      intervalMs: 20,
      signal: live.signal,
      around,
      random: mulberry32(SEED + 1),
      poisonPills: true,
    })

    const figures: Figures = { reorgs: 0, depths: [], linkedRolledBack: 0, attestationsRolledBack: 0, rowsCompared: 0, differences: 0 }
    const converge = async (label: string) => {
      const deadline = Date.now() + 60_000
      let diffs: string[] = ['checkpoint never reached the head']
      for (;;) {
        const head = await truth.getBlockNumber({ cacheTime: 0 })
        const cp = await db.prisma.checkpoint.findUnique({ where: { chainId: devnet.chainId } })
        const block = cp ? await truth.getBlock({ blockNumber: cp.blockNumber }).catch(() => null) : null
        if (cp && cp.blockNumber === head && block?.hash === cp.blockHash) {
          const onChain = await readGroundTruth(truth, devnet.address, devnet.deployBlock)
          diffs = await diffWithGroundTruth(db.prisma, devnet.chainId, onChain)
          if (!diffs.length) return onChain.attestations.size + onChain.schemas.size + onChain.offchain.size
        }
        if (Date.now() > deadline) {
          figures.differences = diffs.length
          throw new Error(`${label} (seed ${SEED}): not converged, checkpoint ${cp?.blockNumber} head ${head}: ${diffs.slice(0, 5).join('; ')}`)
        }
        await new Promise((r) => setTimeout(r, 100))
      }
    }

    try {
      for (let i = 0; i < REORGS; i++) {
        await new Promise((r) => setTimeout(r, 300 + Math.floor(random() * 2_500))) // the workload runs meanwhile
        let resume!: () => void
        gate = new Promise((r) => {
          resume = r
        })
        await inFlight
        const head = await truth.getBlockNumber({ cacheTime: 0 })
        const room = Number(head - lowest)
        const depth = Math.min(1 + Math.floor(random() * MAX_DEPTH), Math.max(room, 1))
        const ancestor = head - BigInt(depth)
        // what the indexer holds above the ancestor right now (it may still be catching up)
        const rolledBack = await countRolledBackAbove(db.prisma, devnet.chainId, ancestor)
        figures.linkedRolledBack += rolledBack.linked
        figures.attestationsRolledBack += rolledBack.attestations
        if (room >= 1) {
          await rpc('anvil_reorg', [depth, []])
          figures.reorgs++
          figures.depths.push(depth)
        }
        figures.rowsCompared += await converge(`after reorg ${i + 1} (depth ${depth})`)
        resume()
      }
    } finally {
      live.abort()
      gate = Promise.resolve()
      await workload
      indexer.stop()
      await running
      console.log(
        `random reorgs (${kind}, seed ${SEED}): ${figures.reorgs} reorgs, depths [${figures.depths.join(', ')}], ` +
          `${figures.attestationsRolledBack} attestations rolled back (${figures.linkedRolledBack} together with the attestation they link to), ` +
          `${figures.rowsCompared} rows compared, differences ${figures.differences}`,
      )
    }

    // Every journal entry a reorg took back has exactly one REMOVED entry after it.
    const journal = await db.prisma.event.findMany({ where: { chainId: devnet.chainId }, orderBy: { seq: 'asc' } })
    const live_ = new Map<string, number>()
    for (const e of journal) {
      if (e.kind === 'STATUS_CHANGED') continue
      const key = `${e.subjectType}:${e.subjectId}:${e.blockHash}:${e.logIndex}`
      const n = (live_.get(key) ?? 0) + (e.kind === 'REMOVED' ? -1 : 1)
      expect(n === 0 || n === 1, `journal entry ${key} retracted ${n < 0 ? 'twice' : 'never'}`).toBe(true)
      live_.set(key, n)
    }
    expect(figures.reorgs).toBe(REORGS)
    // the run must actually have rolled back linked attestations together with what they link to
    expect(figures.linkedRolledBack).toBeGreaterThan(0)
  }, 900_000)
})
