/**
 * The verify stage on real parts: anvil running the real SP contract, the real indexer into real PostgreSQL, the
 * real verifier, asserted through GraphQL `verification`. Builds an attestation for every status and every
 * reason code:
 * - from ordinary transactions (the scenario workload plus linked attestations);
 * - from indexing that starts after a schema and a parent were made (SCHEMA_MISSING, LINKED_MISSING);
 * - from state SP v1.1.3 refuses to create but older proxies hold, made by editing the real contract's storage
 *   before a real transaction (LINKED_DIFFERENT_ATTESTER, LINKED_NOT_LOWER_ID, VALID_UNTIL_EXCEEDS_MAX_VALID_FOR;
 *   see helpers/spStorage.ts);
 * - born-revoked (SP <= v1.1.2 only; v1.1.3 reverts it): a real attestation's row is set to what such a proxy
 *   reads (revoked = true, no revocation event) before the verifier runs.
 * PENDING_CONFIRMATIONS, expiry on the chain clock and finality are in verifyTransitions.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createDb, type Db } from '../src/db/createDb.js'
import {
  createDevClients,
  createSpWriter,
  createWorkload,
  type DevClients,
  devAccount,
  type Devnet,
  type ScenarioSummary,
  SCORE_FIELDS,
  schemaJson,
  type SpWriter,
  spAbi,
  startDevnet,
  tupleScore,
} from '../src/devnet/index.js'
import { createGateway, type Gateway, toFullId } from '../src/gateway/index.js'
import { createVerifier, type Verifier } from '../src/verify/index.js'
import { AttestationVerificationDocument, type VerificationFieldsFragment, VerifyAttestationDocument } from './generated/graphql.js'
import { createTestDatabase, type TestDatabase } from './helpers/database.js'
import { execute } from './helpers/graphql.js'
import { devnetChain, runIndexerToHead } from './helpers/runIndexerToHead.js'
import { setStoredAttester, setStoredMaxValidFor } from './helpers/spStorage.js'
import { readVerifications, waitForQueueEmpty } from './helpers/verification.js'
import { createTestCommon } from './helpers/common.js'

const A = 1 // scenario attester
const B = 2 // scenario "other"

let devnet: Devnet
let clients: DevClients
let sp: SpWriter
let scenario: ScenarioSummary
let database: TestDatabase
let db: Db
let gateway: Gateway
let verifier: Verifier | undefined
let verifierRun: Promise<void> | undefined
let startBlock: bigint
/** the scenario's attestations written by this file, by role */
const ids = {} as Record<
  | 'bornRevoked'
  | 'childOfSelfLinked'
  | 'deepLeaf'
  | 'differentAttester'
  | 'exceedsMax'
  | 'foreignParent'
  | 'lineageExpired'
  | 'lineageInvalid'
  | 'linkedMissing'
  | 'propagationChild'
  | 'propagationGrandchild'
  | 'propagationRoot'
  | 'schemaMissing'
  | 'selfLinked',
  bigint
>

const fullId = (id: bigint) => toFullId(devnet.chainId, id)

async function attestationCounter(): Promise<bigint> {
  return clients.publicClient.readContract({ address: devnet.address, abi: spAbi, functionName: 'attestationCounter' }) as Promise<bigint>
}

async function indexToHead() {
  await runIndexerToHead(db, devnetChain(devnet, { startBlock }))
}

function startVerifier() {
  verifier = createVerifier({ prisma: db.prisma, common: createTestCommon(), workers: 2, pollIntervalMs: 50, batchSize: 20 })
  verifierRun = verifier.run()
}

beforeAll(async () => {
  devnet = await startDevnet({ port: 0 })
  clients = await createDevClients(devnet.rpcUrl)
  sp = createSpWriter(clients, devnet.address)
  const now = (await clients.publicClient.getBlock()).timestamp
  // Made before the indexer's start block: never indexed.
  const earlySchema = await sp.register(A, { data: schemaJson('early', 'before the start block', SCORE_FIELDS) })
  const earlyParent = await sp.attest(A, { schemaId: earlySchema, data: tupleScore('early', 1n) }, 'early-parent')
  startBlock = (await clients.publicClient.getBlockNumber()) + 1n

  scenario = await createWorkload({ rpcUrl: devnet.rpcUrl, address: devnet.address }).seedScenario()
  const score = scenario.schemas.score
  ids.schemaMissing = await sp.attest(A, { schemaId: earlySchema, data: tupleScore('orphan schema', 2n) }, 'schema-missing')
  ids.linkedMissing = await sp.attest(A, { schemaId: score, linkedAttestationId: earlyParent, data: tupleScore('orphan link', 3n) }, 'linked-missing')

  // LINKED_DIFFERENT_ATTESTER: the parent's stored attester is B while B links to it, then restored.
  ids.foreignParent = await sp.attest(A, { schemaId: score, data: tupleScore('parent of A', 4n) }, 'foreign-parent')
  await setStoredAttester(clients, devnet.address, ids.foreignParent, devAccount(B).address)
  ids.differentAttester = await sp.attest(
    B,
    { schemaId: score, linkedAttestationId: ids.foreignParent, data: tupleScore('child of B', 5n) },
    'different-attester',
  )
  await setStoredAttester(clients, devnet.address, ids.foreignParent, devAccount(A).address)

  // LINKED_NOT_LOWER_ID: the next id already "has" attester A, so an attestation may link to itself.
  const next = await attestationCounter()
  await setStoredAttester(clients, devnet.address, next, devAccount(A).address)
  ids.selfLinked = await sp.attest(A, { schemaId: score, linkedAttestationId: next, data: tupleScore('self', 6n) }, 'self-linked')
  expect(ids.selfLinked).toBe(next)
  ids.childOfSelfLinked = await sp.attest(A, { schemaId: score, linkedAttestationId: ids.selfLinked, data: tupleScore('below a loop', 7n) }, 'below-loop')

  // VALID_UNTIL_EXCEEDS_MAX_VALID_FOR: the schema is registered with a 60 s cap; the cap is lifted for one attest.
  const capped = await sp.register(A, { data: schemaJson('capped', '60 s at most', SCORE_FIELDS), maxValidFor: 60n })
  await setStoredMaxValidFor(clients, devnet.address, capped, 0n)
  ids.exceedsMax = await sp.attest(A, { schemaId: capped, validUntil: now + 3_600n * 24n, data: tupleScore('too long', 8n) }, 'exceeds-max')
  await setStoredMaxValidFor(clients, devnet.address, capped, 60n)

  const link = (parent: bigint, key: string) => sp.attest(A, { schemaId: score, linkedAttestationId: parent, data: tupleScore(key, 9n) }, key)
  ids.lineageInvalid = await link(scenario.attestations.undecodable, 'child-of-undecodable')
  ids.lineageExpired = await link(scenario.attestations.expired, 'child-of-expired')
  ids.bornRevoked = await sp.attest(A, { schemaId: score, data: tupleScore('born revoked', 10n) }, 'born-revoked')
  // 53 generations in one attestBatch: the last one's ancestors go beyond the verifier's depth cap (50).
  const first = await attestationCounter()
  const deep = await sp.attestBatch(
    A,
    Array.from({ length: 53 }, (_, i) => ({ schemaId: score, linkedAttestationId: i ? first + BigInt(i) - 1n : 0n, data: tupleScore(`deep-${i}`, 1n) })),
    Array.from({ length: 53 }, (_, i) => `deep-${i}`),
  )
  ids.deepLeaf = deep.at(-1)!
  ids.propagationRoot = await sp.attest(A, { schemaId: score, data: tupleScore('root', 1n) }, 'propagation-root')
  ids.propagationChild = await link(ids.propagationRoot, 'propagation-child')
  ids.propagationGrandchild = await link(ids.propagationChild, 'propagation-grandchild')

  database = await createTestDatabase('verify')
  db = await createDb({ databaseUrl: database.url })
  await indexToHead()
  // What an SP <= v1.1.2 proxy could store: revoked at creation, no AttestationRevoked event.
  await db.prisma.attestation.update({ where: { chainId_attestationId: { chainId: devnet.chainId, attestationId: ids.bornRevoked } }, data: { revoked: true } })
  gateway = createGateway({ prisma: db.prisma, common: createTestCommon(), journalPollMs: 50 })
}, 120_000)

afterAll(async () => {
  verifier?.stop()
  await verifierRun
  await gateway?.close()
  await db?.close()
  await database?.drop()
  await devnet?.stop()
})

const codesOf = (v: VerificationFieldsFragment | undefined) => v?.reasons.map((r) => r.code)

describe('verification', () => {
  it('is PENDING with NOT_YET_VERIFIED before the verifier ran', async () => {
    const { data } = await execute(gateway.yoga, AttestationVerificationDocument, { id: fullId(scenario.attestations.tupleData) })
    expect(data?.attestation?.verification).toMatchObject({
      status: 'PENDING',
      reasons: [{ code: 'NOT_YET_VERIFIED', informational: false }],
      checkedAt: null,
      finalized: false,
    })
    expect(await db.prisma.verificationJob.count()).toBeGreaterThan(0)
  })

  it('gives every attestation its status and reasons', async () => {
    startVerifier()
    await waitForQueueEmpty(db.prisma)
    const verifications = await readVerifications(gateway.yoga, devnet.chainId)
    const s = scenario.attestations
    const expected: [string, bigint, string, string[]][] = [
      ['plain', s.tupleData, 'VALID', []],
      ['flat data', s.flatData, 'VALID', []],
      ['data under a non-JSON schema', s.noRecipient, 'VALID', ['DATA_NOT_CHECKED']],
      ['IPFS CID data', s.ipfs, 'VALID', []],
      ['valid for a year', s.validFuture, 'VALID', []],
      ['within its schema maxValidFor', s.maxValidFor, 'VALID', []],
      ['delegated', s.delegated, 'VALID', ['DELEGATED']],
      ['revoked', s.multiRecipient, 'REVOKED', ['REVOKED']],
      ['revoked in its own block', scenario.sameBlock!.attestedAndRevoked, 'REVOKED', ['REVOKED']],
      ['revoked through a relayer', s.delegatedRevoked, 'REVOKED', ['REVOKED']],
      ['born revoked', ids.bornRevoked, 'REVOKED', ['REVOKED']],
      ['expired at creation', s.expired, 'EXPIRED', ['EXPIRED']],
      ['undecodable data', s.undecodable, 'INVALID', ['DATA_UNDECODABLE']],
      ['schema not indexed', ids.schemaMissing, 'INVALID', ['SCHEMA_MISSING']],
      ['parent not indexed', ids.linkedMissing, 'INVALID', ['LINKED_MISSING']],
      ['parent by another attester', ids.differentAttester, 'INVALID', ['LINKED_DIFFERENT_ATTESTER']],
      ['links to itself', ids.selfLinked, 'INVALID', ['LINKED_NOT_LOWER_ID']],
      ['below a self-link', ids.childOfSelfLinked, 'INVALID', ['LINEAGE_INVALID']],
      ['validUntil beyond maxValidFor', ids.exceedsMax, 'INVALID', ['VALID_UNTIL_EXCEEDS_MAX_VALID_FOR']],
      ['child of an invalid attestation', ids.lineageInvalid, 'INVALID', ['LINEAGE_INVALID']],
      ['child of an expired attestation', ids.lineageExpired, 'VALID', ['LINEAGE_EXPIRED']],
      ['grandchild of a revoked attestation', s.linkedChain[2]!, 'VALID', ['LINEAGE_REVOKED']],
      ['child of a revoked attestation', s.linkedToRevoked, 'VALID', ['LINEAGE_REVOKED']],
      ['ancestors beyond depth 50', ids.deepLeaf, 'VALID', ['LINEAGE_TRUNCATED']],
    ]
    for (const [what, id, status, codes] of expected) {
      expect({ what, status: verifications.get(fullId(id))?.status, codes: codesOf(verifications.get(fullId(id))) }).toEqual({ what, status, codes })
    }
    expect(verifications.size).toBe(await db.prisma.attestation.count())
    // confirmations = blocks on top of the attestation's block, from the head the indexer last saw
    const { headBlock } = await db.prisma.chain.findUniqueOrThrow({ where: { chainId: devnet.chainId } })
    const blocks = await db.prisma.attestation.findMany({ where: { chainId: devnet.chainId }, select: { attestationId: true, blockNumber: true } })
    const confirmationsOf = new Map([...verifications].map(([id, v]) => [id, v.confirmations]))
    expect(confirmationsOf).toEqual(new Map(blocks.map((a) => [fullId(a.attestationId), Number(headBlock! - a.blockNumber)])))
    expect(Math.max(...[...confirmationsOf.values()].map(Number))).toBeGreaterThan(0)
    for (const v of verifications.values()) {
      expect(v.checkedAt).not.toBeNull()
      expect(v.requiredConfirmations).toBe(0)
      for (const r of v.reasons)
        expect(r.informational).toBe(['DATA_NOT_CHECKED', 'DELEGATED', 'LINEAGE_REVOKED', 'LINEAGE_EXPIRED', 'LINEAGE_TRUNCATED'].includes(r.code))
    }
  })

  it('explains each reason in its message', async () => {
    const verifications = await readVerifications(gateway.yoga, devnet.chainId)
    const message = (id: bigint) => verifications.get(fullId(id))!.reasons[0]!.message
    expect(message(ids.bornRevoked)).toMatch(/^born revoked/)
    expect(message(scenario.attestations.multiRecipient)).toMatch(/^revoked in block \d+: données périmées ✓$/)
    expect(message(ids.differentAttester)).toContain(devAccount(A).address.toLowerCase())
    expect(message(ids.childOfSelfLinked)).toBe(`ancestor ${fullId(ids.selfLinked)} (depth 1) is invalid: LINKED_NOT_LOWER_ID`)
    expect(message(scenario.attestations.linkedChain[3]!)).toBe(`ancestor ${fullId(scenario.attestations.linkedChain[1]!)} (depth 2) is revoked`)
    expect(message(scenario.attestations.undecodable)).toMatch(/^DATA_UNDECODABLE: /)
    const delegated = verifications.get(fullId(scenario.attestations.delegated))!
    expect(delegated.delegated).toBe(true)
    expect(delegated.reasons[0]!.message).toContain(scenario.accounts.relayer.toLowerCase())
    const soon = verifications.get(fullId(scenario.attestations.validSoon))!
    expect(soon.expiresAt).not.toBeNull()
  })

  it('journals exactly one STATUS_CHANGED per first verdict, and none when a re-check finds nothing new', async () => {
    const count = () => db.prisma.event.count({ where: { kind: 'STATUS_CHANGED' } })
    expect(await count()).toBe(await db.prisma.attestation.count())
    const rows = await db.prisma.attestation.findMany({ select: { chainId: true, attestationId: true } })
    await db.prisma.verificationJob.createMany({ data: rows.map((r) => ({ ...r, cause: 'RECHECK' })) })
    verifier!.notify()
    await waitForQueueEmpty(db.prisma)
    expect(await count()).toBe(rows.length)
  })

  it('propagates a revocation down the lineage (LINEAGE jobs), one STATUS_CHANGED per changed verdict', async () => {
    const before = (await db.prisma.event.aggregate({ _max: { seq: true } }))._max.seq ?? 0n
    const family = [ids.propagationRoot, ids.propagationChild, ids.propagationGrandchild]
    await sp.revoke(A, ids.propagationRoot, 'root withdrawn')
    await indexToHead()
    verifier!.notify()
    await waitForQueueEmpty(db.prisma)
    const v = await readVerifications(gateway.yoga, devnet.chainId)
    expect(v.get(fullId(ids.propagationRoot))).toMatchObject({
      status: 'REVOKED',
      reasons: [{ code: 'REVOKED', message: `revoked in block ${await revokeBlock(ids.propagationRoot)}: root withdrawn` }],
    })
    expect(v.get(fullId(ids.propagationChild))?.reasons).toEqual([
      { code: 'LINEAGE_REVOKED', informational: true, message: `ancestor ${fullId(ids.propagationRoot)} (depth 1) is revoked` },
    ])
    expect(v.get(fullId(ids.propagationGrandchild))?.reasons).toEqual([
      { code: 'LINEAGE_REVOKED', informational: true, message: `ancestor ${fullId(ids.propagationRoot)} (depth 2) is revoked` },
    ])
    const changed = await db.prisma.event.findMany({
      where: { kind: 'STATUS_CHANGED', seq: { gt: before }, subjectId: { in: family.map(String) } },
      orderBy: { seq: 'asc' },
    })
    expect(changed.map((e) => BigInt(e.subjectId))).toEqual(family)
  })

  it('verifyAttestation re-runs the checks now and tells whether the stored verdict differs', async () => {
    const id = scenario.attestations.multiRecipient
    const same = await execute(gateway.yoga, VerifyAttestationDocument, { id: fullId(id) })
    expect(same.data?.verifyAttestation).toMatchObject({
      attestationId: fullId(id),
      differsFromStored: false,
      verification: { status: 'REVOKED' },
      stored: { status: 'REVOKED' },
    })
    await db.prisma.verification.update({
      where: { chainId_attestationId: { chainId: devnet.chainId, attestationId: id } },
      data: { status: 'VALID', reasons: [] },
    })
    const differs = await execute(gateway.yoga, VerifyAttestationDocument, { id: fullId(id) })
    expect(differs.data?.verifyAttestation).toMatchObject({
      differsFromStored: true,
      verification: { status: 'REVOKED', reasons: [{ code: 'REVOKED' }] },
      stored: { status: 'VALID', reasons: [] },
    })
    expect((await execute(gateway.yoga, VerifyAttestationDocument, { id: fullId(99_999n) })).data?.verifyAttestation).toBeNull()
    expect((await execute(gateway.yoga, VerifyAttestationDocument, { id: 'nope' })).errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT')
  })
})

async function revokeBlock(id: bigint): Promise<bigint> {
  const row = await db.prisma.attestation.findUniqueOrThrow({ where: { chainId_attestationId: { chainId: devnet.chainId, attestationId: id } } })
  return row.revokeBlockNumber!
}
