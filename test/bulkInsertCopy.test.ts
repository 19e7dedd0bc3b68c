/**
 * bulkInsert's two ways into PostgreSQL store the same values: COPY's text format (a node-postgres transaction,
 * what the backfill commits through) and the JSON parameter expanded by json_populate_recordset (PGlite, and inserts
 * with ON CONFLICT). Random rows (seeded, printed) with the characters COPY's format escapes (backslash, tab, newline,
 * carriage return), the ones an array literal quotes (`"`, `,`, `{`, `}`, spaces, the words NULL and `\N`), text
 * PostgreSQL cannot store (NUL, lone surrogates; in JSON object keys only as rows carry them, made storable), bigints, doubles, booleans, nulls, text arrays with null elements and
 * JSON of any shape go into two tables of the same columns, one each way, and must read back identical.
 */
import fc from 'fast-check'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { bulkInsert } from '../src/db/bulkInsert.js'
import { pgRawWriter, type RawTx, type RawWriter } from '../src/db/rawWriter.js'
import { toStorableText } from '../src/db/toStorable.js'
import { createTestDatabase, type TestDatabase } from './helpers/database.js'

const SEED = Number(process.env.COPY_SEED ?? 20261207)
const COLUMNS = `"id" bigint PRIMARY KEY, "text" text, "names" text[], "doc" json, "docb" jsonb, "flag" boolean, "small" integer, "big" bigint, "real" text`

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
const maybe = <T>(arb: fc.Arbitrary<T>) => fc.oneof(fc.constant(null), fc.constant(undefined), arb)
const row = fc.record({
  text: maybe(awkward),
  names: maybe(fc.array(fc.option(awkward, { nil: null }), { maxLength: 4 })),
  doc: maybe(fc.oneof(fc.jsonValue({ maxDepth: 3 }), fc.dictionary(key, awkward, { maxKeys: 3 }), awkward)),
  docb: maybe(fc.oneof(fc.jsonValue({ maxDepth: 3 }), fc.dictionary(key, fc.oneof(awkward, fc.bigInt()), { maxKeys: 3 }))),
  flag: maybe(fc.boolean()),
  small: maybe(fc.integer()),
  big: maybe(fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n })),
  real: maybe(fc.oneof(fc.double(), fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, -0, 1e21, 0.1))),
})

/** every row of `table` as text, in id order (json and jsonb compared by their text) */
const read = (tx: RawTx, table: string) =>
  tx.$queryRawUnsafe<{ r: string }[]>(`SELECT t::text AS r FROM "${table}" t ORDER BY "id"`).then((rows) => rows.map((r) => r.r))

it(`stores the same rows by COPY as by json_populate_recordset (seed ${SEED})`, async () => {
  console.log(`bulkInsertCopy seed ${SEED} (override with COPY_SEED)`)
  let copies = 0
  await fc.assert(
    fc.asyncProperty(fc.array(row, { minLength: 1, maxLength: 30 }), async (drafts) => {
      // the JSON document and the COPY text are made from the rows as they are: their first row gives the columns
      const rows = drafts.map((d, i) => ({ id: BigInt(i), ...d }))
      const [byCopy, byJson] = await writer.transaction(async (tx) => {
        await tx.$executeRawUnsafe('TRUNCATE "ByCopy", "ByJson"')
        expect(tx.$copyFrom).toBeDefined()
        const copy = tx.$copyFrom!.bind(tx)
        let copied = 0
        const counting: RawTx = { ...tx, $copyFrom: (sql, text) => (copied++, copy(sql, text)) }
        await bulkInsert(counting, 'ByCopy', rows)
        expect(copied).toBeGreaterThan(0)
        copies += copied
        await bulkInsert({ ...tx, $copyFrom: undefined }, 'ByJson', rows)
        return [await read(tx, 'ByCopy'), await read(tx, 'ByJson')]
      })
      expect(byCopy).toEqual(byJson)
      expect(byCopy.length).toBe(rows.length)
    }),
    { seed: SEED, numRuns: 150 },
  )
  expect(copies).toBeGreaterThanOrEqual(150)
}, 120_000)
