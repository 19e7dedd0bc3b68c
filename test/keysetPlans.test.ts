/**
 * Keyset pagination at 100,000+ attestations (PostgreSQL): for every `attestations` filter × order, forward and
 * backward, from the start and from a deep cursor, the SQL the gateway really sends (captured from Prisma's query
 * events while the GraphQL query runs through the gateway) is run again under `EXPLAIN (ANALYZE, FORMAT JSON)`:
 * no Seq Scan on Attestation / Recipient, and no plan node (scan or sort) handles more than 10 × (first + 1)
 * rows — the page bounds the work, not the filter — both in the plan for the captured values and in the generic
 * plan PostgreSQL may keep for the named statement. `Schema.attestations` and `Attestation.linkedBy` (LATERAL
 * pages) are checked the same way. A gateway on one connection pages every filter × order with deep cursors and
 * reads `pg_prepared_statements`: a page statement with one filter is planned once (a generic plan), not per page,
 * and a client cycling page sizes leaves few statements. Page contents are compared with a reference
 * `ORDER BY … OFFSET` for seeded random cursors (KEYSET_SEED), both directions.
 *
 * Rows are written by `seedRows` (test/helpers/seedRows.ts, `INSERT … SELECT generate_series` in the shape ingest
 * writes): 3 chains, 10 attesters (one with half of the rows), 20 schemas per chain plus a rare one, 50 recipients
 * (address- and string-encoded, some named twice), lineage chains of 10, 2 % revoked, attestTimestamp increasing
 * with the id (as the contract sets it), 10,000 off-chain attestations per chain.
 */
import { formatPrismaCursor } from '@pothos/plugin-prisma'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createDb, type Db } from '../src/db/createDb.js'
import { createGateway, type Gateway, toFullId } from '../src/gateway/index.js'
import { createTestDatabase, type TestDatabase } from './helpers/database.js'
import { mulberry32 as random } from './helpers/faultProxy.js'
import { seedAttester, seedChecksummedRecipient, seedRecipient, seedRows } from './helpers/seedRows.js'
import { execute } from './helpers/graphql.js'
import { explainAnalyze, explainGenericPlan, isTotalCountStatement, type PlanNode, planNodes } from './helpers/queryPlans.js'
import { createTestCommon } from './helpers/common.js'

const SEED = Number(process.env.KEYSET_SEED ?? Date.now() % 100_000)
const CHAINS = [
  { chainId: 31337, rows: 60_000 },
  { chainId: 10, rows: 30_000 },
  { chainId: 8453, rows: 15_000 },
]
const FIRST = 50
const TAKE = FIRST + 1
const ROW_BOUND = 10 * TAKE
/** buffers one loop of a scan node may read for a page (a heap fetch per row and the index's path to its entries) */
const BLOCK_BOUND = 2 * TAKE
const attester = seedAttester
const recipient = seedRecipient
const checksummed = seedChecksummedRecipient

let database: TestDatabase
let db: Db
let gateway: Gateway
let admin: pg.Client
const captured: { query: string; params: string }[] = []

beforeAll(async () => {
  console.log(`keysetPlans: KEYSET_SEED=${SEED}`)
  database = await createTestDatabase('sitest_keyset')
  db = await createDb({ databaseUrl: database.url, onQuery: (e) => captured.push({ query: e.query, params: e.params }) })
  admin = new pg.Client({ connectionString: database.url })
  await admin.connect()
  await seedRows(admin, { chains: CHAINS, offchainPerChain: 10_000 })
  gateway = createGateway({ prisma: db.prisma, common: createTestCommon(), journalPollMs: 60_000, maxPageSize: 100 })
}, 120_000)

afterAll(async () => {
  await gateway?.close()
  await admin?.end()
  await db?.close()
  await database?.drop()
})

/** EXPLAIN ANALYZE every captured read of the paged tables; returns a problem per offending node. */
async function checkPlans(label: string, queries: { query: string; params: string }[]): Promise<string[]> {
  const problems: string[] = []
  const reads = queries.filter((q) => /^\s*(WITH|SELECT)/i.test(q.query) && /"(Attestation|Recipient|OffchainAttestation|Schema)"/.test(q.query))
  if (!reads.length) problems.push(`${label}: no query captured`)
  for (const q of reads) {
    problems.push(...planProblems(label, await explainAnalyze(admin, q)))
    // and the generic plan PostgreSQL may keep for the named statement after five executions (keyset.ts limitSql)
    problems.push(...planProblems(`${label} (generic plan)`, await explainGenericPlan(admin, q)))
  }
  return problems
}

/** The nodes of `plan` that scan a paged table or handle more rows than the page's bound. */
function planProblems(label: string, plan: PlanNode): string[] {
  const problems: string[] = []
  for (const node of planNodes(plan)) {
    const touched = (node['Actual Rows'] + (node['Rows Removed by Filter'] ?? 0)) * node['Actual Loops']
    const where = `${label}: ${node['Node Type']}${node['Relation Name'] ? ` on ${node['Relation Name']}` : ''}`
    if (node['Node Type'] === 'Seq Scan' && /^(Attestation|Recipient|OffchainAttestation)$/.test(node['Relation Name'] ?? ''))
      problems.push(`${where} (seq scan)`)
    if (/Scan|Sort|Hash|Aggregate|Unique/.test(node['Node Type']) && touched > ROW_BOUND) problems.push(`${where} touched ${touched} rows > ${ROW_BOUND}`)
    // an index scan also walks entries its index conditions reject without counting them as rows (a scan positioned
    // on one bound and checking another): its blocks tell (every attestation page here reads at most 32 per loop;
    // the off-chain pages' bitmap scans of this seed read ~105, not looked into)
    const blocks = (node['Shared Hit Blocks'] ?? 0) + (node['Shared Read Blocks'] ?? 0)
    if (/Scan/.test(node['Node Type']) && /^(Attestation|Recipient)$/.test(node['Relation Name'] ?? '') && blocks > BLOCK_BOUND * node['Actual Loops'])
      problems.push(`${where} read ${blocks} blocks in ${node['Actual Loops']} loops > ${BLOCK_BOUND} a loop`)
    if (/Sort/.test(node['Node Type'])) {
      const input = (node.Plans ?? []).reduce((n, c) => n + c['Actual Rows'] * c['Actual Loops'], 0)
      if (input > ROW_BOUND) problems.push(`${where} sorted ${input} rows > ${ROW_BOUND}`)
    }
  }
  return problems
}

const ORDERS = {
  ATTESTATION_ID_ASC: 'a."attestationId" ASC, a."chainId" ASC',
  ATTESTATION_ID_DESC: 'a."attestationId" DESC, a."chainId" DESC',
  ATTEST_TIMESTAMP_ASC: 'a."attestTimestamp" ASC, a."attestationId" ASC, a."chainId" ASC',
  ATTEST_TIMESTAMP_DESC: 'a."attestTimestamp" DESC, a."attestationId" DESC, a."chainId" DESC',
} as const
type Order = keyof typeof ORDERS

const recipientMatch = (cond: string) =>
  `EXISTS (SELECT 1 FROM "Recipient" r WHERE r."chainId" = a."chainId" AND r."attestationId" = a."attestationId" AND ${cond})`
/** Each filter with its meaning in plain SQL (the reference). */
const FILTERS: { name: string; where: Record<string, unknown> | null; sql: string }[] = [
  { name: 'none', where: null, sql: 'TRUE' },
  { name: 'chainId', where: { chainId: 10 }, sql: 'a."chainId" = 10' },
  { name: 'schemaId full', where: { schemaId: toFullId(31337, 3n) }, sql: 'a."chainId" = 31337 AND a."schemaId" = 3' },
  { name: 'schemaId any chain', where: { schemaId: '3' }, sql: 'a."schemaId" = 3' },
  { name: 'schemaId rare', where: { schemaId: '21' }, sql: 'a."schemaId" = 21' },
  { name: 'attester (half the rows)', where: { attester: attester(0) }, sql: `a."attester" = '${attester(0)}'` },
  { name: 'attester', where: { attester: attester(5) }, sql: `a."attester" = '${attester(5)}'` },
  {
    name: 'recipient address',
    where: { recipient: recipient(11) },
    sql: recipientMatch(
      `(r."address" = '${recipient(11)}' OR r."text" IN ('${recipient(11)}', '${checksummed}', '0x${recipient(11).slice(2).toUpperCase()}'))`,
    ),
  },
  { name: 'recipient text', where: { recipient: 'user7@example.com' }, sql: recipientMatch(`r."text" = 'user7@example.com'`) },
  { name: 'indexingKey', where: { indexingKey: 'key-42' }, sql: `a."indexingKey" = 'key-42'` },
  { name: 'revoked', where: { revoked: true }, sql: 'a."revoked"' },
  { name: 'not revoked', where: { revoked: false }, sql: 'NOT a."revoked"' },
  { name: 'linkedAttestationId', where: { linkedAttestationId: '4' }, sql: 'a."linkedAttestationId" = 4' },
  {
    name: 'attestTimestamp range',
    where: { attestTimestampGte: '1700004000', attestTimestampLte: '1700009000' },
    sql: 'a."attestTimestamp" BETWEEN 1700004000 AND 1700009000',
  },
  { name: 'attestTimestampGte', where: { attestTimestampGte: '1700012000' }, sql: 'a."attestTimestamp" >= 1700012000' },
  { name: 'attestTimestampLte', where: { attestTimestampLte: '1700003000' }, sql: 'a."attestTimestamp" <= 1700003000' },
  // a time range within one filter: the filter's (…, attestTimestamp, attestationId) index walked inside the range
  {
    name: 'attester + attestTimestamp range',
    where: { attester: attester(5), attestTimestampGte: '1700004000', attestTimestampLte: '1700009000' },
    sql: `a."attester" = '${attester(5)}' AND a."attestTimestamp" BETWEEN 1700004000 AND 1700009000`,
  },
  {
    name: 'recipient text + attestTimestampGte',
    where: { recipient: 'user7@example.com', attestTimestampGte: '1700004000' },
    sql: `a."attestTimestamp" >= 1700004000 AND ${recipientMatch(`r."text" = 'user7@example.com'`)}`,
  },
  // two filters: the planner takes one index and checks the other on its rows (here every row of schema 5 is attester 0's)
  { name: 'attester + schemaId', where: { attester: attester(0), schemaId: '5' }, sql: `a."attester" = '${attester(0)}' AND a."schemaId" = 5` },
  // a pair with no attestation (attester 0 attests under odd schemas only), as the SDK asks "has A attested under S?"
  { name: 'attester + schemaId, none', where: { attester: attester(0), schemaId: '2' }, sql: `a."attester" = '${attester(0)}' AND a."schemaId" = 2` },
  {
    name: 'inLineageOf',
    where: { inLineageOf: toFullId(10, 2005n) },
    sql: 'a."chainId" = 10 AND a."attestationId" BETWEEN 2001 AND 2010 AND a."attestationId" <> 2005',
  },
]

/**
 * Filters planned for their values (keyset.ts limitSql): two conditions on the attestation's columns, an id list. A time
 * range is not a second condition: it bounds the walk of the one filter's timestamp index.
 */
const PLANNED_PER_VALUES = new Set(['attester + schemaId', 'attester + schemaId, none', 'inLineageOf'])

type PreparedStatement = { generic: number; custom: number }
const executions = (p: PreparedStatement | undefined) => (p ? p.generic + p.custom : 0)

const PAGE = `query Page($where: AttestationWhere, $orderBy: AttestationOrder, $first: Int, $after: String, $last: Int, $before: String) {
  attestations(where: $where, orderBy: $orderBy, first: $first, after: $after, last: $last, before: $before) {
    edges { cursor node { chainId attestationId } }
    pageInfo { hasNextPage hasPreviousPage }
  }
}`
type PageData = {
  attestations: { edges: { cursor: string; node: { chainId: number; attestationId: string } }[]; pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean } }
}

const cursorOf = (row: { chainId: number; attestationId: string }) =>
  formatPrismaCursor({ chainId: row.chainId, attestationId: BigInt(row.attestationId) }, ['chainId', 'attestationId'])

async function reference(filter: string, order: Order, offset: number, limit: number) {
  const { rows } = await admin.query(
    `SELECT "chainId", '0x' || to_hex("attestationId") AS "attestationId" FROM "Attestation" a WHERE ${filter} ORDER BY ${ORDERS[order]} OFFSET $1 LIMIT $2`,
    [offset, limit],
  )
  return rows as { chainId: number; attestationId: string }[]
}

async function page(variables: Record<string, unknown>) {
  captured.length = 0
  const { data, errors } = await execute(gateway.yoga, PAGE, variables)
  expect(errors, JSON.stringify(variables)).toBeUndefined()
  const queries = captured.filter((q) => !q.query.includes('"Event"'))
  return { data: data as PageData, queries }
}

describe('attestations keyset plans at 105,000 rows', () => {
  it('touches O(page) rows for every filter × order, forward and backward, from the start and from a deep cursor', async () => {
    const problems: string[] = []
    for (const filter of FILTERS) {
      for (const order of Object.keys(ORDERS) as Order[]) {
        const [{ count }] = (await admin.query(`SELECT count(*)::int AS count FROM "Attestation" a WHERE ${filter.sql}`)).rows
        const [middle] = await reference(filter.sql, order, Math.floor(count / 2), 1)
        const variants: [string, Record<string, unknown>][] = [
          ['first', { first: FIRST }],
          ['last', { last: FIRST }],
        ]
        if (middle)
          variants.push(['first/after deep', { first: FIRST, after: cursorOf(middle) }], ['last/before deep', { last: FIRST, before: cursorOf(middle) }])
        for (const [variant, args] of variants) {
          const { queries } = await page({ where: filter.where, orderBy: order, ...args })
          problems.push(...(await checkPlans(`${filter.name} ${order} ${variant}`, queries)))
        }
      }
    }
    expect(problems).toEqual([])
  }, 120_000)

  it("counts totalCount per chain on the filter's index (no Seq Scan), and counts right", async () => {
    const problems: string[] = []
    for (const filter of FILTERS) {
      captured.length = 0
      const { data, errors } = await execute(gateway.yoga, 'query($where: AttestationWhere) { attestations(where: $where, first: 1) { totalCount } }', {
        where: filter.where,
      })
      expect(errors, filter.name).toBeUndefined()
      const [{ count }] = (await admin.query(`SELECT count(*)::int AS count FROM "Attestation" a WHERE ${filter.sql}`)).rows
      expect((data as { attestations: { totalCount: number } }).attestations.totalCount, filter.name).toBe(count)
      const counts = captured.filter((q) => isTotalCountStatement(q.query) && !q.query.includes('"Event"'))
      if (!counts.length) problems.push(`${filter.name}: no count captured`)
      for (const q of counts) {
        for (const node of planNodes(await explainAnalyze(admin, q))) {
          if (node['Node Type'] === 'Seq Scan' && /^(Attestation|Recipient)$/.test(node['Relation Name'] ?? ''))
            problems.push(`${filter.name}: Seq Scan on ${node['Relation Name']}`)
        }
      }
    }
    expect(problems).toEqual([])
  }, 120_000)

  it('returns the same pages as ORDER BY … OFFSET for seeded random cursors, both directions', async () => {
    const next = random(SEED)
    for (const filter of FILTERS) {
      const [{ count }] = (await admin.query(`SELECT count(*)::int AS count FROM "Attestation" a WHERE ${filter.sql}`)).rows
      for (const order of Object.keys(ORDERS) as Order[]) {
        if (!count) continue
        const k = Math.floor(next() * count)
        const size = 1 + Math.floor(next() * FIRST)
        const [at] = await reference(filter.sql, order, k, 1)
        const label = `${filter.name} ${order} k=${k} size=${size} (KEYSET_SEED=${SEED})`
        const forward = (await page({ where: filter.where, orderBy: order, first: size, after: cursorOf(at!) })).data.attestations
        expect(
          forward.edges.map((e) => e.node),
          label,
        ).toEqual(await reference(filter.sql, order, k + 1, size))
        expect(forward.pageInfo, label).toMatchObject({ hasNextPage: k + 1 + size < count, hasPreviousPage: true })
        const backward = (await page({ where: filter.where, orderBy: order, last: size, before: cursorOf(at!) })).data.attestations
        expect(
          backward.edges.map((e) => e.node),
          label,
        ).toEqual(await reference(filter.sql, order, Math.max(0, k - size), Math.min(size, k)))
        expect(backward.pageInfo, label).toMatchObject({ hasPreviousPage: k - size > 0, hasNextPage: true })
        // and back again: the page after the backward page's last edge starts at the cursor row
        const last = backward.edges.at(-1)
        if (last) {
          const again = (await page({ where: filter.where, orderBy: order, first: 1, after: last.cursor })).data.attestations
          expect(
            again.edges.map((e) => e.node),
            label,
          ).toEqual([at])
        }
      }
    }
  }, 120_000)

  /** A gateway on a pool of one connection, so that pg_prepared_statements (one session's) lists every statement it prepared. */
  async function withOneConnection(use: (gateway: Gateway, pageStatements: () => Promise<Map<string, PreparedStatement>>) => Promise<void>) {
    const single = await createDb({ databaseUrl: database.url, migrate: false, poolSize: 1 })
    const oneConnection = createGateway({ prisma: single.prisma, common: createTestCommon(), journalPollMs: 60_000, maxPageSize: 100 })
    const pageStatements = async () => {
      const rows = await single.prisma.$queryRaw<{ statement: string; generic_plans: bigint; custom_plans: bigint }[]>`
        SELECT statement, generic_plans, custom_plans FROM pg_prepared_statements
        WHERE statement LIKE '%chains(chain_id)%' AND statement NOT LIKE '%pg_prepared_statements%'`
      return new Map(rows.map((r) => [r.statement, { generic: Number(r.generic_plans), custom: Number(r.custom_plans) }]))
    }
    try {
      await use(oneConnection, pageStatements)
    } finally {
      await oneConnection.close()
      await single.close()
    }
  }

  it('lets PostgreSQL keep a generic plan for the page statements of one filter, as a client paging deep cursors', async () => {
    await withOneConnection(async (oneConnection, pageStatements) => {
      const next = random(SEED + 1)
      const plans: Record<string, string> = {}
      for (const filter of FILTERS) {
        const [{ count }] = (await admin.query(`SELECT count(*)::int AS count FROM "Attestation" a WHERE ${filter.sql}`)).rows
        if (!count) continue // no cursor to page from
        for (const order of Object.keys(ORDERS) as Order[]) {
          const before = await pageStatements()
          // a text sent once is not prepared (statementNames.ts); then PostgreSQL plans five executions with their values
          for (let i = 0; i < 9; i++) {
            const [at] = await reference(filter.sql, order, Math.floor(next() * count), 1)
            const { errors } = await execute(oneConnection.yoga, PAGE, { where: filter.where, orderBy: order, first: FIRST, after: cursorOf(at!) })
            expect(errors, `${filter.name} ${order} (KEYSET_SEED=${SEED})`).toBeUndefined()
          }
          // the statements this filter × order ran (filters of one shape, e.g. two attesters, share one)
          const ran = [...(await pageStatements())].filter(([text, p]) => executions(p) > executions(before.get(text)))
          plans[`${filter.name} ${order}`] = ran.length
            ? ran.map(([, p]) => (p.generic > 0 ? 'generic' : `${p.custom} custom plans`)).join(', ')
            : 'none prepared'
        }
      }
      console.log(`keysetPlans: plans kept per page statement ${JSON.stringify(plans, null, 1)}`)
      // two filters or an id list keep LIMIT a parameter (limitSql): PostgreSQL chooses; one filter must plan once
      const oneFilter = Object.entries(plans).filter(([page]) => !PLANNED_PER_VALUES.has(page.replace(/ ATTEST\w+$/, '')))
      expect(oneFilter).toHaveLength((FILTERS.length - PLANNED_PER_VALUES.size) * Object.keys(ORDERS).length)
      expect(Object.values(plans).filter((plan) => plan.includes(','))).toEqual([]) // one statement per page
      // PostgreSQL weighs the generic plan against the custom plans of the cursors it saw first, so a statement may
      // still stay on custom plans (with LIMIT $n 21 of the 52 did, with every filter's page)
      const generic = oneFilter.filter(([, plan]) => plan === 'generic').length
      expect(generic, JSON.stringify(oneFilter.filter(([, plan]) => plan !== 'generic'))).toBeGreaterThanOrEqual(Math.ceil(0.9 * oneFilter.length))
    })
  }, 120_000)

  it('keeps the prepared page statements of one filter few while a client cycles through every page size', async () => {
    await withOneConnection(async (oneConnection, pageStatements) => {
      for (let round = 0; round < 2; round++) {
        for (let first = 1; first <= 100; first++) {
          const { errors } = await execute(oneConnection.yoga, PAGE, { where: { attester: attester(5) }, orderBy: 'ATTESTATION_ID_DESC', first })
          expect(errors, `first ${first}`).toBeUndefined()
        }
      }
      // the usual sizes (1, 5, 10, 20, 25, 50, 100) planned once each, every other size one statement with LIMIT $n
      expect((await pageStatements()).size).toBe(8)
    })
  }, 60_000)

  it('pages a time range from a cursor outside it on O(page) rows, with the rows beyond the cursor', async () => {
    // a client keeps its cursor and narrows the filter to a time range: the newest and the oldest row of the largest
    // chain are far outside the range, and every row of the range is beyond one of them
    const ranges = FILTERS.filter((f) => /attestTimestamp/.test(f.name))
    const ends = (
      await admin.query(`(SELECT "chainId", '0x' || to_hex("attestationId") AS "attestationId" FROM "Attestation" WHERE "chainId" = 31337 ORDER BY "attestationId" DESC LIMIT 1)
        UNION ALL (SELECT "chainId", '0x' || to_hex("attestationId") FROM "Attestation" WHERE "chainId" = 31337 ORDER BY "attestationId" LIMIT 1)`)
    ).rows as { chainId: number; attestationId: string }[]
    const problems: string[] = []
    for (const filter of ranges) {
      for (const order of Object.keys(ORDERS) as Order[]) {
        const keys = order.startsWith('ATTEST_TIMESTAMP') ? 'a."attestTimestamp", a."attestationId", a."chainId"' : 'a."attestationId", a."chainId"'
        const asc = order.endsWith('ASC')
        for (const end of ends) {
          const at = `(SELECT ${keys} FROM "Attestation" a WHERE a."chainId" = ${end.chainId} AND a."attestationId" = ${BigInt(end.attestationId)})`
          for (const [variant, args, beyond, reverse] of [
            ['after', { first: FIRST, after: cursorOf(end) }, asc ? '>' : '<', false],
            ['before', { last: FIRST, before: cursorOf(end) }, asc ? '<' : '>', true],
          ] as const) {
            const label = `${filter.name} ${order} ${variant} the ${end === ends[0] ? 'newest' : 'oldest'} row`
            const { data, queries } = await page({ where: filter.where, orderBy: order, ...args })
            const { rows } = await admin.query(
              `SELECT "chainId", '0x' || to_hex("attestationId") AS "attestationId" FROM "Attestation" a WHERE ${filter.sql} AND (${keys}) ${beyond} ${at}
               ORDER BY ${reverse ? ORDERS[order].replace(/ (ASC|DESC)/g, (m) => (m === ' ASC' ? ' DESC' : ' ASC')) : ORDERS[order]} LIMIT ${FIRST}`,
            )
            expect(
              data.attestations.edges.map((e) => e.node),
              label,
            ).toEqual(reverse ? rows.reverse() : rows)
            problems.push(...(await checkPlans(label, queries)))
          }
        }
      }
    }
    expect(problems).toEqual([])
  }, 120_000)

  it('pages Schema.attestations and Attestation.linkedBy from a deep cursor on O(page) rows', async () => {
    const [deep] = (
      await admin.query(
        `SELECT "chainId", '0x' || to_hex("attestationId") AS "attestationId" FROM "Attestation" WHERE "chainId" = 31337 AND "schemaId" = 3 ORDER BY "Attestation"."attestationId" DESC OFFSET 1500 LIMIT 1`,
      )
    ).rows
    const query = `query($id: ID!, $after: String, $child: ID!) {
      schema(id: $id) { attestations(first: ${FIRST}, after: $after) { nodes { id } } }
      children: attestations(where: { chainId: 31337 }, first: 10) { nodes { linkedBy(first: 5) { nodes { id } } } }
      attestation(id: $child) { linkedBy(first: 5) { nodes { id } } }
    }`
    captured.length = 0
    const { data, errors } = await execute(gateway.yoga, query, { id: toFullId(31337, 3n), after: cursorOf(deep), child: toFullId(31337, 4n) })
    expect(errors).toBeUndefined()
    expect((data as { schema: { attestations: { nodes: unknown[] } } }).schema.attestations.nodes).toHaveLength(FIRST)
    expect(
      await checkPlans(
        'Schema.attestations + linkedBy',
        captured.filter((q) => !q.query.includes('"Event"')),
      ),
    ).toEqual([])
  })

  it('pages offchainAttestations and schemas on O(page) rows, in registration order', async () => {
    const OFFCHAIN = `query($where: OffchainAttestationWhere, $orderBy: OffchainAttestationOrder, $first: Int, $after: String, $last: Int, $before: String) {
      offchainAttestations(where: $where, orderBy: $orderBy, first: $first, after: $after, last: $last, before: $before) { edges { cursor node { chainId offchainAttestationId } } }
    }`
    const filters: [Record<string, unknown> | null, string][] = [
      [null, 'TRUE'],
      [{ chainId: 10 }, 'o."chainId" = 10'],
      [{ attester: attester(3) }, `o."attester" = '${attester(3)}'`],
      [{ revoked: true }, 'o."revoked"'],
    ]
    const problems: string[] = []
    for (const [where, sql] of filters) {
      for (const order of ['BLOCK_NUMBER_ASC', 'BLOCK_NUMBER_DESC']) {
        const dir = order.endsWith('ASC') ? 'ASC' : 'DESC'
        const ref = async (offset: number, limit: number) =>
          (
            await admin.query(
              `SELECT "chainId", "offchainAttestationId" FROM "OffchainAttestation" o WHERE ${sql}
            ORDER BY "blockNumber" ${dir}, "logIndex" ${dir}, "chainId" ${dir} OFFSET $1 LIMIT $2`,
              [offset, limit],
            )
          ).rows
        const [mid] = await ref(Math.floor((await ref(0, 100_000)).length / 2), 1)
        const cursor = formatPrismaCursor(mid, ['chainId', 'offchainAttestationId'])
        for (const [variant, args] of [
          ['first', { first: FIRST }],
          ['last', { last: FIRST }],
          ['after', { first: FIRST, after: cursor }],
          ['before', { last: FIRST, before: cursor }],
        ] as const) {
          captured.length = 0
          const { data, errors } = await execute(gateway.yoga, OFFCHAIN, { where, orderBy: order, ...args })
          expect(errors).toBeUndefined()
          problems.push(
            ...(await checkPlans(
              `offchain ${JSON.stringify(where)} ${order} ${variant}`,
              captured.filter((q) => !q.query.includes('"Event"')),
            )),
          )
          if (variant === 'after') {
            const k = (await ref(0, 100_000)).findIndex((r) => r.chainId === mid.chainId && r.offchainAttestationId === mid.offchainAttestationId)
            expect((data as { offchainAttestations: { edges: { node: unknown }[] } }).offchainAttestations.edges.map((e) => e.node)).toEqual(
              await ref(k + 1, FIRST),
            )
          }
        }
      }
    }
    expect(problems).toEqual([])
    const { data } = await execute(gateway.yoga, '{ schemas(first: 5, orderBy: SCHEMA_ID_ASC) { nodes { id } } }', {})
    expect((data as { schemas: { nodes: { id: string }[] } }).schemas.nodes.map((n) => n.id)).toEqual([
      toFullId(10, 1n),
      toFullId(8453, 1n),
      toFullId(31337, 1n),
      toFullId(10, 2n),
      toFullId(8453, 2n),
    ])
  })
})
