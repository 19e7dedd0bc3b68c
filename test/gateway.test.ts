/**
 * The GraphQL gateway against a real PostgreSQL database: every query field and filter, keyset pagination,
 * page cap, lazy totalCount, lineage, query counts (no N+1), graphql-armor limits, indexer status and an SSE
 * subscription fed from the journal.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createDb, type Db } from '../src/db/createDb.js'
import { ARMOR_LIMITS, createGateway, type Gateway, toFullId } from '../src/gateway/index.js'
import {
  ALICE,
  ATTESTATION_COUNT,
  BOB,
  CAROL,
  CAROL_MIXED_CASE,
  CHAIN,
  MAX_VALID_UNTIL,
  OTHER_CHAIN,
  RELAYER,
  rules,
  SCHEMA_JSON,
  makeAttestation,
  seedGatewayFixtures,
} from './fixtures/gatewayFixtures.js'
import {
  AttestationByIdDocument,
  AttestationChildrenDocument,
  AttestationCountDocument,
  AttestationGraphDocument,
  AttestationLineageDocument,
  AttestationPageDocument,
  type AttestationPageQueryVariables,
  IndexerStatusDocument,
  OffchainAttestationByIdDocument,
  OffchainAttestationPageDocument,
  OnAttestationCreatedDocument,
  OnAttestationRevokedDocument,
  SchemaByIdDocument,
  SchemaPageDocument,
  SchemasWithAttestationsDocument,
} from './generated/graphql.js'
import { createTestDatabase, type TestDatabase } from './helpers/database.js'
import { execute, subscribeSse, waitFor } from './helpers/graphql.js'
import { createTestCommon } from './helpers/common.js'
import { isTotalCountStatement } from './helpers/queryPlans.js'

let database: TestDatabase
let db: Db
let gateway: Gateway
const sql: string[] = []

const id = (n: number, chainId = CHAIN) => toFullId(chainId, BigInt(n))

/** SQL sent while `fn` runs, without the journal tail's polling of "Event". */
async function sqlDuring(fn: () => Promise<unknown>): Promise<string[]> {
  sql.length = 0
  await fn()
  return sql.filter((q) => !q.includes('"Event"'))
}

beforeAll(async () => {
  database = await createTestDatabase('sitest_gateway')
  db = await createDb({ databaseUrl: database.url, onQuery: (e) => sql.push(e.query) })
  await seedGatewayFixtures(db.prisma)
  gateway = createGateway({ prisma: db.prisma, common: createTestCommon(), journalPollMs: 50, maxPageSize: 100 })
  await gateway.journal.ready
})

afterAll(async () => {
  await gateway?.close()
  await db?.close()
  await database?.drop()
})

describe('attestation(id)', () => {
  it('returns every field of an attestation by SignScan full id', async () => {
    const { data, errors } = await execute(gateway.yoga, AttestationByIdDocument, { id: id(2) })
    expect(errors).toBeUndefined()
    expect(data?.attestation).toMatchObject({
      id: 'onchain_evm_31337_0x2',
      chainId: CHAIN,
      attestationId: '0x2',
      schemaId: 'onchain_evm_31337_0x1',
      attester: BOB,
      from: BOB,
      delegated: false,
      linkedAttestationId: 'onchain_evm_31337_0x1',
      attestTimestamp: rules.attestTimestamp(2).toString(),
      attestTime: new Date(Number(rules.attestTimestamp(2)) * 1000).toISOString(),
      revokeTimestamp: '0',
      revokeTime: null,
      validUntil: '0',
      validUntilTime: null,
      expired: false,
      revoked: false,
      revokeReason: null,
      dataLocation: 'ONCHAIN',
      decodedData: { score: '44' },
      dataEncoding: 'TUPLE',
      decodeError: null,
      indexingKey: 'key-2',
      blockNumber: '102',
      logIndex: 0,
      recipients: [{ position: 0, address: null, text: 'alice@example.com' }],
      schema: { id: 'onchain_evm_31337_0x1', schemaId: '0x1' },
    })
  })

  it('accepts upper-case hex, returns null for unknown ids and reports revocation, delegation and expiry', async () => {
    const { data } = await execute(gateway.yoga, AttestationByIdDocument, { id: 'onchain_evm_31337_0x1A' })
    expect(data?.attestation?.id).toBe('onchain_evm_31337_0x1a')
    expect((await execute(gateway.yoga, AttestationByIdDocument, { id: id(999) })).data?.attestation).toBeNull()
    expect((await execute(gateway.yoga, AttestationByIdDocument, { id: id(1, 1) })).data?.attestation).toBeNull()
    const revoked = (await execute(gateway.yoga, AttestationByIdDocument, { id: id(7) })).data?.attestation
    expect(revoked).toMatchObject({ revoked: true, revokeReason: 'mistake', from: RELAYER, attester: ALICE, delegated: true, revokeBlockNumber: '507' })
    expect(revoked?.revokeTime).not.toBeNull()
    expect((await execute(gateway.yoga, AttestationByIdDocument, { id: id(8) })).data?.attestation).toMatchObject({ validUntil: '1', expired: true })
    expect((await execute(gateway.yoga, AttestationByIdDocument, { id: id(9) })).data?.attestation).toMatchObject({
      validUntil: MAX_VALID_UNTIL,
      validUntilTime: null,
      expired: false,
    })
  })

  it.each(['31337_0x1', 'onchain_evm_31337_1', 'onchain_evm_x_0x1', 'onchain_evm_31337_0x', 'onchain_evm_31337_0x10000000000000000'])(
    'rejects the malformed id %s with BAD_USER_INPUT',
    async (bad) => {
      const { data, errors } = await execute(gateway.yoga, AttestationByIdDocument, { id: bad })
      expect(data?.attestation ?? null).toBeNull()
      expect(errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT')
    },
  )
})

describe('attestations(where)', () => {
  async function idsFor(where: AttestationPageQueryVariables['where']): Promise<string[]> {
    const { data, errors } = await execute(gateway.yoga, AttestationPageDocument, { where, first: 100 })
    expect(errors).toBeUndefined()
    return data!.attestations.edges.map((e) => e.node.id)
  }
  const onChain = (pick: (n: number) => boolean) =>
    Array.from({ length: ATTESTATION_COUNT }, (_, i) => ATTESTATION_COUNT - i)
      .filter(pick)
      .map((n) => id(n))

  it('filters by chain, schema (full or numeric id), attester, indexing key, revocation and lineage', async () => {
    expect(await idsFor({ chainId: OTHER_CHAIN })).toEqual([id(3, OTHER_CHAIN), id(2, OTHER_CHAIN), id(1, OTHER_CHAIN)])
    const schema2 = onChain((n) => rules.schemaId(n) === 2n)
    expect(await idsFor({ schemaId: 'onchain_evm_31337_0x2' })).toEqual(schema2)
    expect(await idsFor({ schemaId: '2' })).toEqual(schema2)
    expect(await idsFor({ schemaId: '0x2' })).toEqual(schema2)
    expect(await idsFor({ schemaId: 'onchain_evm_10_0x1' })).toEqual([id(3, OTHER_CHAIN), id(2, OTHER_CHAIN), id(1, OTHER_CHAIN)])
    expect(await idsFor({ chainId: CHAIN, attester: BOB.toUpperCase().replace('0X', '0x') })).toEqual(onChain((n) => rules.attester(n) === BOB))
    expect(await idsFor({ indexingKey: 'batch-a' })).toEqual(onChain((n) => n % 10 === 0))
    expect(await idsFor({ revoked: true })).toEqual([id(7), id(6), id(5)])
    expect(await idsFor({ linkedAttestationId: id(1) })).toEqual([id(4), id(2)])
    expect(await idsFor({ chainId: CHAIN, linkedAttestationId: '0x2' })).toEqual([id(3)])
  })

  it('filters by recipient address (address- or string-encoded) and by recipient text', async () => {
    expect(await idsFor({ recipient: CAROL })).toEqual([id(3), id(1)])
    expect(await idsFor({ recipient: CAROL_MIXED_CASE })).toEqual([id(3), id(1)])
    expect(await idsFor({ recipient: `0x${CAROL.slice(2).toUpperCase()}` })).toEqual([id(3), id(1)])
    expect(await idsFor({ recipient: 'alice@example.com' })).toEqual([id(2)])
    expect(await idsFor({ recipient: 'nobody' })).toEqual([])
  })

  it('filters by attest timestamp range (unix seconds, inclusive)', async () => {
    const gte = rules.attestTimestamp(20)
    const lte = rules.attestTimestamp(25)
    expect(await idsFor({ chainId: CHAIN, attestTimestampGte: gte.toString(), attestTimestampLte: lte.toString() })).toEqual(
      onChain((n) => rules.attestTimestamp(n) >= gte && rules.attestTimestamp(n) <= lte),
    )
  })

  it.each([[{ attester: 'alice' }], [{ attestTimestampGte: 'yesterday' }], [{ schemaId: 'onchain_evm_31337_zz' }], [{ linkedAttestationId: '-1' }]])(
    'rejects the filter %j with BAD_USER_INPUT',
    async (where) => {
      const { errors } = await execute(gateway.yoga, AttestationPageDocument, { where, first: 5 })
      expect(errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT')
    },
  )
})

describe('attestations pagination', () => {
  // default order: attestation id desc, then chain id desc
  const expected = Array.from({ length: ATTESTATION_COUNT }, (_, i) => ATTESTATION_COUNT - i).flatMap((n) => (n <= 3 ? [id(n), id(n, OTHER_CHAIN)] : [id(n)]))

  it('walks forward with first/after and backward with last/before over the same keyset', async () => {
    const forward: string[] = []
    let after: string | null | undefined
    for (let page = 0; page < 10; page++) {
      const { data } = await execute(gateway.yoga, AttestationPageDocument, { first: 20, after })
      forward.push(...data!.attestations.edges.map((e) => e.node.id))
      expect(data!.attestations.pageInfo.hasPreviousPage).toBe(after != null)
      if (!data!.attestations.pageInfo.hasNextPage) break
      after = data!.attestations.pageInfo.endCursor
    }
    expect(forward).toEqual(expected)

    const backward: string[] = []
    let before: string | null | undefined
    for (let page = 0; page < 10; page++) {
      const { data } = await execute(gateway.yoga, AttestationPageDocument, { last: 25, before })
      backward.unshift(...data!.attestations.edges.map((e) => e.node.id))
      if (!data!.attestations.pageInfo.hasPreviousPage) break
      before = data!.attestations.pageInfo.startCursor
    }
    expect(backward).toEqual(expected)
  })

  it('pages by attest timestamp with ties broken by id', async () => {
    const all: [number, number][] = [
      ...Array.from({ length: ATTESTATION_COUNT }, (_, i): [number, number] => [CHAIN, i + 1]),
      [OTHER_CHAIN, 1],
      [OTHER_CHAIN, 2],
      [OTHER_CHAIN, 3],
    ]
    const sorted = all.sort(([ca, a], [cb, b]) => Number(rules.attestTimestamp(a) - rules.attestTimestamp(b)) || a - b || ca - cb).map(([c, n]) => id(n, c))
    const seen: string[] = []
    let after: string | null | undefined
    do {
      const { data } = await execute(gateway.yoga, AttestationPageDocument, { orderBy: 'ATTEST_TIMESTAMP_ASC', first: 7, after })
      seen.push(...data!.attestations.edges.map((e) => e.node.id))
      after = data!.attestations.pageInfo.hasNextPage ? data!.attestations.pageInfo.endCursor : null
    } while (after)
    expect(seen).toEqual(sorted)
  })

  it('rejects pages above the cap and malformed cursors with BAD_USER_INPUT', async () => {
    for (const variables of [{ first: 101 }, { last: 101 }, { first: 5, after: 'not-a-cursor' }]) {
      const { errors } = await execute(gateway.yoga, AttestationPageDocument, variables)
      expect(errors?.[0]?.extensions?.code, JSON.stringify(variables)).toBe('BAD_USER_INPUT')
    }
    const { data, errors } = await execute(gateway.yoga, AttestationPageDocument, { first: 100 })
    expect(errors).toBeUndefined()
    expect(data!.attestations.edges).toHaveLength(63)
  })

  it('computes totalCount only when it is selected', async () => {
    let total: number | undefined
    const withCount = await sqlDuring(async () => {
      total = (await execute(gateway.yoga, AttestationCountDocument, { where: { chainId: CHAIN, revoked: false } })).data?.attestations.totalCount
    })
    expect(total).toBe(ATTESTATION_COUNT - 3)
    expect(withCount.some(isTotalCountStatement)).toBe(true)
    const withoutCount = await sqlDuring(() => execute(gateway.yoga, AttestationPageDocument, { first: 5 }))
    expect(withoutCount.length).toBeGreaterThan(0)
    expect(withoutCount.some(isTotalCountStatement)).toBe(false)
  })
})

describe('relations', () => {
  it('reads the row and its recipients in one statement per attestation(id), page, lineage page and linkedBy page, as Prisma reads them', async () => {
    const FIELDS = `id chainId attestationId attester from delegated linkedAttestationId attestTimestamp attestTime revokeTimestamp revokeTime
      validUntil validUntilTime expired revoked revokeReason revokeBlockNumber revokeTransactionHash dataLocation data decodedData dataEncoding
      decodeError indexingKey transactionHash blockNumber blockHash blockTimestamp blockTime logIndex recipients { position raw address text }`
    // `schema { id }` makes Prisma plan the read (a relation the direct read does not serve): the reference
    const documents = (extra: string) => ({
      byId: `query($id: ID!) { attestation(id: $id) { ${FIELDS} ${extra} } }`,
      page: `{ attestations(first: 30, orderBy: ATTEST_TIMESTAMP_ASC) { nodes { ${FIELDS} ${extra} } } }`,
      lineage: `query($id: ID!) { attestation(id: $id) { lineage(direction: ANCESTORS, first: 5) { edges { depth node { ${FIELDS} ${extra} } } } } }`,
      linkedBy: `query($id: ID!) { attestation(id: $id) { linkedBy(first: 5) { nodes { ${FIELDS} ${extra} } } } }`,
    })
    const direct = documents('')
    const planned = documents('schema { id }')
    const strip = (value: unknown) => JSON.parse(JSON.stringify(value).replaceAll(/,"schema":\{"id":"[^"]*"\}/g, ''))
    for (const [name, variables, statements] of [
      ['byId', { id: id(2) }, 1],
      ['page', {}, 1],
      ['lineage', { id: id(3) }, 2],
      ['linkedBy', { id: id(1) }, 2],
    ] as const) {
      let fast: unknown
      const sent = await sqlDuring(async () => {
        const { data, errors } = await execute(gateway.yoga, direct[name], variables)
        expect(errors, name).toBeUndefined()
        fast = data
      })
      expect(sent, name).toHaveLength(statements)
      const { data: reference } = await execute(gateway.yoga, planned[name], variables)
      expect(fast, name).toEqual(strip(reference))
    }
  })

  it('follows lineage both ways (linkedAttestation and linkedBy with totalCount)', async () => {
    const { data } = await execute(gateway.yoga, AttestationLineageDocument, { id: id(3), first: 10 })
    expect(data?.attestation?.linkedAttestation).toEqual({ id: id(2), linkedAttestation: { id: id(1) } })
    const root = await execute(gateway.yoga, AttestationLineageDocument, { id: id(1), first: 1 })
    expect(root.data?.attestation?.linkedBy).toMatchObject({
      totalCount: 2,
      nodes: [{ id: id(2), linkedAttestationId: id(1) }],
      pageInfo: { hasNextPage: true },
    })
  })

  it('loads a page with schema and linked attestation in a constant number of queries (no N+1)', async () => {
    let nodes: unknown[] = []
    const small = await sqlDuring(async () => {
      nodes = (await execute(gateway.yoga, AttestationGraphDocument, { first: 10 })).data!.attestations.nodes
    })
    expect(nodes).toHaveLength(10)
    let big: { id: string; schema: { data: string } | null; linkedAttestation: { id: string } | null }[] = []
    const large = await sqlDuring(async () => {
      big = (await execute(gateway.yoga, AttestationGraphDocument, { first: 50 })).data!.attestations.nodes
    })
    expect(big).toHaveLength(50)
    expect(big.find((n) => n.id === id(57))).toMatchObject({ schema: { data: JSON.stringify(SCHEMA_JSON) }, linkedAttestation: { id: id(52) } })
    expect(big.find((n) => n.id === id(60))).toMatchObject({ schema: { data: 'not json at all' }, linkedAttestation: { id: id(55) } })
    expect(large.length).toBe(small.length)
    expect(large.length).toBeLessThanOrEqual(4)
  })

  it('pages children per parent (linkedBy) for a whole list in a constant number of queries', async () => {
    type Page = Awaited<ReturnType<typeof childrenPage>>
    const childrenPage = async (first: number, child: { childFirst?: number; childAfter?: string; childLast?: number; childBefore?: string }) =>
      (await execute(gateway.yoga, AttestationChildrenDocument, { first, ...child })).data!.attestations.nodes
    let small: Page = []
    let large: Page = []
    const smallSql = await sqlDuring(async () => (small = await childrenPage(10, { childFirst: 1 })))
    const largeSql = await sqlDuring(async () => (large = await childrenPage(50, { childFirst: 1 })))
    expect(small).toHaveLength(10)
    expect(large).toHaveLength(50)
    expect(largeSql.length).toBe(smallSql.length)
    // root page ids (keyset) + root rows, children ids (LATERAL) + children rows, counts, schemas
    expect(largeSql.length).toBeLessThanOrEqual(6)
    const one = large.find((n) => n.id === id(1))!.linkedBy
    expect(one).toMatchObject({ totalCount: 2, nodes: [{ id: id(2), schema: { id: id(1) } }], pageInfo: { hasNextPage: true, hasPreviousPage: false } })
    expect(large.find((n) => n.id === id(2))!.linkedBy).toMatchObject({ totalCount: 1, nodes: [{ id: id(3) }], pageInfo: { hasNextPage: false } })
    expect(large.find((n) => n.id === id(40))!.linkedBy).toMatchObject({ totalCount: 1, nodes: [{ id: id(45) }] })
    expect(large.find((n) => n.id === id(50))!.linkedBy).toMatchObject({ totalCount: 0, nodes: [] })

    const next = (await childrenPage(1, { childFirst: 1, childAfter: one.pageInfo.endCursor! }))[0]!.linkedBy
    expect(next).toMatchObject({ nodes: [{ id: id(4) }], pageInfo: { hasNextPage: false, hasPreviousPage: true } })
    const last = (await childrenPage(1, { childLast: 1 }))[0]!.linkedBy
    expect(last).toMatchObject({ nodes: [{ id: id(4) }], pageInfo: { hasPreviousPage: true, hasNextPage: false } })
    const foreign = await execute(gateway.yoga, AttestationChildrenDocument, { first: 1, childFirst: 1, childAfter: 'bm9wZQ==' })
    expect(foreign.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT')
    const tooMany = await execute(gateway.yoga, AttestationChildrenDocument, { first: 1, childFirst: 101 })
    expect(tooMany.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT')
  })

  it('pages attestations per schema with per-schema limits and counts', async () => {
    const { data, errors } = await execute(gateway.yoga, SchemasWithAttestationsDocument, { first: 2 })
    expect(errors).toBeUndefined()
    expect(
      data!.schemas.nodes.map((s) => [s.id, s.attestations.totalCount, s.attestations.edges.map((e) => e.node.id), s.attestations.pageInfo.hasNextPage]),
    ).toEqual([
      [id(1), ATTESTATION_COUNT - 12, [id(59), id(58)], true],
      [id(2), 12, [id(60), id(55)], true],
    ])
    expect(data!.schemas.nodes[1]!.attestations.edges[0]!.node.linkedAttestation).toEqual({ id: id(55) })
  })

  it('serves schemas by id and as a filtered connection, with their attestations', async () => {
    const { data } = await execute(gateway.yoga, SchemaByIdDocument, { id: 'onchain_evm_31337_0x1', first: 2 })
    expect(data?.schema).toMatchObject({
      schemaId: '0x1',
      registrant: ALICE,
      revocable: true,
      dataLocation: 'ONCHAIN',
      maxValidFor: '0',
      dataJson: SCHEMA_JSON,
      fields: SCHEMA_JSON.data,
      dataError: null,
      attestations: { totalCount: ATTESTATION_COUNT - 12, nodes: [{ id: id(59) }, { id: id(58) }] },
    })
    const broken = (await execute(gateway.yoga, SchemaByIdDocument, { id: 'onchain_evm_31337_0x2' })).data?.schema
    expect(broken).toMatchObject({ dataLocation: 'IPFS', dataJson: null, maxValidFor: '86400', from: RELAYER })
    expect(broken?.dataError).toMatch(/not JSON/)
    const page = await execute(gateway.yoga, SchemaPageDocument, { where: { registrant: ALICE }, orderBy: 'SCHEMA_ID_ASC' })
    expect(page.data?.schemas.totalCount).toBe(2)
    expect(page.data?.schemas.nodes.map((s) => s.id).sort()).toEqual(['onchain_evm_10_0x1', 'onchain_evm_31337_0x1'])
    expect((await execute(gateway.yoga, SchemaByIdDocument, { id: 'bad' })).errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT')
  })

  it('serves off-chain attestations by id and as a filtered connection', async () => {
    const one = await execute(gateway.yoga, OffchainAttestationByIdDocument, { chainId: CHAIN, offchainAttestationId: 'off-2' })
    expect(one.data?.offchainAttestation).toMatchObject({ attester: BOB, revoked: true, revokeReason: 'expired', timestamp: '1700000201', from: RELAYER })
    const revoked = await execute(gateway.yoga, OffchainAttestationPageDocument, { where: { revoked: true } })
    expect(revoked.data?.offchainAttestations.nodes).toEqual([{ chainId: CHAIN, offchainAttestationId: 'off-2', revoked: true }])
    const byAlice = await execute(gateway.yoga, OffchainAttestationPageDocument, { where: { attester: ALICE }, orderBy: 'BLOCK_NUMBER_ASC', first: 1 })
    expect(byAlice.data?.offchainAttestations).toMatchObject({
      totalCount: 2,
      nodes: [{ chainId: CHAIN, offchainAttestationId: 'off-1' }],
      pageInfo: { hasNextPage: true },
    })
  })
})

describe('protection', () => {
  const nested = (depth: number) => `query { attestations(first: 1) { nodes { ${'linkedAttestation { '.repeat(depth)}id${' }'.repeat(depth)} } } }`

  it('rejects a 50-deep query before touching the database', async () => {
    let result: Awaited<ReturnType<typeof execute>> | undefined
    const queries = await sqlDuring(async () => (result = await execute(gateway.yoga, nested(50))))
    expect(result?.data ?? null).toBeNull()
    expect(result?.errors?.[0]?.message).toMatch(/depth limit of \d+ exceeded/i)
    expect(result?.errors?.[0]?.extensions?.code).toBe('QUERY_TOO_DEEP')
    expect(queries).toEqual([])
  })

  it('rejects a query one level deeper than the depth limit and accepts one at the limit', async () => {
    expect((await execute(gateway.yoga, nested(ARMOR_LIMITS.maxDepth - 2))).errors?.[0]?.message).toMatch(/depth limit of 12 exceeded/i)
    const ok = await execute(gateway.yoga, nested(ARMOR_LIMITS.maxDepth - 4))
    expect(ok.errors).toBeUndefined()
  })

  it('rejects 100 aliases', async () => {
    const aliases = `query { ${Array.from({ length: 100 }, (_, i) => `a${i}: indexerStatus { chainId }`).join(' ')} }`
    const { errors } = await execute(gateway.yoga, aliases)
    expect(errors?.[0]?.message).toMatch(/aliases limit of 30 exceeded/i)
  })

  it('masks unexpected errors', async () => {
    const broken = createGateway({
      prisma: { attestation: { findUnique: () => Promise.reject(new Error('secret connection string')) } } as never,
      common: createTestCommon(),
    })
    try {
      const { errors } = await execute(broken.yoga, AttestationByIdDocument, { id: id(1) })
      expect(errors?.[0]).toMatchObject({ message: 'Unexpected error.', extensions: { code: 'INTERNAL_SERVER_ERROR' } })
    } finally {
      await broken.close()
    }
  })
})

describe('indexerStatus', () => {
  it('reports head, indexed and safe blocks and the lag per chain', async () => {
    const { data } = await execute(gateway.yoga, IndexerStatusDocument)
    expect(data?.indexerStatus).toEqual([
      {
        chainId: OTHER_CHAIN,
        name: 'optimism',
        contract: '0x945c44803e92a3495c32be951052a62e45a5d964',
        confirmations: 10,
        headBlock: null,
        safeBlock: null,
        indexedBlock: null,
        indexedBlockHash: null,
        lagBlocks: null,
      },
      expect.objectContaining({ chainId: CHAIN, headBlock: '170', safeBlock: '170', indexedBlock: '160', lagBlocks: '10' }),
    ])
  })
})

describe('subscriptions over SSE', () => {
  // the default delivery level is SAFE: let the fixture chain's safe block cover the blocks committed below
  beforeAll(async () => {
    await db.prisma.chain.update({ where: { chainId: CHAIN }, data: { safeBlock: 1_000_000n } })
  })

  async function commitAttestation(n: number, overrides = {}) {
    const row = makeAttestation(n, overrides)
    const [, event] = await db.prisma.$transaction([
      db.prisma.attestation.create({ data: row }),
      db.prisma.event.create({
        data: {
          chainId: CHAIN,
          kind: 'CREATED',
          subjectType: 'ATTESTATION',
          subjectId: String(n),
          blockNumber: row.blockNumber,
          blockHash: row.blockHash,
          logIndex: 0,
        },
      }),
    ])
    gateway.journal.notify()
    return event.seq
  }

  it('delivers attestations committed after subscribing, and none from before', async () => {
    const before = await commitAttestation(61)
    await waitFor(() => BigInt(gateway.journal.stats().position ?? -1) >= before, 10_000, 'the tail to pass the old event')
    const subscription = await subscribeSse(gateway.yoga, OnAttestationCreatedDocument, { where: { chainId: CHAIN } })
    const filtered = await subscribeSse(gateway.yoga, OnAttestationCreatedDocument, { where: { attester: BOB } })
    try {
      await waitFor(() => gateway.journal.stats().subscribers === 2, 10_000, 'two journal subscribers')
      await commitAttestation(63)
      await commitAttestation(64)
      expect((await subscription.next()).data?.attestationCreated).toEqual({ id: id(63), attester: ALICE, revoked: false, schema: { id: id(1) } })
      expect((await subscription.next()).data?.attestationCreated?.id).toBe(id(64))
      expect((await filtered.next()).data?.attestationCreated).toMatchObject({ id: id(64), attester: BOB })
    } finally {
      subscription.close()
      filtered.close()
    }
    await waitFor(() => gateway.journal.stats().subscribers === 0, 10_000, 'subscribers to detach')
  })

  it('delivers revocations', async () => {
    const subscription = await subscribeSse(gateway.yoga, OnAttestationRevokedDocument, { where: { chainId: CHAIN } })
    try {
      await waitFor(() => gateway.journal.stats().subscribers === 1, 10_000, 'a journal subscriber')
      await db.prisma.$transaction([
        db.prisma.attestation.update({
          where: { chainId_attestationId: { chainId: CHAIN, attestationId: 63n } },
          data: { revoked: true, revokeReason: 'gone', revokeTimestamp: 1n },
        }),
        db.prisma.event.create({
          data: { chainId: CHAIN, kind: 'REVOKED', subjectType: 'ATTESTATION', subjectId: '63', blockNumber: 900n, blockHash: '0x01', logIndex: 3 },
        }),
      ])
      gateway.journal.notify()
      expect((await subscription.next()).data?.attestationRevoked).toEqual({ id: id(63), revoked: true, revokeReason: 'gone' })
    } finally {
      subscription.close()
    }
  })

  it('rejects a malformed subscription filter', async () => {
    const subscription = await subscribeSse(gateway.yoga, OnAttestationCreatedDocument, { where: { schemaId: 'nope' } })
    try {
      expect((await subscription.next()).errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT')
    } finally {
      subscription.close()
    }
  })
})
