/**
 * The recipient rollup triggers (migrations 20261207030000 and 20261207080000_recipient_rollup_plans) must cost a write in proportion to the
 * rows it writes, not to the rows a recipient already has: a popular recipient (one address receiving most
 * attestations, as a partner's treasury or a KYC registry does) must not make each new attestation walk all of its
 * older ones. Measured as index entries read (pg_stat_user_indexes.idx_tup_read), which does not depend on the
 * machine's speed. The table is written as a backfill writes it: in statements of many rows, before any ANALYZE
 * (autovacuum off on the table, so its statistics stay those of an empty table, as early in a backfill).
 * Then a reorg-shaped delete of the newest rows, and the rollup equals a recount.
 */
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { applyMigrations } from '../src/db/migrate.js'
import { createTestDatabase, type TestDatabase } from './helpers/database.js'

const POPULAR = '0x00000000000000000000000000000000000000aa'
const OLD_ROWS = 3_000
const NEW_ROWS = 300

describe('recipient rollup triggers on a popular recipient (postgres)', () => {
  let db: TestDatabase
  let client: pg.Client

  beforeAll(async () => {
    db = await createTestDatabase('sitest_recipient_rollup')
    await applyMigrations({ kind: 'postgres', url: db.url })
    client = new pg.Client({ connectionString: db.url })
    await client.connect()
    for (const table of ['Attestation', 'Recipient']) await client.query(`ALTER TABLE "${table}" SET (autovacuum_enabled = false)`)
  })
  afterAll(async () => {
    await client?.end()
    await db?.drop()
  })

  /** Attestations `from..to` of chain 1, each with one recipient: the popular address. */
  async function write(from: number, to: number) {
    await client.query(`INSERT INTO "Attestation" ("chainId", "attestationId", "schemaId", "attestTimestamp", "revokeTimestamp", "attester",
        "validUntil", "dataLocation", "revoked", "recipientsRaw", "data", "indexingKey", "txHash", "txFrom", "blockNumber", "blockHash",
        "blockTimestamp", "logIndex")
      SELECT 1, g, 1, 1700000000 + g, 0, '0x1111111111111111111111111111111111111111', 0, 0, false, ARRAY[]::text[], '0x', '', '0x00',
        '0x1111111111111111111111111111111111111111', g, '0x00', 1700000000 + g, 0
      FROM generate_series(${from}, ${to}) AS g`)
    await client.query(`INSERT INTO "Recipient" ("chainId", "attestationId", "position", "raw", "address", "text", "attestTimestamp")
      SELECT 1, g, 0, '0x00', '${POPULAR}', NULL, 1700000000 + g FROM generate_series(${from}, ${to}) AS g`)
  }

  /** Index entries read so far from the Recipient table's indexes, by index name. */
  async function entriesRead(): Promise<Record<string, number>> {
    await client.query('SELECT pg_stat_force_next_flush()')
    // a new transaction: statistics are snapshotted per transaction
    const { rows } = await client.query<{ name: string; read: string }>(
      `SELECT indexrelname AS name, idx_tup_read::text AS read FROM pg_stat_user_indexes WHERE relname = 'Recipient'`,
    )
    return Object.fromEntries(rows.map((r) => [r.name, Number(r.read)]))
  }

  async function readDelta(write: () => Promise<void>): Promise<number> {
    const before = await entriesRead()
    await write()
    const after = await entriesRead()
    return Object.keys(after).reduce((sum, name) => sum + (after[name]! - (before[name] ?? 0)), 0)
  }

  async function rollup() {
    const { rows } = await client.query(`SELECT "recipientKey", "count"::int AS count, "firstAt"::text AS "firstAt", "lastAt"::text AS "lastAt"
      FROM "RecipientRollup" WHERE "chainId" = 1`)
    return rows
  }

  it(`inserting ${NEW_ROWS} more attestations of a recipient with ${OLD_ROWS} reads index entries in proportion to the ${NEW_ROWS}`, async () => {
    await write(1, OLD_ROWS)
    const read = await readDelta(() => write(OLD_ROWS + 1, OLD_ROWS + NEW_ROWS))
    console.log(`recipient insert of ${NEW_ROWS} rows read ${read} index entries (${OLD_ROWS} older rows of the same recipient)`)
    // one primary-key probe per new row (≈ 1–2 entries each), not a walk over the recipient's older rows (≈ 3,000 each)
    expect(read).toBeLessThan(NEW_ROWS * 10)
    expect(await rollup()).toEqual([
      { recipientKey: POPULAR, count: OLD_ROWS + NEW_ROWS, firstAt: String(1700000001), lastAt: String(1700000000 + OLD_ROWS + NEW_ROWS) },
    ])
  })

  it(`a reorg-shaped delete of the newest ${NEW_ROWS} reads in proportion to them and leaves the rollup exact`, async () => {
    const read = await readDelta(async () => {
      await client.query('BEGIN')
      await client.query(`DELETE FROM "Recipient" WHERE "chainId" = 1 AND "attestationId" > ${OLD_ROWS}`)
      await client.query(`DELETE FROM "Attestation" WHERE "chainId" = 1 AND "attestationId" > ${OLD_ROWS}`)
      await client.query('COMMIT')
    })
    console.log(`recipient delete of ${NEW_ROWS} rows read ${read} index entries`)
    expect(read).toBeLessThan(NEW_ROWS * 10)
    expect(await rollup()).toEqual([{ recipientKey: POPULAR, count: OLD_ROWS, firstAt: String(1700000001), lastAt: String(1700000000 + OLD_ROWS) }])
  })
})
