/**
 * `attestations(where) { totalCount }` equals a count of the rows for every filter, whether a rollup answers it
 * (src/gateway/stats/rollupCount.ts: chainId, schemaId, attester, whole UTC days, revoked) or the rows do (recipient,
 * indexingKey, linkedAttestationId, part of a day, search), on PostgreSQL and PGlite: after the fixtures, after
 * revocations (an UPDATE), and after a reorg-shaped delete of the newest rows. The rollup-answered filters must read
 * a rollup and not the attestations (the statement sent is captured).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createDb, type Db } from '../src/db/createDb.js'
import { createGateway, type Gateway } from '../src/gateway/index.js'
import { ALICE, BASE_TIME, BOB, CAROL, CHAIN, OTHER_CHAIN, makeAttestation, seedGatewayFixtures } from './fixtures/gatewayFixtures.js'
import { createTestCommon } from './helpers/common.js'
import { isTotalCountStatement } from './helpers/queryPlans.js'
import { createTestDatabase, type TestDatabase } from './helpers/database.js'
import { execute } from './helpers/graphql.js'

const DAY = 86_400n
const firstDay = BASE_TIME - (BASE_TIME % DAY)

/** Filters and whether a rollup answers them. */
const FILTERS: { where: Record<string, unknown>; rollup: boolean }[] = [
  { where: {}, rollup: true },
  { where: { chainId: CHAIN }, rollup: true },
  { where: { chainId: OTHER_CHAIN }, rollup: true },
  { where: { chainId: 999 }, rollup: true },
  { where: { attester: ALICE }, rollup: true },
  { where: { attester: BOB.toUpperCase().replace('0X', '0x') }, rollup: true },
  { where: { schemaId: `onchain_evm_${CHAIN}_0x2` }, rollup: true },
  { where: { schemaId: `onchain_evm_${OTHER_CHAIN}_0x1`, chainId: CHAIN }, rollup: true },
  { where: { schemaId: '1', attester: ALICE, chainId: CHAIN }, rollup: true },
  { where: { revoked: true }, rollup: true },
  { where: { revoked: false, attester: BOB }, rollup: true },
  { where: { attestTimestampGte: String(firstDay), attestTimestampLte: String(firstDay + DAY - 1n) }, rollup: true },
  { where: { attestTimestampGte: String(firstDay + DAY), attester: ALICE }, rollup: true },
  { where: { attestTimestampGte: String(BASE_TIME + 100n) }, rollup: false },
  { where: { recipient: CAROL }, rollup: false },
  { where: { indexingKey: 'batch-a' }, rollup: false },
  { where: { linkedAttestationId: `onchain_evm_${CHAIN}_0x5` }, rollup: false },
  { where: { revoked: true, indexingKey: 'key-5' }, rollup: false },
]

/** The same filter as SQL over "Attestation" (the truth the count must equal). */
function toSql(where: Record<string, unknown>): string {
  const conditions = ['TRUE']
  if (where.chainId != null) conditions.push(`"chainId" = ${where.chainId}`)
  if (typeof where.schemaId === 'string') {
    const full = /^onchain_evm_(\d+)_0x([0-9a-f]+)$/.exec(where.schemaId)
    if (full) conditions.push(`"chainId" = ${full[1]} AND "schemaId" = ${BigInt(`0x${full[2]}`)}`)
    else conditions.push(`"schemaId" = ${where.schemaId}`)
  }
  if (where.attester != null) conditions.push(`lower("attester") = lower('${where.attester}')`)
  if (where.revoked != null) conditions.push(`"revoked" = ${where.revoked}`)
  if (where.attestTimestampGte != null) conditions.push(`"attestTimestamp" >= ${where.attestTimestampGte}`)
  if (where.attestTimestampLte != null) conditions.push(`"attestTimestamp" <= ${where.attestTimestampLte}`)
  if (where.indexingKey != null) conditions.push(`"indexingKey" = '${where.indexingKey}'`)
  if (typeof where.linkedAttestationId === 'string') {
    const [, chainId, hex] = /^onchain_evm_(\d+)_0x([0-9a-f]+)$/.exec(where.linkedAttestationId)!
    conditions.push(`"chainId" = ${chainId} AND "linkedAttestationId" = ${BigInt(`0x${hex}`)}`)
  }
  if (where.recipient != null)
    conditions.push(`EXISTS (SELECT 1 FROM "Recipient" r WHERE r."chainId" = a."chainId" AND r."attestationId" = a."attestationId"
      AND (lower(r."address") = lower('${where.recipient}') OR lower(r."text") = lower('${where.recipient}')))`)
  return `SELECT count(*)::int AS n FROM "Attestation" a WHERE ${conditions.join(' AND ')}`
}

describe.each(['postgres', 'pglite'] as const)('totalCount (%s)', (kind) => {
  let database: TestDatabase | undefined
  let db: Db
  let gateway: Gateway
  const statements: string[] = []

  beforeAll(async () => {
    database = kind === 'postgres' ? await createTestDatabase('sitest_total_count') : undefined
    db = await createDb({ databaseUrl: database?.url, onQuery: (e) => statements.push(e.query) })
    await seedGatewayFixtures(db.prisma)
    // a second UTC day, and more of one attester
    await db.prisma.attestation.createMany({
      data: Array.from({ length: 30 }, (_, i) => makeAttestation(70 + i, { attestTimestamp: BASE_TIME + DAY + BigInt(i), attester: ALICE })),
    })
    gateway = createGateway({ prisma: db.prisma, common: createTestCommon(), journalPollMs: 50 })
  })
  afterAll(async () => {
    await gateway?.close()
    await db?.close()
    await database?.drop()
  })

  async function check(moment: string) {
    for (const { where, rollup } of FILTERS) {
      statements.length = 0
      const result = await execute(gateway.yoga, 'query($where: AttestationWhere) { attestations(where: $where, first: 1) { totalCount } }', { where })
      expect(result.errors, JSON.stringify(where)).toBeUndefined()
      const count = (result.data as { attestations: { totalCount: number } }).attestations.totalCount
      const n = (await db.prisma.$queryRawUnsafe<{ n: number }[]>(toSql(where)))[0]!.n
      expect(count, `${moment}: ${JSON.stringify(where)}`).toBe(n)
      const countStatement = statements.find(isTotalCountStatement)
      expect(countStatement, `${moment}: the count statement of ${JSON.stringify(where)}`).toBeDefined()
      expect(/Rollup"/.test(countStatement!), `${moment}: ${JSON.stringify(where)} counted from a rollup`).toBe(rollup)
    }
  }

  it('equals a count of the rows for every filter, from a rollup where one answers it', async () => {
    expect((await db.prisma.attestation.count()) > 60).toBe(true)
    await check('after the fixtures')
  })

  it('still does after revocations and a reorg-shaped delete of the newest rows', async () => {
    await db.prisma.attestation.updateMany({ where: { attestationId: { in: [11n, 12n, 80n] } }, data: { revoked: true, revokeTimestamp: BASE_TIME + 5n } })
    await check('after revocations')
    // as a reorg deletes (src/db/resetChain.ts): dependants first, then the attestations in one statement
    await db.prisma.$executeRawUnsafe(`DELETE FROM "Recipient" WHERE "attestationId" >= 85`)
    await db.prisma.$executeRawUnsafe(`DELETE FROM "Verification" WHERE "attestationId" >= 85`)
    await db.prisma.$executeRawUnsafe(`DELETE FROM "Attestation" WHERE "attestationId" >= 85`)
    await check('after a delete of the newest rows')
  })
})
