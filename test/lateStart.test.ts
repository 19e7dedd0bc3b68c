/**
 * A chain indexed from a start block after its schemas were registered (what every partner does who starts at "now",
 * or at a deployment block of their own): attestations reference schemas and linked attestations the database never
 * saw. The gateway must answer them (schema and linked attestation null, the data's decode error saying why) and
 * never fail the whole query with "Cannot return null for non-nullable field".
 */
import { afterAll, beforeAll, expect, it } from 'vitest'
import { createDb, type Db } from '../src/db/createDb.js'
import { createDevClients, createSpWriter, type Devnet, SCORE_FIELDS, schemaJson, startDevnet, tupleScore } from '../src/devnet/index.js'
import { createGateway, toFullId } from '../src/gateway/index.js'
import { createTestDatabase, type TestDatabase } from './helpers/database.js'
import { execute } from './helpers/graphql.js'
import { createTruthClient } from './helpers/groundTruth.js'
import { devnetChain, runIndexerToHead } from './helpers/runIndexerToHead.js'
import { createTestCommon } from './helpers/common.js'

let devnet: Devnet
let database: TestDatabase
let db: Db
const ids: Record<string, bigint> = {}

beforeAll(async () => {
  devnet = await startDevnet({ port: 0 })
  const writer = createSpWriter(await createDevClients(devnet.rpcUrl), devnet.address)
  const schemaId = await writer.register(1, { data: schemaJson('early', 'registered before the start block', SCORE_FIELDS) })
  ids.before = await writer.attest(1, { schemaId, data: tupleScore('before', 1n) }, 'before')
  const startBlock = (await createTruthClient(devnet.rpcUrl).getBlockNumber({ cacheTime: 0 })) + 1n
  ids.after = await writer.attest(1, { schemaId, data: tupleScore('after', 2n) }, 'after')
  ids.child = await writer.attest(1, { schemaId, linkedAttestationId: ids.before, data: tupleScore('child', 3n) }, 'child')
  database = await createTestDatabase('sitest_late_start')
  db = await createDb({ databaseUrl: database.url })
  await runIndexerToHead(db, devnetChain({ ...devnet, deployBlock: startBlock }))
}, 120_000)

afterAll(async () => {
  await db?.close()
  await database?.drop()
  await devnet?.stop()
})

it('serves attestations whose schema and linked attestation were registered before the start block', async () => {
  const gateway = createGateway({ prisma: db.prisma, common: createTestCommon() })
  try {
    const result = await execute<{ attestations: { edges: { node: Record<string, unknown> }[] } }, Record<string, never>>(
      gateway.yoga,
      '{ attestations(orderBy: ATTESTATION_ID_ASC) { edges { node { id indexingKey schemaId schema { id } linkedAttestationId linkedAttestation { id } decodeError } } } }',
    )
    expect(result.errors).toBeUndefined()
    const nodes = result.data!.attestations.edges.map((e) => e.node)
    expect(nodes.map((n) => n.indexingKey)).toEqual(['after', 'child'])
    for (const n of nodes) {
      expect(n.schema).toBeNull()
      expect(n.schemaId).toMatch(/^onchain_evm_31337_0x/)
      expect(n.decodeError).toMatch(/^DATA_UNKNOWN_SCHEMA/)
    }
    expect(nodes[1]).toMatchObject({ linkedAttestationId: toFullId(devnet.chainId, ids.before!), linkedAttestation: null })
  } finally {
    await gateway.close()
  }
})
