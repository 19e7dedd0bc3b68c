/**
 * Benchmark of the SignScan-compatible index API (src/rest/) on real PostgreSQL: seeds REST_BENCH_ROWS attestations
 * (default 200,000; 10 schemas, 50 attesters, 1,000 indexing keys, a recipient on every 20th) with SQL, then times
 * each route in-process (`yoga.fetch`, sequential, REST_BENCH_RUNS requests each) and prints p50 / p99 in ms and the
 * scans of the plan PostgreSQL chose for the page query (EXPLAIN ANALYZE of the SQL Prisma sent, with its parameters).
 *
 *   npm run bench:rest                       # REST_BENCH_ROWS=1000000 npm run bench:rest
 */
import pg from 'pg'
import { createDb } from '../../src/db/createDb.js'
import { createGateway } from '../../src/gateway/index.js'
import { createTestDatabase } from '../helpers/database.js'
import { createTestCommon } from '../helpers/common.js'

const ROWS = Number(process.env.REST_BENCH_ROWS ?? 200_000)
const RUNS = Number(process.env.REST_BENCH_RUNS ?? 30)
const attester = (n: number) => `0x${n.toString(16).padStart(40, '0')}`

const database = await createTestDatabase('bench_rest')
const captured: { query: string; params: string; durationMs: number }[] = []
const db = await createDb({ databaseUrl: database.url, onQuery: (e) => captured.push(e) })
const client = new pg.Client({ connectionString: database.url })
await client.connect()
try {
  const seeding = performance.now()
  await client.query(`INSERT INTO "Schema" ("chainId","schemaId","registrant","revocable","dataLocation","maxValidFor","hook","timestamp","data","dataJson","fields","txHash","txFrom","blockNumber","blockHash","logIndex")
    SELECT 1, s, '${attester(1)}', true, 0, 0, '0x${'0'.repeat(40)}', 1700000000, '{"name":"S","data":[{"name":"score","type":"uint256"}]}',
      '{"name":"S","data":[{"name":"score","type":"uint256"}]}', '[{"name":"score","type":"uint256"}]', '0x' || lpad(to_hex(s), 64, '0'), '${attester(1)}', s, '0x' || lpad(to_hex(s), 64, '0'), 0
    FROM generate_series(1, 10) s`)
  await client.query(
    `INSERT INTO "Attestation" ("chainId","attestationId","schemaId","attestTimestamp","revokeTimestamp","attester","validUntil","dataLocation","revoked","recipientsRaw","data","indexingKey","txHash","txFrom","blockNumber","blockHash","blockTimestamp","logIndex")
    SELECT 1, g, 1 + g % 10, 1700000000 + g, 0, '0x' || lpad(to_hex(g % 50), 40, '0'), 0, 0, false, '{}', '0x' || lpad(to_hex(g), 64, '0'), 'key-' || (g % 1000),
      '0x' || lpad(to_hex(g), 64, '0'), '0x' || lpad(to_hex(g % 50), 40, '0'), 100 + g, '0x' || lpad(to_hex(g), 64, '0'), 1700000000 + g, 0
    FROM generate_series(1, $1::int) g`,
    [ROWS],
  )
  await client.query(
    `INSERT INTO "Recipient" ("chainId","attestationId","position","raw","text","attestTimestamp") SELECT 1, g, 0, '0x', 'r-' || (g % 100), 1700000000 + g FROM generate_series(20, $1::int, 20) g`,
    [ROWS],
  )
  await client.query('ANALYZE')
  console.log(`seeded ${ROWS} attestations in ${((performance.now() - seeding) / 1000).toFixed(1)} s (not part of any figure)`)

  const gateway = createGateway({ prisma: db.prisma, common: createTestCommon() })
  const routes = [
    '/index/attestations?page=1&size=100',
    '/index/attestations?page=100&size=100',
    '/index/attestations?schemaId=onchain_evm_1_0x3&page=100&size=100',
    `/index/attestations?attester=${attester(7)}&page=40&size=100`,
    '/index/attestations?indexingValue=key-7&chainId=1',
    // the SDK's queryAttestationList with schema and attester: a pair with none (attester 8 only under schema 9), and one
    `/index/attestations?schemaId=onchain_evm_1_0x3&attester=${attester(8)}&page=1&size=100`,
    `/index/attestations?schemaId=onchain_evm_1_0x9&attester=${attester(8)}&page=10&size=100`,
    '/index/attestations?chainId=1&page=100&size=100',
    '/index/attestations?recipient=r-40&page=10&size=100',
    `/index/attestations/onchain_evm_1_0x${Math.floor(ROWS / 2).toString(16)}`,
    '/index/schemas?page=1&size=100',
  ]
  console.log(`route | p50 ms | p99 ms | statement times | scans of the page query (EXPLAIN ANALYZE)`)
  for (const route of routes) {
    const times: number[] = []
    for (let i = 0; i < RUNS; i++) {
      captured.length = 0
      const start = performance.now()
      const response = await gateway.yoga.fetch(`http://bench${route}`)
      if (response.status !== 200) throw new Error(`${route}: ${response.status} ${await response.text()}`)
      await response.arrayBuffer()
      times.push(performance.now() - start)
    }
    times.sort((a, b) => a - b)
    const pageQuery =
      captured.find((q) => /WITH RECURSIVE chains/.test(q.query)) ?? captured.find((q) => /"public"\."Attestation"/.test(q.query)) ?? captured[0]!
    const plan = await client.query(`EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) ${pageQuery.query}`, JSON.parse(pageQuery.params))
    const lines = [
      ...new Set(
        plan.rows.map((r) => String(r['QUERY PLAN'])).flatMap((l) => (/(Index|Seq|Bitmap Heap) (Only )?Scan/.test(l) ? [l.trim().replace(/^->\s*/, '')] : [])),
      ),
    ]
    const p = (q: number) => times[Math.min(times.length - 1, Math.floor(q * times.length))]!.toFixed(1)
    const countMs = captured.filter((q) => /COUNT\(/i.test(q.query)).reduce((sum, q) => sum + q.durationMs, 0)
    console.log(`${route} | ${p(0.5)} | ${p(0.99)} | page ${pageQuery.durationMs} ms, count ${countMs} ms (last run) | ${lines.join(' / ')}`)
  }
  await gateway.close()
} finally {
  await client.end()
  await db.close()
  await database.drop()
}
