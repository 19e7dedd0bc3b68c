/**
 * Compiled (graphql-jit) vs reference execution, in one process on one database (issue 14's profile step):
 * `npx tsx test/bench/executors.ts --database-url URL [--rounds 2]` on a database seeded by `npm run bench:queries --
 * --keep-db`. Two gateways over one Prisma client (`createGateway({ compiledQueries })`), the same requests to each
 * in turn, 10 in flight, through `yoga.fetch` (no HTTP): prints CPU ms and wall ms per request for `attestation(id)`
 * with every field and recipients, and a 50-item page with every field. The first round warms both up. Figures are
 * printed, never asserted.
 */
import { Command } from 'commander'
import { createDb } from '../../src/db/createDb.js'
import { createGateway } from '../../src/gateway/index.js'
import { createTestCommon } from '../helpers/common.js'

const opts = new Command('bench-executors')
  .requiredOption('--database-url <url>', 'a database seeded by bench:queries')
  .option('--rounds <n>', 'rounds (the first warms up)', '2')
  .parse()
  .opts()

const db = await createDb({ databaseUrl: String(opts.databaseUrl), migrate: false })
const gateways = {
  reference: createGateway({ prisma: db.prisma, common: createTestCommon(), compiledQueries: false }),
  compiled: createGateway({ prisma: db.prisma, common: createTestCommon() }),
}
const FIELDS = `id chainId attestationId schemaId attester from linkedAttestationId attestTimestamp attestTime revokeTimestamp revokeTime validUntil
  validUntilTime expired delegated revoked revokeReason revokeBlockNumber revokeTransactionHash dataLocation data decodedData dataEncoding decodeError
  indexingKey transactionHash blockNumber blockHash blockTimestamp blockTime logIndex recipients { position raw address text }`
const loads = {
  'attestation(id)': {
    requests: 1500,
    body: (i: number) => ({
      query: `query($id: ID!) { attestation(id: $id) { ${FIELDS} } }`,
      variables: { id: `onchain_evm_31337_0x${(1 + ((i * 7919) % 500_000)).toString(16)}` },
    }),
  },
  'page of 50': {
    requests: 300,
    body: (_i: number) => ({
      query: `query($where: AttestationWhere) { attestations(first: 50, where: $where) { edges { cursor node { ${FIELDS} } } pageInfo { hasNextPage endCursor } } }`,
      variables: { where: { chainId: 10 } },
    }),
  },
}

console.log('round  query              executor     cpu ms/req  wall ms/req')
for (let round = 1; round <= Number(opts.rounds); round++) {
  for (const [name, load] of Object.entries(loads)) {
    for (const [executor, gateway] of Object.entries(gateways)) {
      const cpu = process.cpuUsage()
      const started = performance.now()
      for (let i = 0; i < load.requests; i += 10) {
        await Promise.all(
          Array.from({ length: 10 }, async (_, k) => {
            const response = await gateway.yoga.fetch('http://bench/graphql', {
              method: 'POST',
              headers: { 'content-type': 'application/json' },
              body: JSON.stringify(load.body(i + k)),
            })
            const text = await response.text()
            if (response.status !== 200 || text.includes('"errors"')) throw new Error(`${executor} ${name}: ${response.status} ${text.slice(0, 300)}`)
          }),
        )
      }
      const used = process.cpuUsage(cpu)
      const perRequest = (ms: number) => (ms / load.requests).toFixed(3).padStart(11)
      console.log(
        `${String(round).padEnd(6)} ${name.padEnd(18)} ${executor.padEnd(12)} ${perRequest((used.user + used.system) / 1000)}  ${perRequest(performance.now() - started)}`,
      )
    }
  }
}
await Promise.all(Object.values(gateways).map((g) => g.close()))
await db.close()
