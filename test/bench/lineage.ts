/**
 * Lineage (and verification) at scale: `npx tsx test/bench/lineage.ts [--chains 5000] [--trees 45] [--queries 500] [--no-verify]`
 *
 * Rows are written DIRECTLY into a fresh PostgreSQL database with bulk SQL (`INSERT … SELECT generate_series`), not
 * through the chain: no contract produces 100,000 linked attestations in reasonable time, and lineage queries read
 * only the Attestation / Schema rows, which have the shape ingest writes. Default: 5,000 chains of 11 (a root and
 * 10 generations: 55,000) + 45 trees of 3 levels with fan-out 10 (1 + 10 + 100 + 1,000: 49,995) = 104,995
 * attestations. Then, through the gateway in-process (`yoga.fetch`), p50/p99 of
 * - a depth-10 ANCESTORS lineage from a chain leaf (10 items, schema selected), and
 * - a 3-level DESCENDANTS tree from a tree root (totalCount 1,110, first page of 100);
 * and, unless --no-verify, the verifier's throughput on first verdicts for every row (2 workers, one job each,
 * every chain member's ancestors walked). Prints figures; asserts nothing.
 */
import { performance } from 'node:perf_hooks'
import { Command } from 'commander'
import { createDb } from '../../src/db/createDb.js'
import { createGateway, toFullId } from '../../src/gateway/index.js'
import { createVerifier, VERIFY_BATCH_SIZE } from '../../src/verify/index.js'
import { createTestDatabase } from '../helpers/database.js'
import { createTestCommon } from '../helpers/common.js'

const opts = new Command('bench-lineage')
  .option('--chains <n>', 'chains of 11 attestations (root + 10 generations)', '5000')
  .option('--trees <n>', '3-level trees with fan-out 10 (1,111 attestations each)', '45')
  .option('--queries <n>', 'queries per latency figure', '500')
  .option('--no-verify', 'skip the verifier throughput figure')
  .parse()
  .opts()

const CHAIN_ID = 31337
const CHAINS = Number(opts.chains)
const TREES = Number(opts.trees)
const QUERIES = Number(opts.queries)
const CHAIN_LEN = 11
const TREE_SIZE = 1_111
const TREE_BASE = CHAINS * CHAIN_LEN
const ATTESTER = '0x00000000000000000000000000000000000a11ce'

// Every column ingest writes; ids and links computed from generate_series.
const ROW = (id: string, linked: string) => `SELECT ${CHAIN_ID}, ${id}, 1, ${linked}, 1700000000 + ${id}, 0, '${ATTESTER}', 0, 0, false, ARRAY[]::text[],
  '0x', '{}'::jsonb, 'TUPLE', NULL, 'bench', '0x' || lpad(to_hex(${id}), 64, '0'), '${ATTESTER}', 1000 + ${id} / 100,
  '0x' || lpad(to_hex(1000 + ${id} / 100), 64, '0'), 1700000000 + ${id}, (${id} % 100)::int`
const COLUMNS = `"chainId", "attestationId", "schemaId", "linkedAttestationId", "attestTimestamp", "revokeTimestamp", "attester", "validUntil",
  "dataLocation", "revoked", "recipientsRaw", "data", "decodedData", "dataEncoding", "decodeError", "indexingKey", "txHash", "txFrom", "blockNumber",
  "blockHash", "blockTimestamp", "logIndex"`

const database = await createTestDatabase('bench_lineage')
const db = await createDb({ databaseUrl: database.url, poolSize: 10 })
const gateway = createGateway({ prisma: db.prisma, common: createTestCommon(), journalPollMs: 60_000 })
try {
  let t = performance.now()
  await db.prisma.$executeRawUnsafe(`INSERT INTO "Schema" ("chainId", "schemaId", "registrant", "revocable", "dataLocation", "maxValidFor", "hook", "timestamp", "data", "dataJson", "fields", "txHash", "txFrom", "blockNumber", "blockHash", "logIndex")
    VALUES (${CHAIN_ID}, 1, '${ATTESTER}', true, 0, 0, '0x0000000000000000000000000000000000000000', 1700000000, 'bench', NULL, '[]', '0x00', '${ATTESTER}', 1, '0x00', 0)`)
  // chains: id = c * 11 + p + 1, linked to id - 1 except the root (p = 0)
  await db.prisma.$executeRawUnsafe(`INSERT INTO "Attestation" (${COLUMNS}) ${ROW('g.id', 'CASE WHEN (g.id - 1) % 11 = 0 THEN NULL ELSE g.id - 1 END')}
    FROM generate_series(1, ${TREE_BASE}::bigint) AS g(id)`)
  // trees: node k of tree t has id base + t * 1111 + k + 1 and links its BFS parent (k - 1) / 10
  await db.prisma.$executeRawUnsafe(`INSERT INTO "Attestation" (${COLUMNS})
    ${ROW('g.id', `CASE WHEN (g.id - ${TREE_BASE} - 1) % ${TREE_SIZE} = 0 THEN NULL ELSE ${TREE_BASE} + ((g.id - ${TREE_BASE} - 1) / ${TREE_SIZE}) * ${TREE_SIZE} + ((g.id - ${TREE_BASE} - 1) % ${TREE_SIZE} - 1) / 10 + 1 END`)}
    FROM generate_series(${TREE_BASE + 1}::bigint, ${TREE_BASE + TREES * TREE_SIZE}::bigint) AS g(id)`)
  await db.prisma.$executeRawUnsafe('ANALYZE')
  const total = await db.prisma.attestation.count()
  console.log(
    `seeded ${total} attestations (${CHAINS} chains of ${CHAIN_LEN}, ${TREES} trees of ${TREE_SIZE}) in ${((performance.now() - t) / 1000).toFixed(1)} s`,
  )

  const gql = async (query: string) => {
    const res = await gateway.yoga.fetch('http://bench/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query }),
    })
    const body = (await res.json()) as { errors?: unknown[]; data?: any }
    if (body.errors) throw new Error(JSON.stringify(body.errors))
    return body.data
  }
  const pick = (n: number) => Math.floor(Math.random() * n)
  const measure = async (label: string, query: () => string, check: (data: any) => void) => {
    for (let i = 0; i < 20; i++) check(await gql(query())) // warm-up
    const times: number[] = []
    for (let i = 0; i < QUERIES; i++) {
      const q = query()
      const started = performance.now()
      const data = await gql(q)
      times.push(performance.now() - started)
      check(data)
    }
    times.sort((a, b) => a - b)
    const p = (q: number) => times[Math.min(times.length - 1, Math.floor(q * times.length))]!.toFixed(2)
    console.log(`${label}: p50 ${p(0.5)} ms, p99 ${p(0.99)} ms (${QUERIES} queries)`)
  }
  await measure(
    'depth-10 ANCESTORS (10 items, schema selected)',
    () =>
      `{ attestation(id: "${toFullId(CHAIN_ID, BigInt(pick(CHAINS) * CHAIN_LEN + CHAIN_LEN))}") { lineage(direction: ANCESTORS, maxDepth: 10, first: 10) { totalCount edges { depth node { id schema { id } } } } } }`,
    (d) => {
      if (d.attestation.lineage.edges.length !== 10) throw new Error('expected 10 ancestors')
    },
  )
  await measure(
    '3-level DESCENDANTS tree, fan-out 10 (1,110 nodes, first 100)',
    () =>
      `{ attestation(id: "${toFullId(CHAIN_ID, BigInt(TREE_BASE + pick(TREES) * TREE_SIZE + 1))}") { lineage(direction: DESCENDANTS, maxDepth: 3, first: 100) { totalCount edges { depth node { id } } } } }`,
    (d) => {
      if (d.attestation.lineage.totalCount !== 1_110) throw new Error(`expected 1110 descendants, got ${d.attestation.lineage.totalCount}`)
    },
  )

  if (opts.verify) {
    await db.prisma.$executeRawUnsafe(
      `INSERT INTO "VerificationJob" ("chainId", "attestationId", "cause") SELECT "chainId", "attestationId", 'CREATED' FROM "Attestation" ORDER BY "attestationId"`,
    )
    const verifier = createVerifier({ prisma: db.prisma, common: createTestCommon(), workers: 2, pollIntervalMs: 50, schedule: false })
    t = performance.now()
    const running = verifier.run()
    while ((await db.prisma.verificationJob.count()) > 0) await new Promise((r) => setTimeout(r, 200))
    const seconds = (performance.now() - t) / 1000
    verifier.stop()
    await running
    console.log(`verifier: ${total} first verdicts in ${seconds.toFixed(1)} s (${Math.round(total / seconds)}/s, 2 workers, batches of ${VERIFY_BATCH_SIZE})`)
  }
} finally {
  await gateway.close()
  await db.close()
  await database.drop()
}
