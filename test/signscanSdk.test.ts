/**
 * The official SDK (`@ethsign/sp-sdk` 1.2.6) as the client of both ends, as partners use it:
 * - writes through its on-chain client (`SignProtocolClient`, `SpMode.OnChain`, `EvmChains.sepolia` with `rpcUrl`
 *   pointed at a devnet): anvil runs with Sepolia's chain id and the real SP contract at Sepolia's SP address,
 *   the one the SDK hard-codes for that chain (`ContractInfoMap`); schemas, string- and address-encoded recipients,
 *   flat data, linked attestations, a revocation;
 * - the real indexer indexes it into real PostgreSQL;
 * - the SDK's `IndexService` reads it back from our gateway's HTTP server. The SDK hard-codes SignScan's hosts in a
 *   private `host` field (no constructor option): it is overwritten with our base URL, the one thing a partner
 *   changes. Every method is called and compared with what was written and with the SDK's own contract reads.
 */
import { DataLocationOnChain, decodeOnChainData, EvmChains, IndexService, RecipientEncodingType, SignProtocolClient, SpMode } from '@ethsign/sp-sdk'
import { getAddress } from 'viem'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { getDeployment } from '../src/config/deployments.js'
import { createDb, type Db } from '../src/db/createDb.js'
import { createDevClients, devAccount, type Devnet, startDevnet } from '../src/devnet/index.js'
import { createGateway, type GatewayServer, startGatewayServer } from '../src/gateway/index.js'
import { AttestationInfo as AttestationInfoSchema, SchemaInfo as SchemaInfoSchema } from '../src/rest/signScanRows.js'
import { createTestDatabase, type TestDatabase } from './helpers/database.js'
import { devnetChain, runIndexerToHead } from './helpers/runIndexerToHead.js'
import { createTestCommon } from './helpers/common.js'

const SEPOLIA = getDeployment('sepolia')!
const FULL = (id: string) => `onchain_evm_${SEPOLIA.chainId}_${id}`

/** Field names of the SDK's `SchemaInfo` / `AttestationInfo` (src/types/indexService.ts), each must be in our rows. */
const SDK_SCHEMA_FIELDS = [
  'id',
  'mode',
  'chainType',
  'chainId',
  'schemaId',
  'transactionHash',
  'name',
  'description',
  'revocable',
  'maxValidFor',
  'resolver',
  'registerTimestamp',
  'registrant',
  'data',
]
const SDK_ATTESTATION_FIELDS = [
  'id',
  'mode',
  'chainType',
  'chainId',
  'attestationId',
  'transactionHash',
  'indexingValue',
  'schemaId',
  'fullSchemaId',
  'linkedAttestation',
  'attester',
  'from',
  'attestTimestamp',
  'validUntil',
  'revoked',
  'revokeTimestamp',
  'revokeReason',
  'revokeTransactionHash',
  'data',
  'dataLocation',
  'extra',
  'syncAt',
  'lastSyncAt',
  'recipients',
  'schema',
]

const SCORE_FIELDS = [
  { name: 'score', type: 'uint256' },
  { name: 'note', type: 'string' },
]
const PASS_FIELDS = [{ name: 'passed', type: 'bool' }]
const attester = devAccount(0)
const CAROL = getAddress('0xcafe00000000000000000000000000000000beef')
const DAVE = '0x00000000000000000000000000000000000da7e5'

let devnet: Devnet
let database: TestDatabase
let db: Db
let server: GatewayServer
let index: IndexService
const written = {
  scoreSchema: '',
  passSchema: '',
  first: '',
  second: '',
  third: '',
  expiring: '',
  txs: {} as Record<string, string | undefined>,
  indexingValues: {} as Record<string, string>,
  validUntil: 0,
}

beforeAll(async () => {
  devnet = await startDevnet({ chainId: SEPOLIA.chainId, spAddress: SEPOLIA.contract as `0x${string}` })
  const client = new SignProtocolClient(SpMode.OnChain, { chain: EvmChains.sepolia, rpcUrl: devnet.rpcUrl, account: attester as never })

  const score = await client.createSchema({ name: 'Score', description: 'a score with a note', data: SCORE_FIELDS as never, revocable: true })
  const pass = await client.createSchema({ name: 'Pass', description: 'passed or not', data: PASS_FIELDS as never, revocable: false, maxValidFor: 3600 })
  written.scoreSchema = score.schemaId
  written.passSchema = pass.schemaId
  const first = await client.createAttestation({
    schemaId: score.schemaId,
    data: { score: 7n, note: 'hello' },
    indexingValue: 'idx-1',
    recipients: [CAROL, 'alice@example.com'],
  })
  const second = await client.createAttestation(
    { schemaId: score.schemaId, data: { score: 8n, note: 'linked' }, indexingValue: 'idx-2', recipients: [DAVE], linkedAttestationId: first.attestationId },
    { recipientEncodingType: RecipientEncodingType.Address },
  )
  const third = await client.createAttestation({
    schemaId: score.schemaId,
    data: { score: 9n, note: 'grandchild' },
    indexingValue: 'idx-1',
    recipients: [],
    linkedAttestationId: second.attestationId,
  })
  const block = await (await createDevClients(devnet.rpcUrl)).publicClient.getBlock()
  written.validUntil = Number(block.timestamp) + 1800
  const expiring = await client.createAttestation({
    schemaId: pass.schemaId,
    data: { passed: true },
    indexingValue: 'idx-3',
    recipients: [CAROL],
    validUntil: written.validUntil,
  })
  const revoked = await client.revokeAttestation(first.attestationId, { reason: 'superseded' })
  Object.assign(written, { first: first.attestationId, second: second.attestationId, third: third.attestationId, expiring: expiring.attestationId })
  written.txs = { score: score.txHash, first: first.txHash, second: second.txHash, revoke: revoked.txHash }
  // what the AttestationMade events said (the SDK's getAttestation cannot read it back: it is not in the struct)
  for (const a of [first, second, third, expiring]) written.indexingValues[a.attestationId] = a.indexingValue

  database = await createTestDatabase('sitest_signscan_sdk')
  db = await createDb({ databaseUrl: database.url })
  await runIndexerToHead(db, devnetChain(devnet), { timeoutMs: 30_000 })
  server = await startGatewayServer({ gateway: createGateway({ prisma: db.prisma, common: createTestCommon() }), port: 0 })
  index = new IndexService('mainnet')
  // the SDK keeps SignScan's base URL in a private field and offers no option for it
  ;(index as unknown as { host: string }).host = server.url.replace(/\/graphql$/, '')
}, 120_000)

afterAll(async () => {
  await server?.close()
  await db?.close()
  await database?.drop()
  await devnet?.stop()
})

describe('IndexService against our gateway', () => {
  it('querySchemaList: every schema the SDK registered, newest first, with SignScan fields', async () => {
    const page = await index.querySchemaList({ page: 1 })
    expect(page).toMatchObject({ total: 2, size: 100, page: 1 })
    expect(page!.rows.map((s) => s.id)).toEqual([FULL(written.passSchema), FULL(written.scoreSchema)])
    const [pass, score] = page!.rows
    if (!pass || !score) throw new Error('expected two schema rows')
    for (const row of page!.rows) {
      expect(Object.keys(row)).toEqual(expect.arrayContaining(SDK_SCHEMA_FIELDS))
      SchemaInfoSchema.parse(row)
    }
    expect(score).toMatchObject({
      mode: 'onchain',
      chainType: 'evm',
      chainId: String(SEPOLIA.chainId),
      schemaId: written.scoreSchema,
      transactionHash: written.txs.score,
      name: 'Score',
      description: 'a score with a note',
      revocable: true,
      maxValidFor: '0',
      resolver: '0x0000000000000000000000000000000000000000',
      registrant: attester.address.toLowerCase(),
      data: SCORE_FIELDS,
      dataLocation: 'onchain',
    })
    expect(pass).toMatchObject({ name: 'Pass', revocable: false, maxValidFor: '3600', data: PASS_FIELDS })
    expect(score.registerTimestamp).toMatch(/^[1-9]\d{12}$/) // milliseconds
    expect(JSON.parse((score as unknown as { originalData: string }).originalData)).toEqual({
      name: 'Score',
      description: 'a score with a note',
      data: SCORE_FIELDS,
    })

    // what the SDK sends for unset options (`id=undefined`), with filters and a small page
    const filtered = await index.querySchemaList({ page: 2, size: 1, registrant: attester.address, mode: 'onchain', id: undefined })
    expect(filtered).toMatchObject({ total: 2, size: 1, page: 2 })
    expect(filtered!.rows.map((s) => s.id)).toEqual([FULL(written.scoreSchema)])
    expect((await index.querySchemaList({ page: 1, id: FULL(written.scoreSchema) }))!.rows).toEqual([score])
    expect(await index.querySchemaList({ page: 1, mode: 'offchain' })).toMatchObject({ total: 0, rows: [] })
  })

  it('querySchema: one schema by full id, the same row as in the list', async () => {
    const list = await index.querySchemaList({ page: 1 })
    expect(await index.querySchema(FULL(written.scoreSchema))).toEqual(list!.rows[1])
    // the SDK refuses a bare 0x id itself, before sending
    await expect(index.querySchema(written.scoreSchema)).rejects.toThrow(/full ID/)
  })

  it('queryAttestationList: what the SDK wrote, filtered by schema, indexing value, id, attestor, recipient', async () => {
    const all = await index.queryAttestationList({ page: 1, schemaId: undefined, attester: undefined, mode: undefined, indexingValue: undefined })
    expect(all).toMatchObject({ total: 4, size: 100, page: 1 })
    expect(all!.rows.map((a) => a.id)).toEqual([written.expiring, written.third, written.second, written.first].map(FULL))
    for (const row of all!.rows) {
      expect(Object.keys(row)).toEqual(expect.arrayContaining(SDK_ATTESTATION_FIELDS))
      expect(Object.keys(row.schema)).toEqual(expect.arrayContaining([...SDK_SCHEMA_FIELDS, 'originalData', 'extra', 'syncAt']))
      AttestationInfoSchema.parse(row)
    }
    const bySchema = await index.queryAttestationList({ page: 1, schemaId: FULL(written.scoreSchema), mode: 'onchain' })
    expect(bySchema!.rows.map((a) => a.attestationId)).toEqual([written.third, written.second, written.first])
    const byIndexingValue = await index.queryAttestationList({ page: 1, indexingValue: 'idx-1', attester: attester.address })
    expect(byIndexingValue!.rows.map((a) => a.attestationId)).toEqual([written.third, written.first])
    expect((await index.queryAttestationList({ page: 1, id: FULL(written.second) }))!.rows.map((a) => a.attestationId)).toEqual([written.second])
    expect(await index.queryAttestationList({ page: 1, mode: 'offchain' })).toMatchObject({ total: 0, rows: [] })
    // what callers outside the SDK's type also send: attestor (misspelled), size, registrant; and our recipient filter
    const extra = (await index.queryAttestationList({ page: 2, attestor: attester.address, size: 1, registrant: attester.address } as never))!
    expect(extra).toMatchObject({ total: 4, size: 1, page: 2 })
    expect(extra.rows.map((a) => a.attestationId)).toEqual([written.third])
    const toCarol = (await index.queryAttestationList({ page: 1, recipient: CAROL.toLowerCase() } as never))!
    expect(toCarol.rows.map((a) => a.attestationId)).toEqual([written.expiring, written.first])
  })

  it('queryAttestation: each attestation as written, decodable with the SDK, linked and revoked as on chain', async () => {
    const sdkClient = new SignProtocolClient(SpMode.OnChain, { chain: EvmChains.sepolia, rpcUrl: devnet.rpcUrl, account: attester as never })
    const first = (await index.queryAttestation(FULL(written.first)))!
    expect(first).toMatchObject({
      id: FULL(written.first),
      mode: 'onchain',
      chainType: 'evm',
      chainId: String(SEPOLIA.chainId),
      attestationId: written.first,
      transactionHash: written.txs.first,
      indexingValue: 'idx-1',
      schemaId: written.scoreSchema,
      fullSchemaId: FULL(written.scoreSchema),
      linkedAttestation: '',
      attester: attester.address.toLowerCase(),
      from: attester.address.toLowerCase(),
      validUntil: '0',
      revoked: true,
      revokeReason: 'superseded',
      revokeTransactionHash: written.txs.revoke,
      dataLocation: 'onchain',
      extra: {},
      recipients: [CAROL, 'alice@example.com'],
    })
    expect(first.attestTimestamp).toMatch(/^[1-9]\d{12}$/)
    expect(BigInt(first.revokeTimestamp)).toBeGreaterThanOrEqual(BigInt(first.attestTimestamp))
    expect(first.lastSyncAt).toBe(first.revokeTimestamp)
    expect(decodeOnChainData(first.data, DataLocationOnChain.ONCHAIN, first.schema.data as never)).toEqual({ score: 7n, note: 'hello' })

    const second = (await index.queryAttestation(FULL(written.second), { parseOffChainData: true }))!
    expect(second).toMatchObject({
      linkedAttestation: FULL(written.first),
      revoked: false,
      revokeTimestamp: null,
      revokeReason: null,
      revokeTransactionHash: null,
      recipients: [DAVE],
    })
    expect((await index.queryAttestation(FULL(written.third)))!.linkedAttestation).toBe(FULL(written.second))
    const expiring = (await index.queryAttestation(FULL(written.expiring)))!
    expect(expiring).toMatchObject({ validUntil: `${written.validUntil}000`, schemaId: written.passSchema })
    expect(expiring.schema).toMatchObject({ name: 'Pass', data: PASS_FIELDS })

    // the same facts as the SDK's own contract read
    for (const id of [written.first, written.second, written.third, written.expiring]) {
      const row = (await index.queryAttestation(FULL(id)))!
      const onchain = (await sdkClient.getAttestation(id)) as Extract<Awaited<ReturnType<SignProtocolClient['getAttestation']>>, { attestTimestamp?: number }>
      expect(row.attester).toBe(onchain.attester!.toLowerCase())
      expect(row.indexingValue).toBe(written.indexingValues[id])
      expect(row.revoked).toBe(onchain.revoked)
      expect(row.recipients.map((r) => r.toLowerCase())).toEqual(onchain.recipients!.map((r) => String(r).toLowerCase()))
      expect(row.attestTimestamp).toBe(`${onchain.attestTimestamp}000`)
      expect(decodeOnChainData(row.data, DataLocationOnChain.ONCHAIN, row.schema.data as never)).toEqual(onchain.data)
      expect(row.linkedAttestation).toBe(onchain.linkedAttestationId === '0x0' ? '' : FULL(onchain.linkedAttestationId!))
    }
  })

  it('an unknown id is a 404 the SDK throws with our envelope', async () => {
    const quiet = vi.spyOn(console, 'error').mockImplementation(() => {}) // the SDK logs every failed request
    try {
      const failure = await index.queryAttestation(FULL('0x99')).catch((error: unknown) => error)
      expect(failure).toMatchObject({ status: 404, errorData: { success: false, statusCode: 404, code: 'NOT_FOUND', data: null } })
      const schema = await index.querySchema(FULL('0x99')).catch((error: unknown) => error)
      expect(schema).toMatchObject({ status: 404, errorData: { code: 'NOT_FOUND' } })
    } finally {
      quiet.mockRestore()
    }
  })
})
