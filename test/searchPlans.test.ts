/**
 * Search pages at 100,000 attestations (PostgreSQL): the SQL the gateway sends for `attestations(search:)` (captured
 * from Prisma's query events) is run again under `EXPLAIN (ANALYZE, FORMAT JSON)` — after the planner settings the
 * gateway sent before it, in a transaction —, from the start and from a deep cursor, alone and with `where`.
 * Asserted is what the product controls (src/gateway/searchPage.ts), not the planner's estimates: no statement reads
 * Attestation with a Seq Scan; the candidates are read from the trigram index (`Attestation_searchText_idx`) and cut at
 * SEARCH_MAX_CANDIDATES + 1; every other scan reads at most SEARCH_MAX_WALK rows per chain (before the bound, one
 * page of `user12` walked 74,104 rows); a search beyond both caps is `SEARCH_TOO_BROAD`, never a short page.
 *
 * Rows: test/helpers/searchRows.ts (70,000 + 30,000 attestations; "zebra" on every 1,000th).
 */
import { formatPrismaCursor } from '@pothos/plugin-prisma'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createDb, type Db } from '../src/db/createDb.js'
import { createGateway, type Gateway } from '../src/gateway/index.js'
import { createTestDatabase, type TestDatabase } from './helpers/database.js'
import { execute } from './helpers/graphql.js'
import { SEARCH_MAX_CANDIDATES, SEARCH_MAX_WALK } from '../src/gateway/searchPage.js'
import { explainSearchStatements, type PlanNode, planNodes } from './helpers/queryPlans.js'
import { writeSearchRows } from './helpers/searchRows.js'
import { createTestCommon } from './helpers/common.js'

const CHAINS = [
  { chainId: 31337, rows: 70_000 },
  { chainId: 10, rows: 30_000 },
]
const FIRST = 50

let database: TestDatabase
let db: Db
let gateway: Gateway
let admin: pg.Client
const captured: { query: string; params: string }[] = []

beforeAll(async () => {
  database = await createTestDatabase('sitest_search_plans')
  db = await createDb({ databaseUrl: database.url, onQuery: (e) => captured.push({ query: e.query, params: e.params }) })
  admin = new pg.Client({ connectionString: database.url })
  await admin.connect()
  await writeSearchRows(admin, CHAINS)
  await admin.query('ANALYZE')
  gateway = createGateway({ prisma: db.prisma, common: createTestCommon(), journalPollMs: 60_000, maxPageSize: 100 })
}, 180_000)

afterAll(async () => {
  await gateway?.close()
  await admin?.end()
  await db?.close()
  await database?.drop()
})

const PAGE = `query Page($search: String, $where: AttestationWhere, $orderBy: AttestationOrder, $first: Int, $after: String) {
  attestations(search: $search, where: $where, orderBy: $orderBy, first: $first, after: $after) {
    edges { cursor node { chainId attestationId } }
    pageInfo { hasNextPage endCursor }
  }
}`

/** A statement's plan, and whether it was read after planner settings (the candidates, or the page over their ids). */
type Read = { plan: PlanNode; candidates: boolean }

/** Runs a page through the gateway and EXPLAIN ANALYZEs its statements that read "searchText", as they were sent. */
async function plansOf(document: string, variables: Record<string, unknown>) {
  captured.length = 0
  const { data, errors } = await execute(gateway.yoga, document, variables)
  expect(errors, JSON.stringify(variables)).toBeUndefined()
  const reads: Read[] = (await explainSearchStatements(admin, captured)).map(({ query, plan }) => ({
    plan,
    candidates: /^\s*SELECT a\."chainId", a\."attestationId" FROM "Attestation" a WHERE/.test(query.query),
  }))
  // no plansOf page names a recipient, so each reads the trigram index first: exactly one candidates statement
  expect(reads.filter((r) => r.candidates).length, 'one candidates statement').toBe(1)
  return { data: data as { attestations: { pageInfo: { endCursor: string | null } } }, reads, plans: reads.map((r) => r.plan) }
}

/** Rows a scan node read per loop: returned plus removed by its filter or by the index recheck. */
const readPerLoop = (node: PlanNode) => node['Actual Rows'] + (node['Rows Removed by Filter'] ?? 0) + (node['Rows Removed by Index Recheck'] ?? 0)

/** Rows handled by the plan's busiest scan or sort node. */
function busiest(plans: PlanNode[]): number {
  let max = 0
  for (const plan of plans) {
    for (const node of planNodes(plan)) {
      if (!/Scan|Sort/.test(node['Node Type'])) continue
      max = Math.max(max, readPerLoop(node) * node['Actual Loops'])
    }
  }
  return max
}

/**
 * The bound the product sets: the candidates statement is a bitmap of the trigram index returning at most
 * SEARCH_MAX_CANDIDATES + 1 rows; any other scan reads at most max(SEARCH_MAX_CANDIDATES, SEARCH_MAX_WALK) rows per
 * loop (a loop is one chain). The rows the trigram index yields without the substring (its recheck) are printed.
 */
function expectBounded(reads: Read[], at: string) {
  for (const { plan, candidates } of reads) {
    for (const node of planNodes(plan)) {
      if (!/Scan/.test(node['Node Type']) || node['Node Type'] === 'Bitmap Index Scan') continue
      if (candidates) {
        expect(node['Node Type'], at).toBe('Bitmap Heap Scan')
        expect(node['Actual Rows'], `${at}: candidates`).toBeLessThanOrEqual(SEARCH_MAX_CANDIDATES + 1)
        expect([...planNodes(plan)].some((n) => n['Index Name'] === 'Attestation_searchText_idx')).toBe(true)
      } else
        expect(readPerLoop(node), `${at}: ${node['Node Type']} ${node['Index Name'] ?? ''}`).toBeLessThanOrEqual(
          Math.max(SEARCH_MAX_CANDIDATES, SEARCH_MAX_WALK) + 1,
        )
    }
  }
}

const usesIndex = (plans: PlanNode[], index: string) => plans.some((p) => [...planNodes(p)].some((n) => n['Index Name'] === index))
const seqScans = (plans: PlanNode[]) => plans.flatMap((p) => [...planNodes(p)].filter((n) => n['Node Type'] === 'Seq Scan').map((n) => n['Relation Name']))

async function matchCount(search: string, where = 'TRUE') {
  const { rows } = await admin.query(`SELECT count(*)::int AS n FROM "Attestation" a WHERE a."searchText" LIKE lower($1) AND ${where}`, [`%${search}%`])
  return rows[0].n as number
}

describe('search plans at 100,000 attestations', () => {
  it('answers a rare search without a Seq Scan, from the start and from a deep cursor, alone and with where (prints whether the trigram index was used)', async () => {
    const matches = await matchCount('zebra')
    expect(matches).toBe(100)
    for (const [label, where] of [
      ['alone', null],
      ['chainId', { chainId: 31337 }],
      ['schemaId', { schemaId: '8' }],
    ] as const) {
      for (const orderBy of ['ATTESTATION_ID_DESC', 'ATTEST_TIMESTAMP_ASC']) {
        const first = await plansOf(PAGE, { search: 'zebra', where, orderBy, first: 10 })
        const deep = await plansOf(PAGE, { search: 'ZEBRA', where, orderBy, first: 10, after: first.data.attestations.pageInfo.endCursor })
        for (const [variant, { plans }] of [
          ['first', first],
          ['deep', deep],
        ] as const) {
          const at = `${label} ${orderBy} ${variant}`
          expect(seqScans(plans), at).toEqual([])
          expectBounded(variant === 'first' ? first.reads : deep.reads, at)
          // a rare search is read whole from the trigram index: its page costs its matches, from any cursor
          expect(busiest(plans), at).toBeLessThanOrEqual(2 * matches + 10)
          console.log(
            `rare search ${at}: trigram index ${usesIndex(plans, 'Attestation_searchText_idx') ? 'used' : 'NOT used'}, busiest node ${busiest(plans)} rows (matches ${matches})`,
          )
        }
      }
    }
  }, 120_000)

  it('never reads Attestation with a Seq Scan for a common or mid search (prints what each plan handled)', async () => {
    for (const search of ['paris', 'user12', 'user4567', 'key-42', 'ordinary']) {
      const matches = await matchCount(search)
      const first = await plansOf(PAGE, { search, first: FIRST })
      const middle = (
        await admin.query(
          `SELECT "chainId", "attestationId" FROM "Attestation" a WHERE a."searchText" LIKE lower($1)
        ORDER BY "attestationId" DESC, "chainId" DESC OFFSET $2 LIMIT 1`,
          [`%${search}%`, Math.floor(matches / 2)],
        )
      ).rows[0]
      const after = formatPrismaCursor({ chainId: middle.chainId, attestationId: BigInt(middle.attestationId) }, ['chainId', 'attestationId'])
      const deep = await plansOf(PAGE, { search, first: FIRST, after })
      for (const [variant, result] of [
        ['first', first],
        ['deep', deep],
      ] as const) {
        const at = `${search} ${variant} (${matches} matches)`
        expect(seqScans(result.plans), at).toEqual([])
        expectBounded(result.reads, at)
        const walked = result.reads.some((r) => !r.candidates && [...planNodes(r.plan)].some((n) => n['Node Type'] === 'WindowAgg'))
        console.log(
          `searchPlans: ${at}: busiest node ${busiest(result.plans)} rows, ${walked ? 'candidates over the cap, order index walk' : 'trigram candidates'}`,
        )
      }
    }
  }, 120_000)

  it('a search beyond both caps whose walk cannot fill the page is SEARCH_TOO_BROAD; in an order where the walk fills it, a page', async () => {
    // "user1": 11,111 matches per chain (user1, user10…19, …, user10000…19999), none among the newest 50,000 / 10,000 ids
    expect(await matchCount('user1')).toBeGreaterThan(SEARCH_MAX_CANDIDATES)
    const { errors } = await execute(gateway.yoga, PAGE, { search: 'user1', first: FIRST })
    expect(errors?.[0]?.extensions).toMatchObject({
      code: 'SEARCH_TOO_BROAD',
      argument: 'search',
      maxCandidates: SEARCH_MAX_CANDIDATES,
      maxWalk: SEARCH_MAX_WALK,
    })
    const oldest = await plansOf(PAGE, { search: 'user1', orderBy: 'ATTESTATION_ID_ASC', first: FIRST })
    expectBounded(oldest.reads, 'user1 oldest first')
    const ids = (oldest.data.attestations as unknown as { edges: { node: { attestationId: string } }[] }).edges.map((e) => Number(e.node.attestationId))
    expect(ids.length).toBe(FIRST)
    expect(ids.slice(0, 3)).toEqual([1, 1, 10]) // both chains' user1, then user10 (ties by chain)
  }, 120_000)
})

describe('schemas(search:) capped like attestations (21,000 schemas on one more chain)', () => {
  const SCHEMA_PAGE = `query Page($search: String, $where: SchemaWhere, $orderBy: SchemaOrder, $first: Int, $after: String) {
    schemas(search: $search, where: $where, orderBy: $orderBy, first: $first, after: $after) { edges { node { chainId schemaId } } pageInfo { hasNextPage endCursor } }
  }`
  type SchemaPage = { schemas: { edges: { node: { chainId: number; schemaId: string } }[]; pageInfo: { endCursor: string | null } } }

  beforeAll(async () => {
    // chain 77: schemas 1…11,000 named "alpha <id>" (more matches than the candidates cap, all among the oldest), then
    // 11,001…21,000 named "omega <id>" (exactly the cap)
    await admin.query(`INSERT INTO "Schema" ("chainId", "schemaId", "registrant", "revocable", "dataLocation", "maxValidFor", "hook", "timestamp", "data",
        "dataJson", "txHash", "txFrom", "blockNumber", "blockHash", "logIndex")
      SELECT 77, s, '0x${'a'.repeat(40)}', true, 0, 0, '0x${'0'.repeat(40)}', 1700000000, 'schema',
        jsonb_build_object('name', CASE WHEN s <= 11000 THEN 'alpha ' ELSE 'omega ' END || s, 'description', 'a schema'), '0x00', '0x00', 0, '0x00', 0
      FROM generate_series(1, 21000) AS s`)
    await admin.query('VACUUM ANALYZE "Schema"')
  }, 60_000)

  async function schemaPlans(variables: Record<string, unknown>) {
    captured.length = 0
    const result = await execute<SchemaPage, unknown>(gateway.yoga, SCHEMA_PAGE, variables)
    const plans = (await explainSearchStatements(admin, captured)).map((s) => s.plan)
    return { ...result, plans }
  }

  it('a search beyond both caps whose walk cannot fill the page is SEARCH_TOO_BROAD, never a page read past the caps', async () => {
    const { errors, plans } = await schemaPlans({ search: 'alpha', first: 20 })
    expect(errors?.[0]?.extensions).toMatchObject({
      code: 'SEARCH_TOO_BROAD',
      argument: 'search',
      maxCandidates: SEARCH_MAX_CANDIDATES,
      maxWalk: SEARCH_MAX_WALK,
    })
    expect(errors?.[0]?.message).toMatch(/schemas/)
    for (const plan of plans)
      for (const node of planNodes(plan))
        if (/Scan/.test(node['Node Type']) && node['Node Type'] !== 'Bitmap Index Scan')
          expect(readPerLoop(node), node['Node Type']).toBeLessThanOrEqual(Math.max(SEARCH_MAX_CANDIDATES, SEARCH_MAX_WALK) + 1)
  }, 60_000)

  it('answers by the walk where it fills the page, and by the candidates within the cap, exactly and without a Seq Scan', async () => {
    const oldest = await schemaPlans({ search: 'ALPHA', orderBy: 'SCHEMA_ID_ASC', where: { chainId: 77 }, first: 20 })
    expect(oldest.errors).toBeUndefined()
    expect(oldest.data!.schemas.edges.map((e) => BigInt(e.node.schemaId))).toEqual(Array.from({ length: 20 }, (_, i) => BigInt(i + 1)))
    const next = await schemaPlans({
      search: 'ALPHA',
      orderBy: 'SCHEMA_ID_ASC',
      where: { chainId: 77 },
      first: 20,
      after: oldest.data!.schemas.pageInfo.endCursor,
    })
    expect(next.data!.schemas.edges.map((e) => BigInt(e.node.schemaId))).toEqual(Array.from({ length: 20 }, (_, i) => BigInt(i + 21)))
    const omega = await schemaPlans({ search: 'omega', first: 20 })
    expect(omega.errors).toBeUndefined()
    expect(omega.data!.schemas.edges.map((e) => BigInt(e.node.schemaId))).toEqual(Array.from({ length: 20 }, (_, i) => BigInt(21000 - i)))
    for (const { plans } of [oldest, next, omega]) {
      expect(seqScans(plans)).toEqual([])
      // the GIN posting lists are read whole to build the bitmap (not capped, see the module comment)
      for (const plan of plans)
        for (const node of planNodes(plan))
          if (/Scan/.test(node['Node Type']) && node['Node Type'] !== 'Bitmap Index Scan')
            expect(readPerLoop(node)).toBeLessThanOrEqual(Math.max(SEARCH_MAX_CANDIDATES, SEARCH_MAX_WALK) + 1)
    }
    // the candidates: a bitmap of the trigram index, cut at the cap + 1
    expect(usesIndex(omega.plans, 'Schema_searchText_idx')).toBe(true)
  }, 60_000)
})
