/**
 * Verdicts that change with no new contract event, on real parts (anvil + real SP contract + PostgreSQL, the real
 * indexer following the head, the real verifier, the gateway over SSE):
 * - PENDING_CONFIRMATIONS until the head is `confirmations` blocks past the attestation's block;
 * - EXPIRED once anvil's clock (`evm_increaseTime` + `evm_mine`: an empty block, no contract event) passes
 *   validUntil — judged on the chain head's timestamp the sync loop stored — and LINEAGE_EXPIRED on its child;
 * - finalized once the node's finalized block passes the block (silently: reasons do not change).
 * Each change reaches `attestationStatusChanged` subscribers.
 */
import { afterAll, beforeAll, expect, it } from 'vitest'
import { createDb, type Db } from '../src/db/createDb.js'
import { createDevClients, createSpWriter, type DevClients, type Devnet, SCORE_FIELDS, schemaJson, startDevnet, tupleScore } from '../src/devnet/index.js'
import { createGateway, type Gateway, toFullId } from '../src/gateway/index.js'
import { createIndexer, type Indexer } from '../src/sync/createIndexer.js'
import { createVerifier, type Verifier } from '../src/verify/index.js'
import { AttestationVerificationDocument, OnAttestationStatusChangedDocument, VerifyAttestationDocument } from './generated/graphql.js'
import { createTestDatabase, type TestDatabase } from './helpers/database.js'
import { execute, subscribeSse, waitFor } from './helpers/graphql.js'
import { devnetChain, runIndexerToHead } from './helpers/runIndexerToHead.js'
import { waitForQueueEmpty } from './helpers/verification.js'
import { createTestCommon } from './helpers/common.js'

const CONFIRMATIONS = 3
const VALID_FOR_S = 600n

let devnet: Devnet
let clients: DevClients
let database: TestDatabase
let db: Db
let gateway: Gateway
let indexer: Indexer | undefined
let indexing: Promise<void> | undefined
let verifier: Verifier | undefined
let verifying: Promise<void> | undefined
const ids: Record<'parent' | 'child' | 'pending', bigint> = { parent: 0n, child: 0n, pending: 0n }

const fullId = (id: bigint) => toFullId(devnet.chainId, id)
const verificationOf = async (id: bigint) => (await execute(gateway.yoga, AttestationVerificationDocument, { id: fullId(id) })).data?.attestation?.verification

beforeAll(async () => {
  devnet = await startDevnet({ port: 0 })
  clients = await createDevClients(devnet.rpcUrl)
  const sp = createSpWriter(clients, devnet.address)
  const schemaId = await sp.register(1, { data: schemaJson('transitions', 'time transitions', SCORE_FIELDS) })
  const now = (await clients.publicClient.getBlock()).timestamp
  ids.parent = await sp.attest(1, { schemaId, validUntil: now + VALID_FOR_S, data: tupleScore('expires', 1n) }, 'expires')
  ids.child = await sp.attest(1, { schemaId, linkedAttestationId: ids.parent, data: tupleScore('child', 2n) }, 'child')
  await clients.testClient.mine({ blocks: CONFIRMATIONS + 2 })
  ids.pending = await sp.attest(1, { schemaId, data: tupleScore('pending', 3n) }, 'pending')

  database = await createTestDatabase('verify_transitions')
  db = await createDb({ databaseUrl: database.url })
  // Ingest up to the true head (confirmations 0), then follow with 3 confirmations: the last attestation is now
  // below the chain's setting.
  await runIndexerToHead(db, devnetChain(devnet))
  gateway = createGateway({ prisma: db.prisma, common: createTestCommon(), journalPollMs: 50 })
  indexer = createIndexer({
    prisma: db.prisma,
    writer: db.writer,
    chains: [devnetChain(devnet, { confirmations: CONFIRMATIONS, pollIntervalMs: 100 })],
    common: createTestCommon(),
    onCommit: () => gateway.journal.notify(),
  })
  indexing = indexer.run()
  await waitFor(
    async () => (await db.prisma.chain.findUnique({ where: { chainId: devnet.chainId } }))?.confirmations === CONFIRMATIONS,
    20_000,
    'the chain setting',
  )
  verifier = createVerifier({ prisma: db.prisma, common: createTestCommon(), pollIntervalMs: 100, onCommit: () => gateway.journal.notify() })
  verifying = verifier.run()
  await waitForQueueEmpty(db.prisma)
}, 120_000)

afterAll(async () => {
  indexer?.stop()
  verifier?.stop()
  await Promise.all([indexing, verifying])
  await gateway?.close()
  await db?.close()
  await database?.drop()
  await devnet?.stop()
})

it('moves PENDING → VALID as confirmations arrive, and EXPIRED on the chain clock, with no contract event', async () => {
  expect(await verificationOf(ids.pending)).toMatchObject({
    status: 'PENDING',
    confirmations: 0,
    requiredConfirmations: CONFIRMATIONS,
    reasons: [{ code: 'PENDING_CONFIRMATIONS', message: expect.stringMatching(new RegExp(`needs ${CONFIRMATIONS} confirmations$`)), informational: false }],
  })
  expect(await verificationOf(ids.parent)).toMatchObject({ status: 'VALID', reasons: [], expiresAt: expect.any(String), finalized: false })
  expect(await verificationOf(ids.child)).toMatchObject({ status: 'VALID', reasons: [] })

  // Subscriptions deliver at the SAFE level (ingest runs at the head): entries written before they attached may still
  // arrive once their block is confirmed, each re-read as it is now; wait for the change each step is about.
  type Change = { id: string; verification: { status: string; reasons: { code: string }[] } }
  const nextChange = async (
    sub: { next(ms: number): Promise<{ data?: { attestationStatusChanged?: Change | null } | null }> },
    wanted: (c: Change) => boolean,
  ) => {
    for (;;) {
      const change = (await sub.next(20_000)).data?.attestationStatusChanged
      if (change && wanted(change)) return change
    }
  }
  const all = await subscribeSse(gateway.yoga, OnAttestationStatusChangedDocument, { where: { chainId: devnet.chainId } })
  const expiredOnly = await subscribeSse(gateway.yoga, OnAttestationStatusChangedDocument, { where: { chainId: devnet.chainId }, statuses: ['EXPIRED'] })
  try {
    await clients.testClient.mine({ blocks: CONFIRMATIONS })
    const confirmed = await nextChange(all, (c) => c.id === fullId(ids.pending) && c.verification.status === 'VALID')
    expect(confirmed).toEqual({ id: fullId(ids.pending), verification: { status: 'VALID', reasons: [] } })
    expect(await verificationOf(ids.pending)).toMatchObject({ status: 'VALID', confirmations: CONFIRMATIONS })

    const contractEvents = await db.prisma.event.count({ where: { kind: { in: ['CREATED', 'REVOKED'] } } })
    await clients.testClient.increaseTime({ seconds: Number(VALID_FOR_S) + 60 })
    await clients.testClient.mine({ blocks: 1 })
    const expired = await nextChange(all, (c) => c.id === fullId(ids.parent) && c.verification.status === 'EXPIRED')
    expect(expired?.id).toBe(fullId(ids.parent))
    expect(expired?.verification).toMatchObject({
      status: 'EXPIRED',
      reasons: [{ code: 'EXPIRED', message: expect.stringMatching(/has passed on the chain clock$/) }],
    })
    const lineage = await nextChange(all, (c) => c.id === fullId(ids.child) && c.verification.reasons.length > 0)
    expect(lineage).toEqual({
      id: fullId(ids.child),
      verification: { status: 'VALID', reasons: [{ code: 'LINEAGE_EXPIRED', message: `ancestor ${fullId(ids.parent)} (depth 1) is expired` }] },
    })
    expect((await nextChange(expiredOnly, (c) => c.verification.status === 'EXPIRED')).id).toBe(fullId(ids.parent))
    expect(await db.prisma.event.count({ where: { kind: { in: ['CREATED', 'REVOKED'] } } })).toBe(contractEvents)
    const head = await db.prisma.chain.findUniqueOrThrow({ where: { chainId: devnet.chainId } })
    const parentRow = await db.prisma.attestation.findUniqueOrThrow({
      where: { chainId_attestationId: { chainId: devnet.chainId, attestationId: ids.parent } },
    })
    expect(head.headTimestamp!).toBeGreaterThanOrEqual(BigInt(parentRow.validUntil.toFixed()))
  } finally {
    all.close()
    expiredOnly.close()
  }
})

it('marks verdicts finalized once the finalized block passes them, without a journal entry', async () => {
  const before = await db.prisma.event.count({ where: { kind: 'STATUS_CHANGED' } })
  await clients.testClient.mine({ blocks: 70 }) // anvil: finalized = head - 64
  await waitFor(async () => (await verificationOf(ids.pending))?.finalized === true, 20_000, 'finality')
  expect(await verificationOf(ids.parent)).toMatchObject({ status: 'EXPIRED', finalized: true })
  expect(await db.prisma.event.count({ where: { kind: 'STATUS_CHANGED' } })).toBe(before)
  const live = await execute(gateway.yoga, VerifyAttestationDocument, { id: fullId(ids.child) })
  expect(live.data?.verifyAttestation).toMatchObject({ differsFromStored: false, verification: { status: 'VALID', finalized: true } })
})
