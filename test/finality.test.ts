/**
 * Delivery by finality on a real anvil + contract + PostgreSQL, the real indexer ingesting at the head with
 * 2 confirmations: `LATEST` sees an attestation at once and its REMOVED when a reorg takes it back; `SAFE` (the
 * default) sees neither — only what is 2 blocks deep; `FINALIZED` waits for the node's finalized block.
 */
import { afterAll, beforeAll, expect, it } from 'vitest'
import { tupleScore } from '../src/devnet/index.js'
import { OnAttestationEventsDocument } from './generated/graphql.js'
import { subscribeSse, waitFor } from './helpers/graphql.js'
import { createTruthClient } from './helpers/groundTruth.js'
import { type LiveStack, startLiveStack } from './helpers/liveStack.js'

const CONFIRMATIONS = 2
let stack: LiveStack

beforeAll(async () => {
  stack = await startLiveStack('finality', { confirmations: CONFIRMATIONS, journalPollMs: 50 })
})

afterAll(async () => {
  await stack?.stop()
})

it('delivers LATEST at once with REMOVED on a reorg, SAFE only what is confirmed, FINALIZED only what is finalized', async () => {
  const { devnet, db, gateway, writer, schemaId } = stack
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
