/**
 * `npm run bench:stats -- [--rows 1000000] [--runs 50]`: explorer statistics at N attestations (PostgreSQL).
 * Rows are written by SQL (`generate_series`, the shape of test/keysetPlans.test.ts): 2 chains, 50 schemas and
 * 2,000 attesters per chain, skewed (attester = floor(2000 × u⁴) for a hashed uniform u: attester 0 makes ~18 %),
 * each attester using 3 schemas, 2 % revoked, one recipient
 * each (50,000 distinct), attestTimestamp rising with the id over ~180 days; the rollup is filled by its triggers
 * during the insert. Then every query runs three times (warm-up), then each through the real gateway (in-process
 * `yoga.fetch`) RUNS times: p50 / p99 and what it read (a rollup or `direct`), plus EXPLAIN ANALYZE of one rollup
 * groups SQL. Figures are printed, never asserted.
 *
 * Seeding 1,000,000 rows takes minutes: `--keep-db` keeps the database (its URL is printed), `--database-url URL`
 * reuses one (migrated by `createDb` on open — a new rollup's migration fills it from the rows — and not seeded again,
 * not dropped).
 */
import pg from 'pg'
import { createDb } from '../../src/db/createDb.js'
import { createGateway, toFullId } from '../../src/gateway/index.js'
// a namespace: the bench also runs against an older checkout of src/ (before / after figures), which lacks it
import * as stats from '../../src/gateway/stats/resolveStats.js'
import { createTestDatabase } from '../helpers/database.js'
import { execute } from '../helpers/graphql.js'
import { createTestCommon } from '../helpers/common.js'

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`)
  return i >= 0 ? Number(process.argv[i + 1]) : fallback
}
const ROWS = arg('rows', 1_000_000)
const RUNS = arg('runs', 50)
const flag = (name: string) => {
  const i = process.argv.indexOf(`--${name}`)
  return i >= 0 ? process.argv[i + 1] : undefined
}
const KEEP_DB = process.argv.includes('--keep-db')
const REUSE_URL = flag('database-url')
const attester = (k: number) => `0x${k.toString(16).padStart(40, 'a')}`

async function main() {
  const database = REUSE_URL ? { url: REUSE_URL, drop: async () => {} } : await createTestDatabase('bench_stats')
  const db = await createDb({ databaseUrl: database.url })
  const admin = new pg.Client({ connectionString: database.url })
  await admin.connect()
  try {
    const started = Date.now()
    for (const [chainId, rows] of REUSE_URL
      ? []
      : ([
          [31337, Math.round(ROWS * 0.7)],
          [10, ROWS - Math.round(ROWS * 0.7)],
        ] as const)) {
      // attester: 90 % of rows from 200 attesters, the rest from 1,800; schema 1 + (g * 7) % 50 skewed by a square
      await admin.query(`INSERT INTO "Attestation" ("chainId", "attestationId", "schemaId", "linkedAttestationId", "attestTimestamp", "revokeTimestamp",
          "attester", "validUntil", "dataLocation", "revoked", "recipientsRaw", "data", "indexingKey", "txHash", "txFrom", "blockNumber", "blockHash", "blockTimestamp", "logIndex")
        SELECT ${chainId}, g, 1 + (k * 3 + g % 3) % 50, NULL, 1700000000 + g * 15552000 / ${rows}, 0,
          '0x' || lpad(to_hex(k), 40, 'a'), 0, 0, g % 50 = 0, ARRAY[]::text[], '0x', 'k',
          '0x00', '0x00', g / 5, '0x00', 1700000000 + g * 15552000 / ${rows}, (g % 5)::int
        FROM generate_series(1, ${rows}::bigint) AS g
        CROSS JOIN LATERAL (SELECT floor(2000 * power(((g * 2654435761) % 1000003) / 1000003.0, 4))::int AS k) z`)
      await admin.query(`INSERT INTO "Recipient" ("chainId", "attestationId", "position", "raw", "address", "text", "attestTimestamp")
        SELECT "chainId", "attestationId", 0, '0x00', '0x' || lpad(to_hex("attestationId" % 50000), 40, 'c'), NULL, "attestTimestamp" FROM "Attestation" WHERE "chainId" = ${chainId}`)
      await admin.query(`INSERT INTO "Schema" ("chainId", "schemaId", "registrant", "revocable", "dataLocation", "maxValidFor", "hook", "timestamp", "data", "txHash", "txFrom", "blockNumber", "blockHash", "logIndex")
        SELECT ${chainId}, s, '0x' || lpad(to_hex(s % 3), 40, 'a'), true, 0, 0, '0x0000000000000000000000000000000000000000', 1700000000, 'schema', '0x00', '0x00', 0, '0x00', s FROM generate_series(1, 50) s`)
    }
    await admin.query('ANALYZE')
    const attestations = (await admin.query('SELECT count(*)::int AS n FROM "Attestation"')).rows[0].n
    console.log(`${REUSE_URL ? 'reused' : 'seeded'} ${attestations} attestations in ${((Date.now() - started) / 1000).toFixed(1)} s`)
    for (const { table } of (await admin.query(`SELECT tablename AS table FROM pg_tables WHERE tablename LIKE '%Rollup' ORDER BY 1`)).rows)
      console.log(`  ${table} rows: ${(await admin.query(`SELECT count(*)::int AS n FROM "${table}"`)).rows[0].n}`)
    if (KEEP_DB) console.log(`database kept: --database-url ${database.url}`)

    /** what a case reads: a rollup (rows in page order, or grouped) or the attestations (an older checkout: unknown) */
    const sourceOf = async (where: Record<string, unknown>, groupBy: string) =>
      typeof stats.buildAttestationStatsSource === 'function'
        ? (await stats.buildAttestationStatsSource({ prisma: db.prisma } as never, where, groupBy as never)).source
        : 'source unknown'
    const gateway = createGateway({ prisma: db.prisma, common: createTestCommon(), journalPollMs: 60_000, maxPageSize: 100 })
    const day = 1700000000 + 86_400 * 30 - ((1700000000 + 86_400 * 30) % 86_400)
    const cases: { name: string; groupBy: string; where: Record<string, unknown> }[] = [
      { name: 'SCHEMA, chainId', groupBy: 'SCHEMA', where: { chainId: 31337 } },
      { name: 'SCHEMA, all chains', groupBy: 'SCHEMA', where: {} },
      { name: 'ATTESTER, schemaId', groupBy: 'ATTESTER', where: { schemaId: toFullId(31337, 1n) } },
      { name: 'ATTESTER, chainId', groupBy: 'ATTESTER', where: { chainId: 31337 } },
      { name: 'DAY, attester', groupBy: 'DAY', where: { attester: attester(7), chainId: 31337 } },
      { name: 'DAY, schemaId', groupBy: 'DAY', where: { schemaId: toFullId(31337, 1n) } },
      { name: 'DAY, 7 whole days', groupBy: 'DAY', where: { attestTimestampGte: String(day), attestTimestampLte: String(day + 7 * 86_400 - 1) } },
      { name: 'CHAIN, all', groupBy: 'CHAIN', where: {} },
      { name: 'SCHEMA, revoked', groupBy: 'SCHEMA', where: { chainId: 31337, revoked: true } },
      { name: 'DAY, attester + revoked', groupBy: 'DAY', where: { attester: attester(7), chainId: 31337, revoked: false } },
      { name: 'RECIPIENT, attester', groupBy: 'RECIPIENT', where: { attester: attester(7), chainId: 31337 } },
      { name: 'RECIPIENT, all', groupBy: 'RECIPIENT', where: {} },
      // added with migration 20261207060000 (ordered rollups)
      { name: 'RECIPIENT, chainId', groupBy: 'RECIPIENT', where: { chainId: 31337 } },
      { name: 'ATTESTER, all chains', groupBy: 'ATTESTER', where: {} },
      { name: 'ATTESTER, chainId + revoked: false', groupBy: 'ATTESTER', where: { chainId: 31337, revoked: false } },
      { name: 'SCHEMA, revoked: false', groupBy: 'SCHEMA', where: { chainId: 31337, revoked: false } },
      // added with migration 20261207070000 (attester × recipient rollup); attester 0 makes ~18 % of the rows
      { name: 'RECIPIENT, attester 0', groupBy: 'RECIPIENT', where: { attester: attester(0), chainId: 31337 } },
      { name: 'RECIPIENT, chainId + revoked', groupBy: 'RECIPIENT', where: { chainId: 31337, revoked: true } },
    ]
    const query = `query ($where: AttestationWhere, $groupBy: AttestationStatsGroupBy!) { attestationStats(where: $where, groupBy: $groupBy, first: 50) { edges { node { key count revokedCount firstAt lastAt } } } }`
    const time = async (run: () => Promise<unknown>, runs: number) => {
      const ms: number[] = []
      for (let i = 0; i < runs; i++) {
        const t = performance.now()
        await run()
        ms.push(performance.now() - t)
      }
      ms.sort((a, b) => a - b)
      return { p50: ms[Math.floor(ms.length * 0.5)]!, p99: ms[Math.min(ms.length - 1, Math.floor(ms.length * 0.99))]! }
    }
    // warm-up: every case three times (the pool's connections, plan caches) before any is timed
    for (let i = 0; i < 3; i++) for (const c of cases) await execute(gateway.yoga, query, { where: c.where, groupBy: c.groupBy })
    for (const c of cases) {
      const runs = RUNS
      const first = await execute<{ attestationStats: { edges: unknown[] } }, unknown>(gateway.yoga, query, { where: c.where, groupBy: c.groupBy })
      if (first.errors) throw new Error(`${c.name}: ${JSON.stringify(first.errors)}`)
      const { p50, p99 } = await time(() => execute(gateway.yoga, query, { where: c.where, groupBy: c.groupBy }), runs)
      console.log(
        `${c.name.padEnd(36)} groups on page ${String(first.data!.attestationStats.edges.length).padStart(3)}  p50 ${p50.toFixed(1).padStart(7)} ms  p99 ${p99.toFixed(1).padStart(7)} ms  (${runs} runs, ${await sourceOf(c.where, c.groupBy)})`,
      )
    }
    const schemaQuery = `{ schemaStats(where: { chainId: 31337 }, first: 50) { edges { node { schemaId count uniqueAttesters } } } }`
    const s = await time(() => execute(gateway.yoga, schemaQuery), RUNS)
    console.log(`${'schemaStats, chainId'.padEnd(36)} p50 ${s.p50.toFixed(1).padStart(7)} ms  p99 ${s.p99.toFixed(1).padStart(7)} ms`)
    const r = await time(
      () => execute(gateway.yoga, `{ schemaStats(where: { chainId: 31337 }, first: 5) { edges { node { schemaId uniqueRecipients } } } }`),
      RUNS,
    )
    console.log(
      `${'schemaStats + uniqueRecipients (5)'.padEnd(36)} p50 ${r.p50.toFixed(1).padStart(7)} ms  p99 ${r.p99.toFixed(1).padStart(7)} ms (${RUNS} runs)`,
    )
    // the plan of the rollup groups for one filtered case
    const plan = await admin.query(`EXPLAIN (ANALYZE, BUFFERS OFF, TIMING ON) SELECT 0 AS kc, r."day" AS ki, sum(r."count") FROM "AttestationRollup" r
      WHERE r."chainId" = 31337 AND r."attester" = '${attester(7)}' GROUP BY 1, 2 ORDER BY 3 DESC LIMIT 51`)
    console.log(`EXPLAIN ANALYZE (DAY, attester, from the rollup):\n${plan.rows.map((row) => `  ${row['QUERY PLAN']}`).join('\n')}`)
    await gateway.close()
  } finally {
    await admin.end()
    await db.close()
    if (!KEEP_DB) await database.drop()
  }
}

void main().then(
  () => process.exit(0),
  (error) => {
    console.error(error)
    process.exit(1)
  },
)
