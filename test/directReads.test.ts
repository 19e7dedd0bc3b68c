/**
 * The gateway's direct reads (src/db/directReads.ts) on PostgreSQL give the rows `prisma.$queryRaw` gives for the same
 * statement — bigint, Decimal, parsed JSON (null, object, the recipients' json_agg), text[], nulls — so a resolver
 * cannot tell which path served it; they feed the query log as Prisma's query event does; a `statement_timeout` reaches
 * the caller with its SQLSTATE (57014, which the gateway turns into QUERY_TIMEOUT). Real PostgreSQL.
 */
import { GraphQLError } from 'graphql'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createDb, type Db } from '../src/db/createDb.js'
import { queryRows, queryRowsUnsafe } from '../src/db/directReads.js'
import { getSqlState } from '../src/db/getSqlState.js'
import { attestationColumnsSql } from '../src/gateway/attestationRows.js'
import { findSqlState, toDatabaseInputError } from '../src/gateway/userErrors.js'
import { Prisma } from '../src/generated/prisma/client.js'
import { createTestDatabase, type TestDatabase } from './helpers/database.js'
import { seedRows } from './helpers/seedRows.js'

let database: TestDatabase
let db: Db
const logged: { query: string; params: string }[] = []

beforeAll(async () => {
  database = await createTestDatabase('sitest_direct_reads')
  db = await createDb({ databaseUrl: database.url, statementTimeoutMs: 500, onQuery: (e) => logged.push(e) })
  const admin = new pg.Client({ connectionString: database.url })
  await admin.connect()
  try {
    await seedRows(admin, { chains: [{ chainId: 10, rows: 300 }] })
    // the values the seed leaves plain: a decoded JSON, a validUntil past 2^64, a text[] of recipients, the largest id
    await admin.query(`UPDATE "Attestation" SET "decodedData" = '{"score": 1234567, "tags": ["a", null], "nested": {"ok": true}}',
      "validUntil" = 99999999999999999999, "recipientsRaw" = ARRAY['0xab', 'user@example.com'], "dataEncoding" = 'abi' WHERE "attestationId" = 7`)
    await admin.query(`UPDATE "Attestation" SET "revokeReason" = 'wrong', "revokeTxHash" = '0x01', "revokeBlockNumber" = 9007199254740993,
      "revokeBlockHash" = '0x02', "revokeLogIndex" = 4 WHERE "attestationId" = 50`)
  } finally {
    await admin.end()
  }
})

afterAll(async () => {
  await db?.close()
  await database?.drop()
})

describe('direct reads', () => {
  it("returns Prisma's row shapes for every Attestation column and the recipients' JSON", async () => {
    for (const recipients of [false, true]) {
      const sql = Prisma.sql`SELECT ${attestationColumnsSql({ recipients })} FROM "Attestation" a WHERE a."chainId" = ${10}::int ORDER BY a."attestationId"`
      const direct = await queryRows<Record<string, unknown>>(db.prisma, sql)
      const viaPrisma = await db.prisma.$queryRaw<Record<string, unknown>[]>(sql)
      expect(direct).toHaveLength(300)
      expect(direct).toEqual(viaPrisma)
      const seven = direct.find((r) => r.attestationId === 7n)!
      expect(seven.validUntil).toBeInstanceOf(Prisma.Decimal)
      expect(String(seven.validUntil)).toBe('99999999999999999999')
      expect(seven.decodedData).toEqual({ score: 1234567, tags: ['a', null], nested: { ok: true } })
      expect(seven.recipientsRaw).toEqual(['0xab', 'user@example.com'])
      expect(direct.find((r) => r.attestationId === 50n)!.revokeBlockNumber).toBe(9007199254740993n)
      expect(direct.find((r) => r.attestationId === 1n)!.linkedAttestationId).toBeNull()
    }
    const unsafe =
      'SELECT a."attestationId", a."validUntil", $2::text AS label FROM "Attestation" a WHERE a."chainId" = $1 AND a."attestationId" = ANY($3::bigint[])'
    expect(await queryRowsUnsafe(db.prisma, unsafe, 10, 'x', ['7', '9'])).toEqual(await db.prisma.$queryRawUnsafe(unsafe, 10, 'x', ['7', '9']))
  })

  it("serves on PostgreSQL by the reader, its statements named apart from Prisma's", async () => {
    const one = await createDb({ databaseUrl: database.url, migrate: false, poolSize: 1 })
    try {
      const names = Prisma.sql`SELECT name FROM pg_prepared_statements ORDER BY name`
      await queryRows(one.prisma, names) // a text is named the second time it is sent (statementNames.ts)
      const rows = await queryRows<{ name: string }>(one.prisma, names)
      expect(rows.map((r) => r.name)).toContainEqual(expect.stringMatching(/^rs[0-9a-f]{24}$/))
    } finally {
      await one.close()
    }
  })

  it('survives the server dropping its idle connections before Prisma ever connected, and close() ends the pool', async () => {
    const own = await createDb({ databaseUrl: database.url, migrate: false, poolSize: 2 })
    const pids = async () => (await queryRows<{ pid: number }>(own.prisma, Prisma.sql`SELECT pg_backend_pid() AS pid`)).map((r) => r.pid)
    const first = await pids()
    const admin = new pg.Client({ connectionString: database.url })
    await admin.connect()
    try {
      // an idle connection the server ends raises 'error' on the pool: unheard, it ended the process
      await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE pid = ANY($1::int[])', [first])
      await new Promise((resolve) => setTimeout(resolve, 200))
      const second = await pids()
      expect(second).not.toEqual(first)
      await own.close()
      // only direct reads ran: the pool is ended by close(), not left to Prisma's adapter, which never connected
      const { rows } = await admin.query('SELECT count(*)::int AS n FROM pg_stat_activity WHERE pid = ANY($1::int[])', [second])
      expect(rows[0].n).toBe(0)
      await expect(pids()).rejects.toThrow()
    } finally {
      await admin.end()
    }
  })

  it('feeds the query log like Prisma, and hands a statement timeout over with its SQLSTATE', async () => {
    logged.length = 0
    await queryRows(db.prisma, Prisma.sql`SELECT ${'probe'}::text AS marker`)
    expect(logged).toContainEqual(expect.objectContaining({ query: 'SELECT $1::text AS marker', params: '["probe"]' }))
    const error = await queryRows(db.prisma, Prisma.sql`SELECT pg_sleep(${2})`).catch((e: unknown) => e)
    expect(getSqlState(error)?.sqlState).toBe('57014')
    // the pool is still good after the cancel
    expect(await queryRows(db.prisma, Prisma.sql`SELECT 1 AS one`)).toEqual([{ one: 1 }])
  })

  it("lets the gateway tell a value PostgreSQL refuses (SQLSTATE class 22) from a server fault, as with Prisma's errors", async () => {
    for (const read of [(sql: Prisma.Sql) => queryRows(db.prisma, sql), (sql: Prisma.Sql) => db.prisma.$queryRaw(sql)]) {
      const error = await read(Prisma.sql`SELECT ${'12x'}::bigint AS id`).catch((e: unknown) => e)
      const wrapped = new GraphQLError('failed', { originalError: error as Error })
      expect(findSqlState(wrapped)).toBe('22P02')
      expect(toDatabaseInputError(wrapped)?.extensions.code).toBe('BAD_USER_INPUT')
    }
  })
})
