/**
 * The sync loop's steps alone (src/sync: readHead, backfill, checkReorg), on real parts: anvil running the real SP
 * contract with the scenario workload, a fresh PostgreSQL database, no stage loop around them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type ChainClient, createChainClient } from '../src/chain/createChainClient.js'
import { createSilentLogger } from '../src/common/logger.js'
import { createMetrics } from '../src/common/metrics.js'
import { createDb, type Db } from '../src/db/createDb.js'
import { createWorkload, type Devnet, startDevnet } from '../src/devnet/index.js'
import { backfill } from '../src/sync/backfill.js'
import { checkReorg } from '../src/sync/checkReorg.js'
import { initialRangeSize } from '../src/sync/rangeCutter.js'
import { readHead } from '../src/sync/readHead.js'
import { createSchemaFieldsCache } from '../src/sync/schemaFieldsCache.js'
import { createTestDatabase, type TestDatabase } from './helpers/database.js'
import { createTruthClient, diffWithGroundTruth, readGroundTruth } from './helpers/groundTruth.js'
import { devnetChain } from './helpers/runIndexerToHead.js'

let devnet: Devnet
let database: TestDatabase
let db: Db
let client: ChainClient
const metrics = createMetrics()
const logger = createSilentLogger()
const ensureChainId = async () => {}

beforeAll(async () => {
  devnet = await startDevnet({ port: 0 })
  await createWorkload({ rpcUrl: devnet.rpcUrl, address: devnet.address }).seedScenario()
  database = await createTestDatabase('syncsteps')
  db = await createDb({ databaseUrl: database.url })
  client = createChainClient({ chainId: devnet.chainId, rpcUrls: [devnet.rpcUrl], metrics })
})

afterAll(async () => {
  await db?.close()
  await database?.drop()
  await devnet?.stop()
})

describe('sync steps', () => {
  it('readHead, then backfill from the start block commits every record up to the head in order; checkReorg finds nothing', async () => {
    const chain = devnetChain(devnet, { maxBlockRange: 5 })
    await db.prisma.chain.create({
      data: { chainId: chain.chainId, name: chain.name, contract: chain.contract, startBlock: chain.startBlock, confirmations: 0 },
    })
    const { head, safe, finalized } = await readHead({ prisma: db.prisma, client, chain, ensureChainId })
    expect(head).toBe(await createTruthClient(devnet.rpcUrl).getBlockNumber({ cacheTime: 0 }))
    expect(safe).toBe(head)
    expect(finalized).toBeLessThanOrEqual(head)
    expect(await db.prisma.chain.findUniqueOrThrow({ where: { chainId: chain.chainId } })).toMatchObject({
      headBlock: head,
      safeBlock: safe,
      finalizedBlock: finalized,
    })

    const committed: bigint[] = []
    const rangeSize = { current: initialRangeSize(5n) }
    const step = {
      prisma: db.prisma,
      client,
      chain,
      head,
      finalized,
      rangeSize,
      parallelRanges: 2,
      ensureChainId,
      schemaFields: createSchemaFieldsCache(db.prisma, chain.chainId),
      logger,
      metrics,
      signal: new AbortController().signal,
      onCommitted: ({ batch }: { batch: { fromBlock: bigint; toBlock: bigint } }) => {
        expect(batch.fromBlock).toBe((committed.at(-1) ?? chain.startBlock - 1n) + 1n) // strictly in order, no gap
        committed.push(batch.toBlock)
      },
    }
    await backfill({ ...step, from: chain.startBlock, parentHash: null })
    expect(committed.at(-1)).toBe(head)
    expect(rangeSize.current).toBe(5n) // sparse ranges grew to the configured maximum
    expect((await db.prisma.checkpoint.findUniqueOrThrow({ where: { chainId: chain.chainId } })).blockNumber).toBe(head)
    const truth = await readGroundTruth(createTruthClient(devnet.rpcUrl), devnet.address, devnet.deployBlock)
    expect(truth.attestations.size).toBeGreaterThan(0)
    expect(await diffWithGroundTruth(db.prisma, devnet.chainId, truth)).toEqual([])

    // caught up: a step from the block after the head has nothing to do
    await backfill({ ...step, from: head + 1n, parentHash: null })
    expect(committed.at(-1)).toBe(head)
    expect(await checkReorg({ prisma: db.prisma, client, chain, lastFinalized: finalized, ensureChainId, logger, metrics })).toBeNull()
  })

  it('backfill fetches one range at a time until a range brought logs back (empty first ranges say nothing of the density), then the next ranges at once, before that range commits', async () => {
    // from block 0: the blocks before the contract's deployment have no log, so the first ranges come back empty
    const chain = { ...devnetChain(devnet, { maxBlockRange: 64 }), startBlock: 0n }
    const other = await createTestDatabase('syncsteps_slowstart')
    const otherDb = await createDb({ databaseUrl: other.url })
    try {
      await otherDb.prisma.chain.create({
        data: { chainId: chain.chainId, name: chain.name, contract: chain.contract, startBlock: chain.startBlock, confirmations: 0 },
      })
      const { head, finalized } = await readHead({ prisma: otherDb.prisma, client, chain, ensureChainId })
      let inFlight = 0
      let logsSeen = false
      const overlapping: string[] = [] // getLogs started while another was out, before any answer had logs
      let denseFrom: bigint | undefined // first block of the first range whose answer had logs
      let committedSinceLogs = false // a piece of that range (or later) was committed
      let startedBeforeDenseCommit = 0 // getLogs started after an answer with logs, before that range's first commit
      const request = (async (args: { method: string; params: [{ fromBlock: string; toBlock: string }] }, options?: unknown) => {
        if (args.method !== 'eth_getLogs') return client.request(args as never, options as never)
        if (inFlight > 0 && !logsSeen) overlapping.push(`${args.params[0].fromBlock}-${args.params[0].toBlock}`)
        if (logsSeen && !committedSinceLogs) startedBeforeDenseCommit++
        inFlight++
        try {
          const logs = (await client.request(args as never, options as never)) as unknown[]
          if (logs.length && !logsSeen) denseFrom = BigInt(args.params[0].fromBlock)
          if (logs.length) logsSeen = true
          return logs
        } finally {
          inFlight--
        }
      }) as ChainClient['request']
      await backfill({
        prisma: otherDb.prisma,
        client: { ...client, request },
        chain,
        from: 0n,
        head,
        finalized,
        parentHash: null,
        rangeSize: { current: initialRangeSize(64n) },
        parallelRanges: 4,
        ensureChainId,
        schemaFields: createSchemaFieldsCache(otherDb.prisma, chain.chainId),
        logger,
        metrics,
        signal: new AbortController().signal,
        onCommitted: ({ batch }) => {
          if (denseFrom !== undefined && batch.toBlock >= denseFrom) committedSinceLogs = true
        },
      })
      expect(logsSeen).toBe(true)
      expect(overlapping).toEqual([])
      expect(startedBeforeDenseCommit).toBeGreaterThan(0)
      expect((await otherDb.prisma.checkpoint.findUniqueOrThrow({ where: { chainId: chain.chainId } })).blockNumber).toBe(head)
    } finally {
      await otherDb.close()
      await other.drop()
    }
  })

  it('checkReorg rolls back to the common ancestor when the checkpoint block was replaced', async () => {
    const chain = devnetChain(devnet)
    const rpc = (method: string, params: unknown[] = []) => createTruthClient(devnet.rpcUrl).request({ method: method as never, params: params as never })
    const before = (await db.prisma.checkpoint.findUniqueOrThrow({ where: { chainId: chain.chainId } })).blockNumber
    await rpc('anvil_reorg', [1, []])
    const rollback = await checkReorg({ prisma: db.prisma, client, chain, lastFinalized: null, ensureChainId, logger, metrics })
    expect(rollback).not.toBeNull()
    expect(rollback!.ancestor).toBeLessThan(before)
    expect((await db.prisma.checkpoint.findUniqueOrThrow({ where: { chainId: chain.chainId } })).blockNumber).toBe(rollback!.ancestor)
    expect((await metrics.reorgsTotal.get()).values.find((v) => String(v.labels.chain_id) === String(chain.chainId))?.value).toBe(1)
  })
})
