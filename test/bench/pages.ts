/**
 * Deep pages at scale: `npm run bench:pages -- [--attestations 100000] [--seconds 10] [--seed 1]`
 *
 * Writes N attestations of ONE attester (+ one recipient each) directly with `INSERT … SELECT generate_series` into a
 * fresh PostgreSQL database (the shape ingest writes; no chain needed to read pages), starts the real gateway over
 * HTTP (a separate event loop is not needed: the server and the clients share this process, as in lineage.ts), and
 * for concurrency 1 and 50 sends `attestations(where: { attester }, first: 50, after: <random deep cursor>)` for
 * `--seconds` each: prints p50 / p99 latency and requests/s. Cursors are drawn from the middle 80 % of the list
 * with a seeded generator. Figures are printed, never asserted.
 */
import { performance } from 'node:perf_hooks'
import { formatPrismaCursor } from '@pothos/plugin-prisma'
import { Command } from 'commander'
import { createDb } from '../../src/db/createDb.js'
import { createGateway } from '../../src/gateway/index.js'
import { startGatewayServer } from '../../src/gateway/startGatewayServer.js'
import { createTestDatabase } from '../helpers/database.js'
import { mulberry32 as random } from '../helpers/faultProxy.js'
import { createTestCommon } from '../helpers/common.js'

const opts = new Command('bench-pages')
  .option('--attestations <n>', 'attestations of the one attester', '100000')
  .option('--seconds <n>', 'seconds per concurrency level', '10')
  .option('--seed <n>', 'cursor generator seed', '1')
  .parse()
  .opts()

const N = Number(opts.attestations)
const SECONDS = Number(opts.seconds)
const CHAIN_ID = 31337
const ATTESTER = '0x00000000000000000000000000000000000a11ce'

const database = await createTestDatabase('bench_pages')
const db = await createDb({ databaseUrl: database.url, poolSize: 20 })
const gateway = createGateway({ prisma: db.prisma, common: createTestCommon(), journalPollMs: 60_000 })
const server = await startGatewayServer({ gateway, port: 0 })
try {
  let t = performance.now()
  await db.prisma.$executeRawUnsafe(`INSERT INTO "Attestation" ("chainId", "attestationId", "schemaId", "linkedAttestationId", "attestTimestamp", "revokeTimestamp",
      "attester", "validUntil", "dataLocation", "revoked", "recipientsRaw", "data", "decodedData", "dataEncoding", "decodeError", "indexingKey",
      "txHash", "txFrom", "blockNumber", "blockHash", "blockTimestamp", "logIndex")
    SELECT ${CHAIN_ID}, g, 1 + g % 20, NULL, 1700000000 + g / 3, 0, '${ATTESTER}', 0, 0, false, ARRAY[]::text[], '0x', NULL, NULL, NULL, 'bench',
      '0x' || lpad(to_hex(g), 64, '0'), '${ATTESTER}', g / 3, '0x' || lpad(to_hex(g / 3), 64, '0'), 1700000000 + g / 3, (g % 3)::int
    FROM generate_series(1, ${N}::bigint) AS g`)
  // Recipient rows with the columns of the migration in force (attestTimestamp exists from keyset_indexes on)
  const hasTime =
    (await db.prisma.$queryRawUnsafe<unknown[]>(`SELECT 1 FROM information_schema.columns WHERE table_name = 'Recipient' AND column_name = 'attestTimestamp'`))
      .length > 0
  await db.prisma.$executeRawUnsafe(`INSERT INTO "Recipient" ("chainId", "attestationId", "position", "raw", "address", "text"${hasTime ? ', "attestTimestamp"' : ''})
    SELECT "chainId", "attestationId", 0, '0x00', '0x' || lpad(to_hex("attestationId" % 50), 40, 'c'), NULL${hasTime ? ', "attestTimestamp"' : ''} FROM "Attestation"`)
  await db.prisma.$executeRawUnsafe('ANALYZE')
  console.log(`seeded ${N} attestations of one attester in ${((performance.now() - t) / 1000).toFixed(1)} s`)

  const next = random(Number(opts.seed))
  const body = () => {
    const id = BigInt(Math.floor(N * (0.1 + 0.8 * next())))
    const after = formatPrismaCursor({ chainId: CHAIN_ID, attestationId: id }, ['chainId', 'attestationId'])
    return JSON.stringify({
      query: `query($after: String) { attestations(where: { attester: "${ATTESTER}" }, first: 50, after: $after) { edges { cursor node { id attester } } pageInfo { hasNextPage } } }`,
      variables: { after },
    })
  }
  const request = async () => {
    const res = await fetch(server.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: body() })
    const json = (await res.json()) as { errors?: unknown[]; data?: { attestations: { edges: unknown[] } } }
    if (json.errors || json.data?.attestations.edges.length !== 50) throw new Error(`bad page: ${JSON.stringify(json).slice(0, 300)}`)
  }
  for (let i = 0; i < 20; i++) await request() // warm-up
  for (const concurrency of [1, 50]) {
    const times: number[] = []
    const until = performance.now() + SECONDS * 1000
    t = performance.now()
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (performance.now() < until) {
          const started = performance.now()
          await request()
          times.push(performance.now() - started)
        }
      }),
    )
    const elapsed = (performance.now() - t) / 1000
    times.sort((a, b) => a - b)
    const p = (q: number) => times[Math.min(times.length - 1, Math.floor(q * times.length))]!.toFixed(1)
    console.log(
      `deep page (attester filter, first 50, random deep cursor) at concurrency ${concurrency}: p50 ${p(0.5)} ms, p99 ${p(0.99)} ms, ${(times.length / elapsed).toFixed(1)} req/s (${times.length} requests in ${elapsed.toFixed(1)} s)`,
    )
  }
} finally {
  await server.close()
  await db.close()
  await database.drop()
}
