/**
 * Lineage through GraphQL on real parts: linked attestations made on the real SP contract (a 13-generation chain
 * and a 3-level tree with fan-out 3, each one `attestBatch`; a self-link made possible by editing the contract's
 * storage, see helpers/spStorage.ts), indexed into real PostgreSQL. Covers `lineage` both ways with depths and
 * cursors, `lineageRoot` / `lineageDepth`, `attestations(where: { inLineageOf })`, cycles, argument errors, and
 * the SQL query count (a depth-10 lineage with schemas costs what a depth-2 one costs).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createDb, type Db } from '../src/db/createDb.js'
import {
  createDevClients,
  createSpWriter,
  type DevClients,
  devAccount,
  type Devnet,
  SCORE_FIELDS,
  schemaJson,
  spAbi,
  startDevnet,
  tupleScore,
} from '../src/devnet/index.js'
import { createGateway, type Gateway, toFullId } from '../src/gateway/index.js'
import {
  AttestationLineagePageDocument,
  type AttestationLineagePageQueryVariables,
  AttestationLineageRootsDocument,
  AttestationPageDocument,
} from './generated/graphql.js'
import { createTestDatabase, type TestDatabase } from './helpers/database.js'
import { execute } from './helpers/graphql.js'
import { devnetChain, runIndexerToHead } from './helpers/runIndexerToHead.js'
import { setStoredAttester } from './helpers/spStorage.js'
import { createTestCommon } from './helpers/common.js'

let devnet: Devnet
let clients: DevClients
let database: TestDatabase
let db: Db
let gateway: Gateway
let chain: bigint[] // chain[i] links chain[i - 1]
let tree: bigint[] // BFS order; tree[k] links tree[(k - 1) / 3]
let selfLinked: bigint
let belowLoop: bigint
let schemaFullId: string
const sql: string[] = []

const fullId = (id: bigint) => toFullId(devnet.chainId, id)

beforeAll(async () => {
  devnet = await startDevnet({ port: 0 })
  clients = await createDevClients(devnet.rpcUrl)
  const sp = createSpWriter(clients, devnet.address)
  const schemaId = await sp.register(1, { data: schemaJson('lineage', 'lineage test', SCORE_FIELDS) })
  const counter = async () => (await clients.publicClient.readContract({ address: devnet.address, abi: spAbi, functionName: 'attestationCounter' })) as bigint
  const batch = async (links: (first: bigint) => bigint[], key: string) => {
    const first = await counter()
    const linked = links(first)
    return sp.attestBatch(
      1,
      linked.map((link, i) => ({ schemaId, linkedAttestationId: link, data: tupleScore(`${key}-${i}`, BigInt(i)) })),
      linked.map((_, i) => `${key}-${i}`),
    )
  }
  chain = await batch((first) => Array.from({ length: 13 }, (_, i) => (i ? first + BigInt(i) - 1n : 0n)), 'chain')
  tree = await batch((first) => Array.from({ length: 40 }, (_, k) => (k ? first + BigInt(Math.floor((k - 1) / 3)) : 0n)), 'tree')
  const next = await counter()
  await setStoredAttester(clients, devnet.address, next, devAccount(1).address)
  selfLinked = await sp.attest(1, { schemaId, linkedAttestationId: next, data: tupleScore('self', 1n) }, 'self')
  belowLoop = await sp.attest(1, { schemaId, linkedAttestationId: selfLinked, data: tupleScore('below', 1n) }, 'below')
  await sp.attest(2, { schemaId, data: tupleScore('unrelated', 1n) }, 'unrelated')

  database = await createTestDatabase('lineage')
  db = await createDb({ databaseUrl: database.url, onQuery: (e) => sql.push(e.query) })
  await runIndexerToHead(db, devnetChain(devnet))
  gateway = createGateway({ prisma: db.prisma, common: createTestCommon(), journalPollMs: 60_000 })
  schemaFullId = toFullId(devnet.chainId, schemaId)
}, 120_000)

afterAll(async () => {
  await gateway?.close()
  await db?.close()
  await database?.drop()
  await devnet?.stop()
})

/** SQL sent while `fn` runs, without the journal tail's reads of "Event". */
async function sqlDuring(fn: () => Promise<unknown>): Promise<string[]> {
  sql.length = 0
  await fn()
  return sql.filter((q) => !q.includes('"Event"'))
}

async function lineage(variables: AttestationLineagePageQueryVariables) {
  const { data, errors } = await execute(gateway.yoga, AttestationLineagePageDocument, variables)
  expect(errors).toBeUndefined()
  return data!.attestation!
}

describe('lineage', () => {
  it('walks ancestors nearest first, with depths and schemas, up to maxDepth', async () => {
    const leaf = await lineage({ id: fullId(chain[12]!), direction: 'ANCESTORS', maxDepth: 10, first: 50 })
    expect(leaf.lineage.edges.map((e) => [e.depth, e.node.id])).toEqual(Array.from({ length: 10 }, (_, i) => [i + 1, fullId(chain[11 - i]!)]))
    expect(leaf.lineage.edges.every((e) => e.node.schema?.id === schemaFullId)).toBe(true)
    expect(leaf.lineage).toMatchObject({ totalCount: 10, truncated: false, pageInfo: { hasNextPage: false, hasPreviousPage: false } })
    expect(leaf).toMatchObject({ lineageDepth: 12, lineageRoot: { id: fullId(chain[0]!) } })
    expect(await lineage({ id: fullId(chain[0]!), direction: 'ANCESTORS', first: 5 })).toMatchObject({
      lineageDepth: 0,
      lineageRoot: { id: fullId(chain[0]!) },
      lineage: { totalCount: 0, edges: [] },
    })
  })

  it('walks descendants breadth first and pages through them with cursors', async () => {
    const all = await lineage({ id: fullId(tree[0]!), direction: 'DESCENDANTS', maxDepth: 3, first: 100 })
    const expected = tree.slice(1).map((id, k) => [k < 3 ? 1 : k < 12 ? 2 : 3, fullId(id)])
    expect(all.lineage.edges.map((e) => [e.depth, e.node.id])).toEqual(expected)
    expect(all.lineage.totalCount).toBe(39)
    const paged: unknown[] = []
    let after: string | null | undefined
    for (let page = 0; page < 10; page++) {
      const { lineage: l } = await lineage({ id: fullId(tree[0]!), direction: 'DESCENDANTS', maxDepth: 3, first: 7, after })
      paged.push(...l.edges.map((e) => [e.depth, e.node.id]))
      expect(l.pageInfo.hasPreviousPage).toBe(after != null)
      if (!l.pageInfo.hasNextPage) break
      after = l.pageInfo.endCursor
    }
    expect(paged).toEqual(expected)
    const shallow = await lineage({ id: fullId(tree[1]!), direction: 'DESCENDANTS', maxDepth: 1, first: 10 })
    expect(shallow.lineage.edges.map((e) => e.node.id)).toEqual(tree.slice(4, 7).map(fullId))
    expect(shallow).toMatchObject({ lineageDepth: 1, lineageRoot: { id: fullId(tree[0]!) } })
  })

  it('is cycle-safe: a self-link has no root and no ancestors, and its child stops there', async () => {
    expect(await lineage({ id: fullId(selfLinked), direction: 'ANCESTORS', first: 10 })).toMatchObject({
      lineageDepth: null,
      lineageRoot: null,
      lineage: { totalCount: 0 },
    })
    const self = await lineage({ id: fullId(selfLinked), direction: 'DESCENDANTS', maxDepth: 50, first: 10 })
    expect(self.lineage.edges.map((e) => [e.depth, e.node.id])).toEqual([[1, fullId(belowLoop)]])
    const below = await lineage({ id: fullId(belowLoop), direction: 'ANCESTORS', maxDepth: 50, first: 10 })
    expect(below.lineage.edges.map((e) => [e.depth, e.node.id])).toEqual([[1, fullId(selfLinked)]])
    expect(below).toMatchObject({ lineageDepth: null, lineageRoot: null })
  })

  it('rejects maxDepth outside 1..50, backward paging and foreign cursors', async () => {
    const code = async (variables: AttestationLineagePageQueryVariables) =>
      (await execute(gateway.yoga, AttestationLineagePageDocument, variables)).errors?.[0]?.extensions?.code
    expect(await code({ id: fullId(chain[3]!), direction: 'ANCESTORS', maxDepth: 0 })).toBe('BAD_USER_INPUT')
    expect(await code({ id: fullId(chain[3]!), direction: 'ANCESTORS', maxDepth: 51 })).toBe('BAD_USER_INPUT')
    expect(await code({ id: fullId(chain[3]!), direction: 'ANCESTORS', first: 101 })).toBe('BAD_USER_INPUT')
    expect(await code({ id: fullId(chain[3]!), direction: 'ANCESTORS', after: 'bm9wZQ' })).toBe('BAD_USER_INPUT')
    const raw = await execute(gateway.yoga, `{ attestation(id: "${fullId(chain[3]!)}") { lineage(direction: ANCESTORS, last: 2) { totalCount } } }`)
    expect(raw.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT')
  })
})

describe('attestations(where: { inLineageOf })', () => {
  it('returns the ancestors and descendants of an attestation, with other filters and totalCount', async () => {
    const { data, errors } = await execute(gateway.yoga, AttestationLineageRootsDocument, { where: { inLineageOf: fullId(tree[1]!) }, first: 100 })
    expect(errors).toBeUndefined()
    const expected = [tree[0]!, ...tree.slice(4, 7), ...tree.slice(13, 22)].sort((a, b) => (a < b ? -1 : 1)).map(fullId)
    expect(data!.attestations.nodes.map((n) => n.id)).toEqual(expected)
    expect(data!.attestations.totalCount).toBe(13)
    expect(data!.attestations.nodes.every((n) => n.lineageRoot?.id === fullId(tree[0]!))).toBe(true)
    const filtered = await execute(gateway.yoga, AttestationPageDocument, {
      where: { inLineageOf: fullId(chain[5]!), attester: devAccount(2).address },
      first: 10,
    })
    expect(filtered.data?.attestations.edges).toEqual([])
    const bad = await execute(gateway.yoga, AttestationPageDocument, { where: { inLineageOf: '0x5' }, first: 10 })
    expect(bad.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT')
  })
})

describe('query counts', () => {
  it('costs the same number of queries for a depth-10 and a depth-2 lineage with schemas', async () => {
    const deep = await sqlDuring(() => lineage({ id: fullId(chain[12]!), direction: 'ANCESTORS', maxDepth: 10, first: 50 }))
    const shallow = await sqlDuring(() => lineage({ id: fullId(chain[12]!), direction: 'ANCESTORS', maxDepth: 2, first: 50 }))
    expect(deep.length).toBe(shallow.length)
    expect(deep.filter((q) => q.includes('WITH RECURSIVE')).length).toBe(2) // the lineage walk + the lineageRoot walk
    expect(deep.length).toBeLessThanOrEqual(7)
    const tree39 = await sqlDuring(() => lineage({ id: fullId(tree[0]!), direction: 'DESCENDANTS', maxDepth: 3, first: 100 }))
    expect(tree39.length).toBe(deep.length)
  })

  it('batches lineageRoot across a page: constant queries for 5 or 40 attestations', async () => {
    const page = (first: number) => sqlDuring(() => execute(gateway.yoga, AttestationLineageRootsDocument, { where: { chainId: devnet.chainId }, first }))
    expect((await page(40)).length).toBe((await page(5)).length)
  })
})
