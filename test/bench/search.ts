/**
 * `npm run bench:search -- [--runs 30]`: 100,000 attestations written by SQL (test/helpers/searchRows.ts) into a fresh
 * PostgreSQL database, then search pages through the gateway in-process (`yoga.fetch`): for each search, `runs` pages
 * of 20 from the start and `runs` from a deep cursor; prints p50 / p99 in ms and the plan kind. Figures are printed,
 * never asserted.
 */
import { formatPrismaCursor } from '@pothos/plugin-prisma'
import pg from 'pg'
import { createDb } from '../../src/db/createDb.js'
import { createGateway } from '../../src/gateway/index.js'
import { createTestDatabase } from '../helpers/database.js'
import { execute } from '../helpers/graphql.js'
import { writeSearchRows } from '../helpers/searchRows.js'
import { createTestCommon } from '../helpers/common.js'

const runsArg = process.argv.indexOf('--runs')
const RUNS = runsArg > 0 ? Number(process.argv[runsArg + 1]) : 30
const PAGE = `query($search: String, $after: String) { attestations(search: $search, first: 20, after: $after) { edges { node { id indexingKey decodedData } } } }`

const database = await createTestDatabase('sibench_search')
const db = await createDb({ databaseUrl: database.url })
const admin = new pg.Client({ connectionString: database.url })
await admin.connect()
await writeSearchRows(admin, [
  { chainId: 31337, rows: 70_000 },
  { chainId: 10, rows: 30_000 },
])
const gateway = createGateway({ prisma: db.prisma, common: createTestCommon(), journalPollMs: 60_000 })
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
      for (let i = 0; i < RUNS; i++) {
        const started = performance.now()
        const { errors } = await execute(gateway.yoga, PAGE, { search, after })
        if (errors) throw new Error(JSON.stringify(errors))
        times.push(performance.now() - started)
      }
      console.log(`${search.padEnd(14)} ${label.padEnd(12)} p50 ${percentile(times, 0.5).toFixed(1)} ms  p99 ${percentile(times, 0.99).toFixed(1)} ms`)
    }
  }
} finally {
  await gateway.close()
  await admin.end()
  await db.close()
  await database.drop()
}
