import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { bulkInsert, toJsonChunks } from './bulkInsert.js'
import { toStorableText } from './toStorable.js'

/** the JSON text bulkInsert sends as its one parameter */
async function sent(rows: Record<string, unknown>[]): Promise<string> {
  let param = ''
  const tx = {
    $executeRawUnsafe: async (_sql: string, json: string) => {
      param = json
      return rows.length
    },
    $queryRawUnsafe: async () => [],
  }
  await bulkInsert(tx as never, 'T', rows)
  return param
}

describe('bulkInsert', () => {
  it('cuts many rows into statements of about maxChars of JSON each, in order, no row split', () => {
    const rows = Array.from({ length: 100 }, (_, i) => ({ id: BigInt(i), text: 'x'.repeat(i % 7) }))
    const chunks = toJsonChunks(rows, 200)
    expect(chunks.length).toBeGreaterThan(10)
    expect(chunks.flatMap((c) => JSON.parse(c))).toEqual(rows.map((r) => ({ id: String(r.id), text: r.text })))
    for (const c of chunks) expect(c.length <= 202 || JSON.parse(c).length === 1).toBe(true)
  })

  it('sends the text JSON.stringify gives with bigints as decimal strings and every string made storable', async () => {
    const replacer = (_k: string, v: unknown) => (typeof v === 'bigint' ? v.toString() : typeof v === 'string' ? toStorableText(v) : v)
    const value = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 8 }),
      fc.bigInt(),
      fc.double(),
      fc.integer(),
      fc.boolean(),
      fc.constant(null),
      fc.constant(undefined),
      fc.array(fc.string({ unit: 'binary', maxLength: 4 }), { maxLength: 3 }),
      fc.jsonValue({ maxDepth: 3 }),
      fc.constant({ n: 1n, s: 'a\u0000b', nested: [2n, '\ud800'] }),
      fc.constant({ s: 'a\u0000b', nested: ['\udc00x', 'y\ud83d'] }),
      fc.constant(['\ud800', 'ok']),
      // JSON columns: nested text that is storable or not (the fast path without the replacer must give the same
      // text), bigints deep inside, and text that only looks like an escape
      fc.dictionary(
        fc.string({ unit: 'binary', maxLength: 3 }),
        fc.oneof(
          fc.string({ unit: 'binary', maxLength: 4 }),
          fc.bigInt(),
          fc.constant('\\ud800 \\u0000'),
          fc.array(fc.string({ unit: 'binary', maxLength: 3 })),
        ),
        { maxKeys: 3 },
      ),
      fc.date({ noInvalidDate: true }),
    )
    await fc.assert(
      fc.asyncProperty(fc.array(fc.dictionary(fc.constantFrom('a', 'b', 'c', 'd', 'e'), value), { minLength: 1, maxLength: 5 }), async (rows) => {
        const filled = rows.map((r) => ({ a: 1, ...r })) // every row has a column (the first row names them)
        expect(await sent(filled)).toBe(JSON.stringify(filled, replacer))
      }),
      { seed: 99, numRuns: 500 },
    )
  })
})
