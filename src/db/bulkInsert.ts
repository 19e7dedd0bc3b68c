/**
 * Bulk INSERT of many rows in one statement: the rows travel as ONE JSON parameter and PostgreSQL expands them
 * with `json_populate_recordset` (same SQL on PostgreSQL and PGlite). Measured on PG 15 here: ~20× faster than
 * Prisma `createMany` for 10,000 attestations (0.5 s vs 11 s), because the statement has one bind parameter
 * instead of rows × columns.
 *
 * Values must be JSON-ready: bigint as decimal strings, Date as ISO strings, JSON columns as nested values,
 * arrays as arrays. Column names are the Prisma field names (they are the SQL column names in this schema).
 *
 * Because every column travels inside one JSON document, one string PostgreSQL cannot read (a NUL, a lone
 * surrogate) in ANY column fails the whole statement. Rows are expected storable already (`toStorable.ts`, applied
 * where rows are built, with reasons); as the last guard every string VALUE is passed through `toStorableText` here
 * too (object keys inside JSON columns cannot be rewritten by a replacer: they must come from `toStorableJson`).
 */
import type { PrismaClient } from '../generated/prisma/client.js'
import { toStorableText } from './toStorable.js'

type Tx = Pick<PrismaClient, '$executeRawUnsafe' | '$queryRawUnsafe'>

const IDENT = /^[A-Za-z][A-Za-z0-9_]*$/

function toJsonText(rows: readonly Record<string, unknown>[]): string {
  return JSON.stringify(rows, (_k, v) => (typeof v === 'bigint' ? v.toString() : typeof v === 'string' ? toStorableText(v) : v))
}

function columnList(table: string, rows: readonly Record<string, unknown>[]) {
  if (!IDENT.test(table)) throw new Error(`bad table name ${table}`)
  const columns = Object.keys(rows[0]!)
  for (const c of columns) if (!IDENT.test(c)) throw new Error(`bad column name ${c}`)
  return columns.map((c) => `"${c}"`).join(', ')
}

/**
 * Inserts `rows` into `table`. `onConflictDoNothing` skips rows whose key exists.
 * @returns the number of rows inserted.
 */
export async function bulkInsert(
  tx: Tx,
  table: string,
  rows: readonly Record<string, unknown>[],
  opts: { onConflictDoNothing?: boolean } = {},
): Promise<number> {
  if (!rows.length) return 0
  const cols = columnList(table, rows)
  const sql = `INSERT INTO "${table}" (${cols}) SELECT ${cols} FROM json_populate_recordset(NULL::"${table}", $1::json)${opts.onConflictDoNothing ? ' ON CONFLICT DO NOTHING' : ''}`
  return tx.$executeRawUnsafe(sql, toJsonText(rows))
}

/**
 * Inserts `rows` into `table` in array order (so a serial key is assigned in that order) and returns the
 * values of `returning` for each row, in the same order.
 */
export async function bulkInsertReturning<T extends string>(
  tx: Tx,
  table: string,
  rows: readonly Record<string, unknown>[],
  returning: T,
): Promise<Record<T, unknown>[]> {
  if (!rows.length) return []
  if (!IDENT.test(returning)) throw new Error(`bad column name ${returning}`)
  const cols = columnList(table, rows)
  const sql = `INSERT INTO "${table}" (${cols}) SELECT ${cols} FROM json_populate_recordset(NULL::"${table}", $1::json) WITH ORDINALITY AS r ORDER BY r.ordinality RETURNING "${returning}"`
  return tx.$queryRawUnsafe(sql, toJsonText(rows))
}
