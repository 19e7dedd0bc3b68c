/**
 * `npm run bench:search -- [--runs 30]`: 100,000 attestations written by SQL (test/helpers/searchRows.ts) into a fresh
 * PostgreSQL database, then search pages through the gateway in-process (`yoga.fetch`): for each search, `runs` pages
 * of 20 from the start and `runs` from a deep cursor; prints p50 / p99 in ms, then EXPLAIN (ANALYZE) of each statement
 * that page sent reading "searchText" (run again as sent: the candidates read inside a transaction with the same
 * planner settings): its scan nodes and the rows they read (returned + removed by filter or recheck, × loops).
 * Figures are printed, never asserted.
 */
import { formatPrismaCursor } from '@pothos/plugin-prisma'
import pg from 'pg'
import { createDb } from '../../src/db/createDb.js'
import { createGateway } from '../../src/gateway/index.js'
import { createTestDatabase } from '../helpers/database.js'
import { execute } from '../helpers/graphql.js'
import { type CapturedQuery, explainSearchStatements, type PlanNode, planNodes } from '../helpers/queryPlans.js'
import { writeSearchRows } from '../helpers/searchRows.js'
import { createTestCommon } from '../helpers/common.js'

const runsArg = process.argv.indexOf('--runs')
const RUNS = runsArg > 0 ? Number(process.argv[runsArg + 1]) : 30
const PAGE = `query($search: String, $after: String) { attestations(search: $search, first: 20, after: $after) { edges { node { id indexingKey decodedData } } } }`

const database = await createTestDatabase('sibench_search')
const captured: CapturedQuery[] = []
let capturing = false
const db = await createDb({ databaseUrl: database.url, onQuery: (e) => capturing && captured.push({ query: e.query, params: e.params }) })
const admin = new pg.Client({ connectionString: database.url })
await admin.connect()
await writeSearchRows(admin, [
  { chainId: 31337, rows: 70_000 },
  { chainId: 10, rows: 30_000 },
])
const gateway = createGateway({ prisma: db.prisma, common: createTestCommon(), journalPollMs: 60_000 })
/** The scans of a plan (`Seq Scan`, `Index Scan on X`, `Bitmap Heap Scan`…) and the rows they read. */
function scans(plan: PlanNode): { nodes: string[]; rows: number } {
  const nodes: string[] = []
  let rows = 0
  for (const node of planNodes(plan)) {
    if (!/Scan/.test(node['Node Type']) || node['Node Type'] === 'Bitmap Index Scan') continue
    const read = (node['Actual Rows'] + (node['Rows Removed by Filter'] ?? 0) + (node['Rows Removed by Index Recheck'] ?? 0)) * node['Actual Loops']
    rows += read
    nodes.push(`${node['Node Type']}${node['Index Name'] ? ` ${node['Index Name']}` : ''} ${read}`)
  }
  return { nodes, rows }
}
async function explainSearchStatementsRead(): Promise<string[]> {
  return (await explainSearchStatements(admin, captured)).map(({ plan }) => {
    const { nodes, rows } = scans(plan)
    return `rows read ${rows}: ${nodes.join(', ')}`
  })
}
const percentile = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))]!
try {
  console.log(`search pages at 100,000 attestations, ${RUNS} runs each (machine shared)`)
  for (const search of ['zebra', 'user4567', 'paris', 'user12', 'key-42', 'ordinary', 'nothing-here']) {
    const { rows } = await admin.query(
      `SELECT "chainId", "attestationId" FROM "Attestation" a WHERE a."searchText" LIKE lower($1)
      ORDER BY "attestationId" DESC, "chainId" DESC OFFSET (SELECT count(*) / 2 FROM "Attestation" b WHERE b."searchText" LIKE lower($1)) LIMIT 1`,
      [`%${search}%`],
    )
    const deep = rows[0] ? formatPrismaCursor({ chainId: rows[0].chainId, attestationId: BigInt(rows[0].attestationId) }, ['chainId', 'attestationId']) : null
    for (const [label, after] of [
      ['first page', null],
      ['deep cursor', deep],
    ] as const) {
      if (label === 'deep cursor' && !after) continue
      const times: number[] = []
      const codes = new Set<string>()
      for (let i = 0; i < RUNS; i++) {
        const started = performance.now()
        const { errors } = await execute(gateway.yoga, PAGE, { search, after })
        if (errors) codes.add(String(errors[0]?.extensions?.code ?? errors[0]?.message))
        times.push(performance.now() - started)
      }
      captured.length = 0
      capturing = true
      await execute(gateway.yoga, PAGE, { search, after })
      capturing = false
      const plans = await explainSearchStatementsRead()
      console.log(
        `${search.padEnd(14)} ${label.padEnd(12)} p50 ${percentile(times, 0.5).toFixed(1)} ms  p99 ${percentile(times, 0.99).toFixed(1)} ms${codes.size ? `  errors: ${[...codes].join(', ')}` : ''}`,
      )
      for (const line of plans) console.log(`  EXPLAIN ANALYZE: ${line}`)
    }
  }
} finally {
  await gateway.close()
  await admin.end()
  await db.close()
  await database.drop()
}
