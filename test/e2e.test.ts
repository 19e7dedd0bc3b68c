/**
 * End to end on real parts: anvil running the real Sign Protocol contract, the scenario workload (every kind of
 * activity), the real indexer into real PostgreSQL, then EVERY attestation, schema and off-chain attestation
 * compared with the contract's own `get*` answers and its events — in the database and through GraphQL.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createDb, type Db } from '../src/db/createDb.js'
import { createWorkload, type Devnet, type ScenarioSummary, startDevnet } from '../src/devnet/index.js'
import { createGateway } from '../src/gateway/index.js'
import { createTestDatabase } from './helpers/database.js'
import { createTruthClient, diffWithGroundTruth, readGroundTruth } from './helpers/groundTruth.js'
import { devnetChain, runIndexerToHead } from './helpers/runIndexerToHead.js'
import { createTestCommon } from './helpers/common.js'

let devnet: Devnet
let scenario: ScenarioSummary
let database: { url: string; drop(): Promise<void> }
let db: Db
let gateway: ReturnType<typeof createGateway>

beforeAll(async () => {
  devnet = await startDevnet({ port: 0 })
  scenario = await createWorkload({ rpcUrl: devnet.rpcUrl, address: devnet.address }).seedScenario()
  database = await createTestDatabase('e2e')
  db = await createDb({ databaseUrl: database.url })
  await runIndexerToHead(db, devnetChain(devnet, { maxBlockRange: 7 }))
  gateway = createGateway({ prisma: db.prisma, common: createTestCommon() })
})

afterAll(async () => {
  await gateway?.close()
  await db?.close()
  await database?.drop()
  await devnet?.stop()
})

const gql = async (query: string, variables: Record<string, unknown> = {}) => {
  const res = await gateway.yoga.fetch('http://test/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query, variables }),
  })
  const body = (await res.json()) as { data?: any; errors?: unknown[] }
  expect(body.errors).toBeUndefined()
  return body.data
}

describe('indexing the real contract', () => {
  it('stores exactly what the contract and its events say', async () => {
    const truth = await readGroundTruth(createTruthClient(devnet.rpcUrl), devnet.address, devnet.deployBlock)
    expect(truth.attestations.size).toBeGreaterThan(20)
    expect(await diffWithGroundTruth(db.prisma, devnet.chainId, truth)).toEqual([])
  })

  it('decodes tuple and flat data, keeps undecodable data raw with a reason', async () => {
    const a = scenario.attestations
    const rows = await db.prisma.attestation.findMany({
      where: { chainId: devnet.chainId, attestationId: { in: [a.tupleData, a.flatData, a.undecodable, a.ipfs] } },
    })
    const by = new Map(rows.map((r) => [r.attestationId, r]))
    expect(by.get(a.tupleData)).toMatchObject({ dataEncoding: 'TUPLE', decodeError: null })
    expect(by.get(a.flatData)).toMatchObject({ dataEncoding: 'FLAT', decodeError: null })
    expect(by.get(a.undecodable)).toMatchObject({ dataEncoding: null, decodedData: null, decodeError: expect.stringMatching(/^DATA_UNDECODABLE/) })
    expect(by.get(a.ipfs)).toMatchObject({ dataEncoding: 'CID' })
  })

  it('decodes address and string recipients and keeps odd ones raw', async () => {
    const a = scenario.attestations
    const recipients = await db.prisma.recipient.findMany({
      where: { chainId: devnet.chainId, attestationId: { in: [a.addressRecipient, a.stringRecipient, a.oddRecipient] } },
    })
    const by = new Map(recipients.map((r) => [r.attestationId, r]))
    expect(by.get(a.addressRecipient)?.address).toMatch(/^0x[0-9a-f]{40}$/)
    expect(by.get(a.stringRecipient)?.text).toBeTruthy()
    expect(by.get(a.oddRecipient)).toMatchObject({ raw: '0x1234', address: null, text: null })
  })

  it('keeps a non-JSON schema with a reason', async () => {
    const s = await db.prisma.schema.findUnique({ where: { chainId_schemaId: { chainId: devnet.chainId, schemaId: scenario.schemas.notJson } } })
    expect(s).toMatchObject({ dataJson: null, fields: null, dataError: expect.stringMatching(/^SCHEMA_NOT_JSON/) })
  })

  it('records tx.from apart from the attester for delegated attestations', async () => {
    const row = await db.prisma.attestation.findUniqueOrThrow({
      where: { chainId_attestationId: { chainId: devnet.chainId, attestationId: scenario.attestations.delegated } },
    })
    expect(row.attester).toBe(scenario.accounts.delegator.toLowerCase())
    expect(row.txFrom).toBe(scenario.accounts.relayer.toLowerCase())
  })

  it('journals one CREATED per record and one REVOKED per revocation, in chain order', async () => {
    const events = await db.prisma.event.findMany({ where: { chainId: devnet.chainId }, orderBy: { seq: 'asc' } })
    const keys = events.map((e) => [e.blockNumber, e.logIndex] as const)
    const sorted = [...keys].sort((x, y) => (x[0] === y[0] ? x[1] - y[1] : x[0] < y[0] ? -1 : 1))
    expect(keys).toEqual(sorted)
    const created = events.filter((e) => e.kind === 'CREATED' && e.subjectType === 'ATTESTATION').length
    expect(created).toBe(await db.prisma.attestation.count({ where: { chainId: devnet.chainId } }))
    const revoked = events.filter((e) => e.kind === 'REVOKED' && e.subjectType === 'ATTESTATION').length
    expect(revoked).toBe(scenario.revocations.length)
  })

  it('serves every attestation through GraphQL exactly as the contract has it', async () => {
    const truth = await readGroundTruth(createTruthClient(devnet.rpcUrl), devnet.address, devnet.deployBlock)
    const seen = new Map<string, any>()
    let after: string | null = null
    for (;;) {
      const data = await gql(
        `query($after: String) { attestations(first: 50, after: $after, orderBy: ATTESTATION_ID_ASC, where: { chainId: ${devnet.chainId} }) {
          edges { node { id attestationId attester schemaId linkedAttestationId attestTimestamp revokeTimestamp validUntil revoked revokeReason indexingKey data dataLocation recipients { raw } } }
          pageInfo { hasNextPage endCursor } } }`,
        { after },
      )
      for (const e of data.attestations.edges) seen.set(e.node.id, e.node)
      if (!data.attestations.pageInfo.hasNextPage) break
      after = data.attestations.pageInfo.endCursor
    }
    expect(seen.size).toBe(truth.attestations.size)
    const dl = ['ONCHAIN', 'ARWEAVE', 'IPFS', 'CUSTOM']
    for (const [id, t] of truth.attestations) {
      const n = seen.get(`onchain_evm_${devnet.chainId}_0x${id.toString(16)}`)
      expect(n, `attestation ${id}`).toBeDefined()
      expect({
        attester: n.attester,
        schemaId: n.schemaId,
        linked: n.linkedAttestationId,
        attestTimestamp: n.attestTimestamp,
        revokeTimestamp: n.revokeTimestamp,
        validUntil: n.validUntil,
        revoked: n.revoked,
        revokeReason: n.revokeReason,
        indexingKey: n.indexingKey,
        data: n.data,
        dataLocation: n.dataLocation,
        recipients: n.recipients.map((r: { raw: string }) => r.raw),
      }).toEqual({
        attester: t.attester,
        schemaId: `onchain_evm_${devnet.chainId}_0x${(t.schemaId as bigint).toString(16)}`,
        linked: t.linkedAttestationId === null ? null : `onchain_evm_${devnet.chainId}_0x${(t.linkedAttestationId as bigint).toString(16)}`,
        attestTimestamp: String(t.attestTimestamp),
        revokeTimestamp: String(t.revokeTimestamp),
        validUntil: t.validUntil,
        revoked: t.revoked,
        revokeReason: t.revokeReason,
        indexingKey: t.indexingKey,
        data: t.data,
        dataLocation: dl[t.dataLocation as number],
        recipients: t.recipientsRaw,
      })
    }
  })

  it('serves every schema and off-chain attestation through GraphQL', async () => {
    const truth = await readGroundTruth(createTruthClient(devnet.rpcUrl), devnet.address, devnet.deployBlock)
    for (const [id, t] of truth.schemas) {
      const data = await gql('query($id: ID!) { schema(id: $id) { registrant revocable maxValidFor hook timestamp data } }', {
        id: `onchain_evm_${devnet.chainId}_0x${id.toString(16)}`,
      })
      expect(data.schema).toEqual({
        registrant: t.registrant,
        revocable: t.revocable,
        maxValidFor: t.maxValidFor,
        hook: t.hook,
        timestamp: String(t.timestamp),
        data: t.data,
      })
    }
    for (const [id, t] of truth.offchain) {
      const data = await gql(
        'query($c: Int!, $id: String!) { offchainAttestation(chainId: $c, offchainAttestationId: $id) { attester timestamp revoked revokeReason } }',
        { c: devnet.chainId, id },
      )
      expect(data.offchainAttestation).toEqual({ attester: t.attester, timestamp: String(t.timestamp), revoked: t.revoked, revokeReason: t.revokeReason })
    }
  })
})
