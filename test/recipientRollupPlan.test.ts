/**
 * The recipient rollup's triggers (migrations 20261207030000_coarser_rollups, 20261207060000_recipient_rollup_by_attestation)
 * read "Recipient" by the attestation, never through a recipient key's rows: the insert trigger runs for every
 * commit of a backfill, on a table the planner has no statistics for yet. Read through the key's index, each new
 * recipient walked every earlier row of its key and a backfill's commits grew with the table.
 *
 * The plans are the ones the triggers really ran: auto_explain (log_nested_statements, at NOTICE level so they come
 * back to this client) on a fresh table holding 3,000 attestations of ONE recipient, not analysed (autovacuum off),
 * as during a backfill.
 */
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { applyMigrations } from '../src/db/migrate.js'
import { createTestDatabase, type TestDatabase } from './helpers/database.js'
import { type PlanNode, planNodes } from './helpers/queryPlans.js'

const CHAIN = 31337
const ROWS = 3_000
const RECIPIENT = `0x${'c'.repeat(40)}`

let database: TestDatabase
let client: pg.Client
const plans: { query: string; plan: PlanNode }[] = []

beforeAll(async () => {
  database = await createTestDatabase('sitest_recipient_rollup')
  await applyMigrations({ kind: 'postgres', url: database.url })
  client = new pg.Client({ connectionString: database.url })
  await client.connect()
  for (const table of ['Attestation', 'Recipient']) await client.query(`ALTER TABLE "${table}" SET (autovacuum_enabled = false)`)
  await client.query(`INSERT INTO "Schema" ("chainId", "schemaId", "registrant", "revocable", "dataLocation", "maxValidFor", "hook", "timestamp", "data",
      "txHash", "txFrom", "blockNumber", "blockHash", "logIndex")
    VALUES (${CHAIN}, 1, '0x00', true, 0, 0, '0x00', 1700000000, 'schema', '0x00', '0x00', 0, '0x00', 0)`)
  await insertAttestations(1, ROWS)
  client.on('notice', (n) => {
    if (!n.message?.includes('Query Text')) return
    const { 'Query Text': query, Plan: plan } = JSON.parse(n.message.slice(n.message.indexOf('{'))) as { 'Query Text': string; Plan: PlanNode }
    plans.push({ query, plan })
  })
  await client.query(`LOAD 'auto_explain'`)
  for (const [name, value] of [
    ['auto_explain.log_min_duration', '0'],
    ['auto_explain.log_nested_statements', 'on'],
    ['auto_explain.log_analyze', 'on'],
    ['auto_explain.log_format', 'json'],
    ['auto_explain.log_level', 'notice'],
  ])
    await client.query(`SET ${name} = '${value}'`)
}, 120_000)

afterAll(async () => {
  await client?.end()
  await database?.drop()
})

/** attestations `from..to` of schema 1, each with RECIPIENT as its one recipient (one statement per table) */
async function insertAttestations(from: number, to: number) {
  await client.query(`INSERT INTO "Attestation" ("chainId", "attestationId", "schemaId", "attestTimestamp", "revokeTimestamp", "attester", "validUntil",
      "dataLocation", "revoked", "recipientsRaw", "data", "indexingKey", "txHash", "txFrom", "blockNumber", "blockHash", "blockTimestamp", "logIndex")
    SELECT ${CHAIN}, g, 1, 1700000000 + g, 0, '0x00', 0, 0, false, ARRAY[]::text[], '0x', '', '0x00', '0x00', g, '0x00', 1700000000 + g, 0
    FROM generate_series(${from}, ${to}) AS g`)
  await client.query(`INSERT INTO "Recipient" ("chainId", "attestationId", "position", "raw", "address", "text", "attestTimestamp")
    SELECT ${CHAIN}, g, 0, '0x00', '${RECIPIENT}', NULL, 1700000000 + g FROM generate_series(${from}, ${to}) AS g`)
}

/**
 * The indexes of "Recipient" the trigger statement (the one whose text holds `marker`) read through — nodes that ran:
 * the delete trigger's firstAt / lastAt reads of a key are planned always and run only when a key's earliest or
 * latest row went — and the rows its reads of "Recipient" filtered out.
 */
function recipientReads(marker: string) {
  const statement = plans.find((p) => p.query.includes(marker))
  expect(statement, `a plan of the trigger statement holding ${marker}`).toBeDefined()
  const nodes = [...planNodes(statement!.plan)]
  return {
    indexes: new Set(nodes.filter((n) => n['Index Name']?.startsWith('Recipient_') && n['Actual Loops'] > 0).map((n) => n['Index Name'])),
    rowsRemoved: nodes.filter((n) => n['Relation Name'] === 'Recipient').reduce((sum, n) => sum + (n['Rows Removed by Filter'] ?? 0) * n['Actual Loops'], 0),
  }
}

describe('recipient rollup triggers on an unanalysed table', () => {
  it('insert: each new recipient is checked by its attestation (primary key), not among its key’s rows', async () => {
    plans.length = 0
    await insertAttestations(ROWS + 1, ROWS + 100)
    const reads = recipientReads('INSERT INTO "RecipientRollup"')
    expect([...reads.indexes]).toEqual(['Recipient_pkey'])
    expect(reads.rowsRemoved).toBeLessThan(100)
    const { rows } = await client.query(`SELECT "count"::int AS n FROM "RecipientRollup" WHERE "chainId" = ${CHAIN} AND "recipientKey" = '${RECIPIENT}'`)
    expect(rows).toEqual([{ n: ROWS + 100 }])
  })

  it('delete: a removed recipient is checked by its attestation, not among its key’s rows', async () => {
    plans.length = 0
    // from the middle: the key keeps its earliest and latest rows, so firstAt / lastAt are not recomputed (a read of
    // the key's index that is meant)
    await client.query(`DELETE FROM "Recipient" WHERE "chainId" = ${CHAIN} AND "attestationId" BETWEEN 1001 AND 1100`)
    const reads = recipientReads('UPDATE "RecipientRollup"')
    expect([...reads.indexes]).toEqual(['Recipient_pkey'])
    expect(reads.rowsRemoved).toBeLessThan(100)
    const { rows } = await client.query(`SELECT "count"::int AS n FROM "RecipientRollup" WHERE "chainId" = ${CHAIN} AND "recipientKey" = '${RECIPIENT}'`)
    expect(rows).toEqual([{ n: ROWS }])
  })
})
