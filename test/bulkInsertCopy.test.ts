/**
 * bulkInsert's two ways into PostgreSQL store the same values: COPY's text format (a node-postgres transaction,
 * what the backfill commits through) and the JSON parameter expanded by json_populate_recordset (PGlite, and inserts
 * with ON CONFLICT). Random rows (seeded, printed) with the characters COPY's format escapes (backslash, tab, newline,
 * carriage return), the ones an array literal quotes (`"`, `,`, `{`, `}`, spaces, the words NULL and `\N`), text
 * PostgreSQL cannot store (NUL, lone surrogates; in JSON object keys only as rows carry them, made storable), bigints, doubles, booleans, nulls, text arrays with null elements and
 * JSON of any shape go into two tables of the same columns, one each way (queued as the commit queues them, or awaited),
 * and must read back identical; so must rows over a megabyte, cut into several statements. A refusal has the same
 * SQLSTATE both ways and the writer goes on; a COPY waiting on a lock past its statement timeout is canceled by the
 * server (57014), and the server's answer once the lock goes does not bring the process down (pg-copy-streams cannot
 * take an answer to a COPY the client gave up on).
 */
import fc from 'fast-check'
import pg from 'pg'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { bulkInsert } from '../src/db/bulkInsert.js'
import { pgRawWriter, type RawTx, type RawWriter } from '../src/db/rawWriter.js'
import { toStorableText } from '../src/db/toStorable.js'
import { createTestDatabase, type TestDatabase } from './helpers/database.js'

const SEED = Number(process.env.COPY_SEED ?? 20261207)
const COLUMNS = `"id" bigint PRIMARY KEY, "text" text, "names" text[], "doc" json, "docb" jsonb, "flag" boolean, "small" integer, "big" bigint,
  "real" text, "amount" numeric, "amounts" numeric[]`

let database: TestDatabase
let writer: RawWriter

beforeAll(async () => {
  database = await createTestDatabase('bulk_insert_copy')
  writer = pgRawWriter(database.url, { max: 1 })
  await writer.transaction(async (tx) => {
    await tx.$executeRawUnsafe(`CREATE TABLE "ByCopy" (${COLUMNS})`)
    await tx.$executeRawUnsafe(`CREATE TABLE "ByJson" (${COLUMNS})`)
  })
}, 60_000)

afterAll(async () => {
  await writer?.close()
  await database?.drop()
})

/** text with the characters either format treats specially, and anything else */
const awkward = fc.oneof(
  fc.string({
    unit: fc.constantFrom('\\', '\t', '\n', '\r', '"', ',', '{', '}', ' ', 'N', 'U', 'L', 'a', '\u0000', '\ud800', '\udc00', '\u00e9'),
    maxLength: 12,
  }),
  fc.constantFrom('NULL', '\\N', '\\.', '', ' ', '{}', '"', '\\\\'),
  fc.string({ unit: 'binary', maxLength: 10 }),
)
/** object keys as rows carry them: storable already (toStorableJson; a replacer cannot rewrite a key) */
const key = awkward.map(toStorableText)
const nonFinite = fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, -0, 1e21, 0.1)
const maybe = <T>(arb: fc.Arbitrary<T>) => fc.oneof(fc.constant(null), fc.constant(undefined), arb)
const row = fc.record(
  {
    text: maybe(awkward),
    names: maybe(fc.array(fc.option(awkward, { nil: null }), { maxLength: 4 })),
    doc: maybe(fc.oneof(fc.jsonValue({ maxDepth: 3 }), fc.dictionary(key, awkward, { maxKeys: 3 }), awkward)),
    docb: maybe(fc.oneof(fc.jsonValue({ maxDepth: 3 }), fc.dictionary(key, fc.oneof(awkward, fc.bigInt()), { maxKeys: 3 }))),
    flag: maybe(fc.boolean()),
    small: maybe(fc.integer()),
    big: maybe(fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n })),
    real: maybe(fc.oneof(fc.double(), nonFinite)),
    amount: maybe(fc.oneof(fc.bigInt(), fc.double({ noNaN: true, noDefaultInfinity: true }), nonFinite)),
    amounts: maybe(fc.array(fc.oneof(fc.constant(null), fc.bigInt(), fc.integer(), nonFinite), { maxLength: 4 })),
  },
  { requiredKeys: [] },
) // a row may lack a column the first row has (NULL both ways)

/** every row of `table` as text, in id order (json and jsonb compared by their text) */
const read = (tx: RawTx, table: string) =>
  tx.$queryRawUnsafe<{ r: string }[]>(`SELECT t::text AS r FROM "${table}" t ORDER BY "id"`).then((rows) => rows.map((r) => r.r))

/** inserts `rows` into both tables (COPY counted, then JSON) in one transaction and reads both back */
async function bothWays(rows: Record<string, unknown>[], queued: boolean) {
  return writer.transaction(async (tx) => {
    await tx.$executeRawUnsafe('TRUNCATE "ByCopy", "ByJson"')
    expect(tx.$copyFrom).toBeDefined()
    const copy = tx.$copyFrom!.bind(tx)
    let copies = 0
    const counting: RawTx = { ...tx, $copyFrom: (sql, text) => (copies++, copy(sql, text)) }
    // as writeBatch calls it: statements queued, awaited together at the end
    const pending: Promise<unknown>[] = []
    await bulkInsert(counting, 'ByCopy', rows, queued ? { pending } : {})
    await Promise.all(pending)
    await bulkInsert({ ...tx, $copyFrom: undefined }, 'ByJson', rows)
    return { copies, byCopy: await read(tx, 'ByCopy'), byJson: await read(tx, 'ByJson') }
  })
}

it(`stores the same rows by COPY as by json_populate_recordset (seed ${SEED})`, async () => {
  console.log(`bulkInsertCopy seed ${SEED} (override with COPY_SEED)`)
  let copies = 0
  await fc.assert(
    fc.asyncProperty(fc.array(row, { minLength: 1, maxLength: 30 }), fc.boolean(), async (drafts, queued) => {
      const rows = drafts.map((d, i) => ({ id: BigInt(i), ...d }))
      const both = await bothWays(rows, queued)
      expect(both.copies).toBeGreaterThan(0)
      copies += both.copies
      expect(both.byCopy).toEqual(both.byJson)
      expect(both.byCopy.length).toBe(rows.length)
    }),
    { seed: SEED, numRuns: 150 },
  )
  expect(copies).toBeGreaterThanOrEqual(150)
}, 120_000)

it('cuts rows over a megabyte into several COPY statements, queued or awaited, and stores them all in order', async () => {
  const rows = Array.from({ length: 3_000 }, (_, i) => ({
    id: BigInt(i),
    text: `${'\\\t'.repeat(100)}${i}`,
    names: [`n${i}`, null],
    doc: { i, s: 'x'.repeat(200) },
  }))
  for (const queued of [false, true]) {
    const both = await bothWays(rows, queued)
    expect(both.copies).toBeGreaterThan(1)
    expect(both.byCopy).toEqual(both.byJson)
    expect(both.byCopy.length).toBe(rows.length)
  }
}, 60_000)

it('a refused COPY fails with the SQLSTATE the JSON statement gets, and the writer goes on', async () => {
  const rows = [
    { id: 1n, text: 'a' },
    { id: 1n, text: 'b' },
  ] // the same primary key twice: 23505 either way
  const refusal = async (viaCopy: boolean) =>
    writer
      .transaction(async (tx) => {
        await tx.$executeRawUnsafe('TRUNCATE "ByCopy"')
        await bulkInsert(viaCopy ? tx : { ...tx, $copyFrom: undefined }, 'ByCopy', rows)
      })
      .then(
        () => 'committed',
        (error: { code?: string }) => error.code,
      )
  expect(await refusal(true)).toBe('23505')
  expect(await refusal(false)).toBe('23505')
  expect((await bothWays([{ id: 7n, text: 'after' }], true)).byCopy).toEqual(['(7,after,,,,,,,,,)'])
})

it('a COPY held past its statement timeout by a lock fails with 57014, and the late answer of the server does not bring the process down', async () => {
  const impatient = pgRawWriter(database.url, { max: 1, statementTimeoutMs: 500 })
  const holder = new pg.Client({ connectionString: database.url })
  await holder.connect()
  try {
    await holder.query('BEGIN')
    await holder.query('LOCK TABLE "ByCopy" IN SHARE MODE') // as CREATE INDEX holds it: writes wait
    const failed = await impatient
      .transaction((tx) => bulkInsert(tx, 'ByCopy', [{ id: 99n, text: 'waits' }]))
      .then(
        () => 'committed',
        (error: { code?: string }) => error.code ?? String(error),
      )
    expect(failed).toBe('57014') // canceled by the server, which answers in step
    await holder.query('COMMIT') // the lock goes: a COPY the client had given up on would now be answered
    await new Promise((r) => setTimeout(r, 500))
    const both = await impatient.transaction(async (tx) => {
      await bulkInsert(tx, 'ByCopy', [{ id: 100n, text: 'goes on' }])
      return read(tx, 'ByCopy')
    })
    expect(both).toContain('(100,"goes on",,,,,,,,,)')
  } finally {
    await holder.end()
    await impatient.close()
  }
}, 30_000)
