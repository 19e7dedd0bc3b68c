/**
 * The gateway's hot reads (`attestation(id)`, attestation pages, lineage pages, `linkedBy` pages: the row and its
 * recipients) sent on the same node-postgres pool as Prisma's adapter, without Prisma's raw-query path.
 *
 * Why: the statements are ours already (`Prisma.sql`, one per page, src/gateway/attestationRows.ts); Prisma only
 * carried them. A 50-row page with every column and its recipients at 1,000,000 attestations, 3,000 calls four in
 * flight, CPU of the calling process: `prisma.$queryRaw` 951–1,006 µs per call, the same statement by name on a
 * node-postgres pool 363–615 µs (Prisma re-types every value of a raw result by its column type and serialises the
 * parameters). Through the gateway (`npm run bench:queries`, 1,000,000 rows, c=50, before/after alternated twice in one
 * run): `attestation(id)` 1,010 / 715 → 1,173 / 2,232 req/s, 50-item pages 425–593 → 745–1,027, 10 ancestors
 * 892 / 942 → 1,131 / 1,860.
 *
 * The rows keep Prisma's shapes for `$queryRaw`: `bigint` for int8, `Prisma.Decimal` for numeric, parsed JSON for
 * json/jsonb, arrays for text[]; a node-postgres error reaches the caller as it is (`getSqlState` reads its SQLSTATE,
 * e.g. 57014 for `statement_timeout`). The parsers cover the types these reads select (int4, int8, numeric, bool,
 * text, text[], json, jsonb): int8[], numeric[], date/timestamp and bytea would come back as node-postgres gives them,
 * not as Prisma does, so a statement selecting those belongs on Prisma. Statements are named by Prisma's generator
 * (./statementNames.ts, names prefixed `r` here), so each is parsed and planned once per connection and the pool's
 * bound on named texts holds for both paths. PGlite has no pool: there the reads stay on Prisma.
 */
import pg from 'pg'
import { Prisma, type PrismaClient } from '../generated/prisma/client.js'

/** Sends one statement (`$1`… placeholders) with its values; resolves with its rows. */
export type DirectReader = <T>(text: string, values: unknown[]) => Promise<T[]>

/** Readers by the Prisma client whose pool they share (createDb registers one per PostgreSQL client). */
const readers = new WeakMap<PrismaClient, DirectReader>()

/** OIDs node-postgres returns as text by default, parsed into Prisma's types (pg_type.oid: int8 20, numeric 1700). */
const INT8 = 20
const NUMERIC = 1700
const TYPES = {
  getTypeParser: (oid: number, format?: 'text' | 'binary') => {
    if (oid === INT8) return (value: string) => BigInt(value)
    if (oid === NUMERIC) return (value: string) => new Prisma.Decimal(value)
    return pg.types.getTypeParser(oid, format)
  },
}

export type CreateDirectReaderParameters = {
  /** the pool Prisma's adapter uses (so the same connections, `statement_timeout` and pool size) */
  pool: pg.Pool
  /**
   * the statement-name generator Prisma's adapter uses (./statementNames.ts), so the pool's bound on named texts
   * holds for both; absent: nothing is named (a pooler that cannot keep prepared statements)
   */
  statementNames?: (query: { sql: string }) => string | undefined
  /** called after each read, as Prisma's `query` event is (tests capture the SQL with it) */
  onQuery?: (e: { query: string; durationMs: number; params: string }) => void
}

/**
 * A reader sending statements on `pool`.
 * @returns `(text, values) => rows`; rejects with node-postgres' error (connection refused, SQLSTATE errors)
 */
export function createDirectReader(params: CreateDirectReaderParameters): DirectReader {
  const { pool, statementNames, onQuery } = params
  return async <T>(text: string, values: unknown[]): Promise<T[]> => {
    const name = statementNames?.({ sql: text })
    const started = performance.now()
    const result = await pool.query<T & pg.QueryResultRow>({ text, values, ...(name && { name: `r${name}` }), types: TYPES })
    onQuery?.({ query: text, durationMs: performance.now() - started, params: JSON.stringify(values) })
    return result.rows
  }
}

/** Makes `queryRows(prisma, …)` use `reader` (createDb, PostgreSQL only). */
export function registerDirectReader(prisma: PrismaClient, reader: DirectReader): void {
  readers.set(prisma, reader)
}

/**
 * Runs a statement built with `Prisma.sql` (the gateway's hot reads, see the module comment): on PostgreSQL by the
 * client's direct reader, on PGlite (or a client createDb did not make) by `prisma.$queryRaw`. Same row shapes either
 * way.
 * @throws the driver's or Prisma's error for the statement
 */
export function queryRows<T>(prisma: PrismaClient, sql: Prisma.Sql): Promise<T[]> {
  const reader = readers.get(prisma)
  return reader ? reader<T>(sql.text, sql.values as unknown[]) : prisma.$queryRaw<T[]>(sql)
}

/**
 * {@link queryRows} for a statement written as text with `$1`… placeholders (`prisma.$queryRawUnsafe`'s form). The
 * values are sent as node-postgres sends them (numbers and strings as text, arrays as array literals), so each
 * placeholder's type comes from its context or a cast in the text.
 * @throws the driver's or Prisma's error for the statement
 */
export function queryRowsUnsafe<T>(prisma: PrismaClient, text: string, ...values: unknown[]): Promise<T[]> {
  const reader = readers.get(prisma)
  return reader ? reader<T>(text, values) : prisma.$queryRawUnsafe<T[]>(text, ...values)
}
