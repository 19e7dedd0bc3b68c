import pg from 'pg'
import { createDb } from '../../src/db/createDb.js'
import { createGateway } from '../../src/gateway/index.js'
import { createTestCommon } from '../helpers/common.js'
import { execute } from '../helpers/graphql.js'

const url = 'postgresql://postgres@127.0.0.1:5432/bq1my'
const captured: { query: string; params: string }[] = []
const db = await createDb({ databaseUrl: url, onQuery: (e) => captured.push({ query: e.query, params: e.params }) })
const gateway = createGateway({ prisma: db.prisma, common: createTestCommon(), journalPollMs: 60_000 })
const q = process.argv[2]!
const vars = JSON.parse(process.argv[3] ?? '{}')
for (let i = 0; i < 3; i++) await execute(gateway.yoga, q, vars)
captured.length = 0
const r = await execute(gateway.yoga, q, vars)
console.log(JSON.stringify(r).slice(0, 200))
const client = new pg.Client({ connectionString: url })
await client.connect()
for (const c of captured) {
  console.log('SQL:', c.query.slice(0, 3000), c.params)
  const { rows } = await client.query(`EXPLAIN (ANALYZE, BUFFERS) ${c.query}`, JSON.parse(c.params || '[]'))
  console.log(rows.map((r) => r['QUERY PLAN']).join('\n'))
}
await client.end()
await gateway.close()
await db.close()
