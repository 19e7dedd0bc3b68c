/**
 * Delivery by finality on a real anvil + contract + PostgreSQL, the real indexer ingesting at the head with
 * 2 confirmations: `LATEST` sees an attestation at once and its REMOVED when a reorg takes it back; `SAFE` (the
 * default) sees neither — only what is 2 blocks deep; `FINALIZED` waits for the node's finalized block.
 */
import { afterAll, beforeAll, expect, it } from 'vitest'
import { createSilentLogger } from '../src/common/logger.js'
import { createDb, type Db } from '../src/db/createDb.js'
import { createDevClients, createSpWriter, type Devnet, schemaJson, SCORE_FIELDS, type SpWriter, startDevnet, tupleScore } from '../src/devnet/index.js'
import { createGateway, type Gateway } from '../src/gateway/index.js'
import { createIndexer, type Indexer } from '../src/sync/createIndexer.js'
import { OnAttestationEventsDocument } from './generated/graphql.js'
import { createTestDatabase } from './helpers/database.js'
import { subscribeSse, waitFor } from './helpers/graphql.js'
import { createTruthClient } from './helpers/groundTruth.js'
import { devnetChain } from './helpers/runIndexerToHead.js'

const CONFIRMATIONS = 2
let devnet: Devnet
let database: { url: string; drop(): Promise<void> }
let db: Db
let gateway: Gateway
let indexer: Indexer
let running: Promise<void>
let writer: SpWriter
let schemaId: bigint

beforeAll(async () => {
  devnet = await startDevnet({ port: 0 })
  writer = createSpWriter(await createDevClients(devnet.rpcUrl), devnet.address)
  schemaId = await writer.register(1, { data: schemaJson('finality', 'finality test', SCORE_FIELDS) })
  database = await createTestDatabase('finality')
  db = await createDb({ databaseUrl: database.url })
  gateway = createGateway({ prisma: db.prisma, logger: createSilentLogger(), journalPollMs: 50 })
  indexer = createIndexer({ prisma: db.prisma, chains: [devnetChain(devnet, { confirmations: CONFIRMATIONS, pollIntervalMs: 50 })], logger: createSilentLogger(), onCommit: () => gateway.journal.notify() })
  running = indexer.run()
})

afterAll(async () => {
  indexer?.stop()
  await running
  await gateway?.close()
  await db?.close()
  await database?.drop()
  await devnet?.stop()
})

it('delivers LATEST at once with REMOVED on a reorg, SAFE only what is confirmed, FINALIZED only what is finalized', async () => {
  const truth = createTruthClient(devnet.rpcUrl)
  const rpc = (method: string, params: unknown[] = []) => truth.request({ method: method as never, params: params as never })
  const fullId = (id: bigint) => `onchain_evm_${devnet.chainId}_0x${id.toString(16)}`
  const where = { chainId: devnet.chainId }
  const checkpointAt = async (block: bigint) => ((await db.prisma.checkpoint.findUnique({ where: { chainId: devnet.chainId } }))?.blockNumber ?? -1n) >= block
  await waitFor(() => checkpointAt(devnet.deployBlock), 20_000, 'the indexer to reach the head')

  const latest = await subscribeSse(gateway.yoga, OnAttestationEventsDocument, { where, finality: 'LATEST' })
  const safe = await subscribeSse(gateway.yoga, OnAttestationEventsDocument, { where })
  const finalized = await subscribeSse(gateway.yoga, OnAttestationEventsDocument, { where, finality: 'FINALIZED' })
  await waitFor(() => gateway.journal.stats().subscribers === 3, 10_000, 'three subscribers')

  // x1 at the head: LATEST has it at once (ingest runs at the head), SAFE holds it (not 2 blocks deep)
  const snapshot = await rpc('evm_snapshot')
  const x1 = await writer.attest(1, { schemaId, data: tupleScore('x1', 1n) }, 'x1')
  const created = (await latest.next(20_000)).data!.attestationEvents!
  expect([created.kind, created.attestationId]).toEqual(['CREATED', fullId(x1)])
  const stored = await db.prisma.chain.findUnique({ where: { chainId: devnet.chainId } })
  expect(stored!.safeBlock! < BigInt(created.blockNumber)).toBe(true)

  // a reorg takes x1 back before it was confirmed: LATEST is told, SAFE never hears of x1 at all
  await rpc('evm_revert', [snapshot])
  await rpc('anvil_mine', ['0x3'])
  const removed = (await latest.next(20_000)).data!.attestationEvents!
  expect([removed.kind, removed.attestationId, removed.blockHash]).toEqual(['REMOVED', fullId(x1), created.blockHash])

  // x2, then 2 more blocks: SAFE's FIRST event is x2 (neither x1 nor its REMOVED came through)
  const x2 = await writer.attest(1, { schemaId, data: tupleScore('x2', 2n) }, 'x2')
  expect((await latest.next(20_000)).data!.attestationEvents!.attestationId).toBe(fullId(x2))
  await rpc('anvil_mine', [`0x${CONFIRMATIONS.toString(16)}`])
  const safeFirst = (await safe.next(20_000)).data!.attestationEvents!
  expect([safeFirst.kind, safeFirst.attestationId]).toEqual(['CREATED', fullId(x2)])
  expect(safeFirst.attestation).toEqual({ id: fullId(x2), revoked: false })

  // FINALIZED: once the node's finalized block passes x2's block
  const x2Block = BigInt(safeFirst.blockNumber)
  for (let i = 0; i < 20 && ((await truth.getBlock({ blockTag: 'finalized' })).number ?? 0n) < x2Block; i++) await rpc('anvil_mine', ['0x10'])
  expect((await truth.getBlock({ blockTag: 'finalized' })).number! >= x2Block).toBe(true)
  const finalFirst = (await finalized.next(30_000)).data!.attestationEvents!
  expect([finalFirst.kind, finalFirst.attestationId]).toEqual(['CREATED', fullId(x2)])

  latest.close()
  safe.close()
  finalized.close()
}, 120_000)
