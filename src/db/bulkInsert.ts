/**
 * Bulk INSERT of many rows in one statement per ~1 MB of text (MAX_STATEMENT_SIZE).
 *
 * - On a node-postgres transaction (`tx.$copyFrom`, src/db/rawWriter.ts) a plain insert is `COPY … FROM STDIN` in
 *   PostgreSQL's text format. Measured on PG 15 here with 858 attestations of a backfill (1 MB of JSON): 20–33 ms
 *   against 38–59 ms for the JSON statement below, which spends most of the difference in `json_populate_recordset`;
 *   the backfill commits on one connection, in order, so the server's time per row is its critical path.
 * - Otherwise (PGlite through Prisma, which cannot send COPY data, and inserts with ON CONFLICT, which COPY has not)
 *   the rows travel as ONE JSON parameter and PostgreSQL expands them with `json_populate_recordset`. ~20× faster
 *   than Prisma `createMany` for 10,000 attestations (0.5 s vs 11 s): one bind parameter instead of rows × columns.
 *
 * Values: strings, numbers, bigints, booleans, null, Dates; JSON columns as nested values, array columns as flat
 * arrays. Column names are the Prisma field names (they are the SQL column names in this schema).
 *
 * Because every column travels inside one document, one string PostgreSQL cannot read (a NUL, a lone surrogate) in
 * ANY column fails the whole statement. Rows are expected storable already (`toStorable.ts`, applied
 * where rows are built, with reasons); as the last guard every string VALUE is passed through `toStorableText` here
 * too (object keys inside JSON columns cannot be rewritten by a replacer: they must come from `toStorableJson`).
 */
// lets the event loop run: a pipelined connection sends its next queued statement when the last one answers
import { setImmediate as yieldToLoop } from 'node:timers/promises'
import type { RawTx } from './rawWriter.js'
import { toStorableText } from './toStorable.js'

const IDENT = /^[A-Za-z][A-Za-z0-9_]*$/

/**
 * Text per statement, at most (about; characters of JSON, bytes of COPY data): a batch of thousands of rows goes as
 * several statements of this size in
 * the same transaction. Each statement's text lives three times at once (ours, Prisma's serialised parameters, their
 * parse) plus the driver's buffer, so one statement for a 5,000-attestation block held ~50 MB of transient strings:
 * bounding it bounds the commit's share of the indexer's peak memory.
 */
const MAX_STATEMENT_SIZE = 1_000_000

const replacer = (_k: string, v: unknown) => (typeof v === 'bigint' ? v.toString() : typeof v === 'string' ? toStorableText(v) : v)

/** `"key":` of each column name seen, made once (a batch writes the same few dozen names thousands of times) */
const keyPrefixes = new Map<string, string>()
const keyPrefix = (key: string) => {
  let prefix = keyPrefixes.get(key)
  if (prefix === undefined) {
    prefix = `${JSON.stringify(key)}:`
    if (keyPrefixes.size < 1_000) keyPrefixes.set(key, prefix)
  }
  return prefix
}

/**
 * In JSON text: a NUL or a UTF-16 surrogate written as an escape. `JSON.stringify` escapes a surrogate only when it
 * is lone (a pair is written as is), and PostgreSQL refuses both in text. A backslash written as `\\` before such
 * letters matches too: that only sends the value down the slow, exact path.
 */
const UNSTORABLE_ESCAPE = /\\u0000|\\ud[89a-f]/i

/**
 * A JSON column or a text array: `JSON.stringify` without a callback when that is already what the replacer would
 * give (no bigint inside, which makes it throw, and no unstorable text, which the escape test finds), else with it.
 * The values are built storable upstream (toStorableJson), so the fast path is the usual one; the backfill profile
 * had the replacer's per-value callback as a fifth of this file's time.
 */
function nestedJson(value: unknown): string | undefined {
  try {
    const text = JSON.stringify(value)
    if (text === undefined || !UNSTORABLE_ESCAPE.test(text)) return text
  } catch {} // a bigint: the replacer writes it as a decimal string
  return JSON.stringify(value, replacer)
}

/**
 * One row as `JSON.stringify(row, replacer)` gives it, with the top-level values (the columns: strings, numbers,
 * bigints, booleans, nulls — the bulk of a batch) written here instead of through the replacer callback, which the
 * backfill profile showed as a third of a commit's own CPU. Objects and arrays (JSON columns, text arrays) go
 * through {@link nestedJson}.
 */
function rowJson(row: Record<string, unknown>): string {
  let text = ''
  for (const key in row) {
    if (!Object.hasOwn(row, key)) continue
    const v = row[key]
    let value: string | undefined
    if (typeof v === 'string') value = JSON.stringify(toStorableText(v))
    else if (typeof v === 'bigint') value = `"${v}"`
    else if (v === null || typeof v === 'boolean' || typeof v === 'number') value = JSON.stringify(v)
    else value = nestedJson(v) // undefined (and functions) are left out, as JSON.stringify does
    if (value === undefined) continue
    text += text ? `,${keyPrefix(key)}${value}` : `${keyPrefix(key)}${value}`
  }
  return `{${text}}`
}

/**
 * The rows as JSON arrays of about `maxChars` characters each at most (a row is never split), in order, each made
 * when asked for (so a pipelined caller sends one while the next is being made). Each array's text is what
 * `JSON.stringify(thoseRows, replacer)` gives.
 */
export function* jsonChunks(rows: readonly Record<string, unknown>[], maxChars = MAX_STATEMENT_SIZE): Generator<string> {
  let current: string[] = []
  let size = 0
  for (const row of rows) {
    const json = rowJson(row)
    if (current.length && size + json.length > maxChars) {
      yield `[${current.join(',')}]`
      current = []
      size = 0
    }
    current.push(json)
    size += json.length + 1
  }
  if (current.length) yield `[${current.join(',')}]`
}

/** {@link jsonChunks}, all at once. */
export function toJsonChunks(rows: readonly Record<string, unknown>[], maxChars = MAX_STATEMENT_SIZE): string[] {
  return [...jsonChunks(rows, maxChars)]
}

/** How COPY's text format must write a column's values: as they are, as JSON, or as an array literal. */
type ColumnKind = 'scalar' | 'json' | 'array'

/** column name → kind, per table, read from the catalogue once per process (the tables' shapes are the migrations') */
const columnKindsByTable = new Map<string, Map<string, ColumnKind>>()

async function columnKinds(tx: RawTx, table: string): Promise<Map<string, ColumnKind>> {
  let kinds = columnKindsByTable.get(table)
  if (!kinds) {
    const rows = await tx.$queryRawUnsafe<{ name: string; type: string; category: string }[]>(
      `SELECT a.attname AS name, t.typname AS type, t.typcategory AS category FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid
       WHERE a.attrelid = $1::regclass AND a.attnum > 0 AND NOT a.attisdropped`,
      `"${table}"`,
    )
    kinds = new Map(rows.map((r) => [r.name, r.category === 'A' ? 'array' : r.type === 'json' || r.type === 'jsonb' ? 'json' : 'scalar']))
    columnKindsByTable.set(table, kinds)
  }
  return kinds
}

const COPY_SPECIAL = /[\\\n\r\t]/
const COPY_SPECIAL_ALL = /[\\\n\r\t]/g
const COPY_ESCAPES: Record<string, string> = { '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t' }
/** a field of COPY's text format: backslash, newline, carriage return and tab written as backslash escapes */
const copyField = (text: string) => (COPY_SPECIAL.test(text) ? text.replace(COPY_SPECIAL_ALL, (c) => COPY_ESCAPES[c]!) : text)

/**
 * An element of a one-dimensional array literal: double-quoted, with `"` and `\` escaped by a backslash; NULL for
 * null and for what JSON writes as null (NaN, the infinities). Nested arrays and objects are refused: no row has
 * them (the only array column written in bulk is `recipientsRaw`, hex strings).
 * @throws {TypeError} naming the column, for a nested array or an object
 */
function arrayElement(v: unknown, column: string): string {
  if (v === null || v === undefined || (typeof v === 'number' && !Number.isFinite(v))) return 'NULL'
  if (typeof v === 'object' && !(v instanceof Date)) throw new TypeError(`bulk insert: column ${column} holds an array with a nested array or object`)
  const text = v instanceof Date ? v.toISOString() : toStorableText(String(v))
  return `"${text.replace(/["\\]/g, '\\$&')}"`
}

/** One column value as a field of COPY's text format (`\N`: NULL), the same value json_populate_recordset reads from the row's JSON. */
function copyValue(v: unknown, kind: ColumnKind, column: string): string {
  if (v === null || v === undefined || (typeof v === 'number' && !Number.isFinite(v))) return '\\N' // JSON: null
  if (kind === 'json') {
    const json = nestedJson(v) // undefined for a function or a symbol, which JSON leaves out: NULL
    return json === undefined ? '\\N' : copyField(json)
  }
  if (kind === 'array') {
    if (!Array.isArray(v)) throw new TypeError(`bulk insert: column ${column} is an array column, not ${typeof v}`)
    return copyField(`{${Array.from(v, (e) => arrayElement(e, column)).join(',')}}`)
  }
  switch (typeof v) {
    case 'string':
      return copyField(toStorableText(v))
    case 'bigint':
    case 'number': // finite: the others are NULL above
      return String(v)
    case 'boolean':
      return v ? 'true' : 'false' // as JSON writes them (a boolean column reads either)
    default:
      if (v instanceof Date) return v.toISOString()
      throw new TypeError(`bulk insert: column ${column} holds a ${typeof v}, which a scalar column cannot take`)
  }
}

/** bytes a COPY chunk starts with; it doubles while a chunk grows to about MAX_STATEMENT_SIZE bytes */
const COPY_CHUNK_START_BYTES = 64 * 1024

/**
 * The rows as COPY text, UTF-8, in chunks of about `maxBytes` bytes (a chunk ends after the row that reaches it; a row
 * is never split), in order, each made when asked for: one line per row, its `columns` in order, tab-separated.
 *
 * Each row's line is written into the chunk's buffer as it is made (`Buffer#write`, UTF-8), not appended to one
 * string: the backfill profile had the chunk's string — thousands of concatenated pieces — flattened and encoded by
 * `Buffer.from` at 742 ms of 15.3 s of the indexer's busy CPU at 100,000 attestations, on the commit's path (one
 * write per field instead cost 160 ns a call, as much as it saved).
 * A chunk's buffer is never written again once yielded (the statement may still be queued).
 */
function* copyChunks(
  rows: readonly Record<string, unknown>[],
  columns: readonly { name: string; kind: ColumnKind }[],
  maxBytes = MAX_STATEMENT_SIZE,
): Generator<Buffer> {
  let buf = Buffer.allocUnsafe(Math.min(COPY_CHUNK_START_BYTES, maxBytes))
  let at = 0
  /** room for `bytes` more bytes at `at` */
  const reserve = (bytes: number) => {
    if (at + bytes <= buf.length) return
    const bigger = Buffer.allocUnsafe(Math.max(buf.length * 2, at + bytes))
    buf.copy(bigger, 0, 0, at)
    buf = bigger
  }
  for (const row of rows) {
    let line = ''
    for (let i = 0; i < columns.length; i++) {
      const { name, kind } = columns[i]!
      line += i ? `\t${copyValue(row[name], kind, name)}` : copyValue(row[name], kind, name)
    }
    line += '\n'
    // UTF-8 takes at most 3 bytes per UTF-16 code unit; only a line that might not fit is measured exactly (sizing by
    // the bound would triple the buffer a large ASCII row's chunk keeps until its statement has run)
    if (at + line.length * 3 > buf.length) reserve(Buffer.byteLength(line))
    at += buf.write(line, at)
    if (at >= maxBytes) {
      yield buf.subarray(0, at)
      buf = Buffer.allocUnsafe(Math.min(COPY_CHUNK_START_BYTES, maxBytes))
      at = 0
    }
  }
  if (at) yield buf.subarray(0, at)
}

/** Statements of a pipelined transaction queued behind the one running, at most, while the next chunk is made. */
const QUEUED_CHUNKS = 2

function columnList(table: string, rows: readonly Record<string, unknown>[]) {
  if (!IDENT.test(table)) throw new Error(`bad table name ${table}`)
  const columns = Object.keys(rows[0]!)
  for (const c of columns) if (!IDENT.test(c)) throw new Error(`bad column name ${c}`)
  return columns.map((c) => `"${c}"`).join(', ')
}

/**
 * Sends `chunks` in order, each by `send`. With `pending` (a pipelined transaction) they are only queued: the server
 * runs chunk k while chunk k+1 is made, and chunk k+2 is made only once chunk k has answered, so a range's text is
 * never all in memory at once (at most QUEUED_CHUNKS statements wait); each promise goes to `pending`.
 * @returns the sum of what `send` resolved to, or 0 when queued
 */
async function sendChunks<C extends string | Buffer>(
  chunks: Iterable<C>,
  send: (chunk: C) => Promise<number>,
  pending: Promise<unknown>[] | undefined,
): Promise<number> {
  let sum = 0
  for (const chunk of chunks) {
    if (!pending) {
      sum += await send(chunk)
      continue
    }
    const sent = send(chunk)
    sent.catch(() => {}) // awaited by the owner of `pending`
    pending.push(sent)
    const earlier = pending[pending.length - 1 - QUEUED_CHUNKS]
    await (earlier ? earlier.catch(() => {}) : yieldToLoop())
  }
  return sum
}

/**
 * Inserts `rows` into `table`: by COPY on a transaction that has `$copyFrom` (node-postgres), else, and always with
 * `onConflictDoNothing` (rows whose key exists are skipped), by the JSON statement (see the file's header). With
 * `pending` and a pipelined transaction (src/db/rawWriter.ts) the statements are only queued: each one's promise goes
 * to `pending`, for the caller to await before it commits, and this resolves (to 0) once the last is queued.
 * @returns the number of rows inserted (0 when queued).
 * @throws what the database throws; a TypeError naming the column for a value no column of its kind takes (COPY)
 */
export async function bulkInsert(
  tx: RawTx,
  table: string,
  rows: readonly Record<string, unknown>[],
  opts: { onConflictDoNothing?: boolean; pending?: Promise<unknown>[] } = {},
): Promise<number> {
  if (!rows.length) return 0
  const cols = columnList(table, rows)
  const pending = tx.pipelined ? opts.pending : undefined
  if (tx.$copyFrom && !opts.onConflictDoNothing) {
    const copyFrom = tx.$copyFrom.bind(tx)
    const kinds = await columnKinds(tx, table)
    const columns = Object.keys(rows[0]!).map((name) => {
      const kind = kinds.get(name)
      if (!kind) throw new Error(`bulk insert: table ${table} has no column ${name}`)
      return { name, kind }
    })
    const sql = `COPY "${table}" (${cols}) FROM STDIN`
    return sendChunks(copyChunks(rows, columns), (data) => forgetKindsOnError(copyFrom(sql, data), table), pending)
  }
  const sql = `INSERT INTO "${table}" (${cols}) SELECT ${cols} FROM json_populate_recordset(NULL::"${table}", $1::json)${opts.onConflictDoNothing ? ' ON CONFLICT DO NOTHING' : ''}`
  return sendChunks(jsonChunks(rows), (json) => tx.$executeRawUnsafe(sql, json), pending)
}

/** A failed COPY reads the table's column kinds again next time (a migration may have changed them meanwhile). */
const forgetKindsOnError = <T>(copying: Promise<T>, table: string): Promise<T> =>
  copying.catch((error: unknown) => {
    columnKindsByTable.delete(table)
    throw error
  })

/**
 * Inserts `rows` into `table` in array order (so a serial key is assigned in that order) and returns the
 * values of `returning` for each row, in the same order.
 */
export async function bulkInsertReturning<T extends string>(
  tx: RawTx,
  table: string,
  rows: readonly Record<string, unknown>[],
  returning: T,
): Promise<Record<T, unknown>[]> {
  if (!rows.length) return []
  if (!IDENT.test(returning)) throw new Error(`bad column name ${returning}`)
  const cols = columnList(table, rows)
  const sql = `INSERT INTO "${table}" (${cols}) SELECT ${cols} FROM json_populate_recordset(NULL::"${table}", $1::json) WITH ORDINALITY AS r ORDER BY r.ordinality RETURNING "${returning}"`
  const out: Record<T, unknown>[] = []
  for (const json of toJsonChunks(rows)) out.push(...(await tx.$queryRawUnsafe<Record<T, unknown>[]>(sql, json)))
  return out
}
