/**
 * The PostgreSQL SQLSTATE behind an error from Prisma 7 with a driver adapter, and whether retrying can help.
 *
 * Where the code sits (seen with `@prisma/adapter-pg` 7.10 on PG 15 and `pglite-prisma-adapter` 0.7 alike): Prisma
 * throws a `PrismaClientKnownRequestError` (P2010 for raw queries, P20xx for model queries) whose
 * `meta.driverAdapterError.cause` is `{ originalCode: '22P05', originalMessage, kind, code?, detail? }`; the project
 * wraps that in a `DatabaseError` (`cause`). A bare `pg` error carries `code` and `severity`.
 */

export type SqlStateError = { sqlState: string; message: string }

const SQLSTATE = /^[0-9A-Z]{5}$/

/**
 * Walks `error`, its `cause` chain, Prisma's `meta.driverAdapterError` and GraphQL's `originalError` (breadth first,
 * at most 20 objects).
 * @returns the first SQLSTATE found with the server's message (and detail), or null (e.g. a connection refused
 *   before any query, a JS error).
 */
export function getSqlState(error: unknown): SqlStateError | null {
  const queue: unknown[] = [error]
  for (let seen = 0; queue.length && seen < 20; seen++) {
    const e = queue.shift()
    if (!e || typeof e !== 'object') continue
    const o = e as Record<string, unknown>
    const code =
      typeof o.originalCode === 'string'
        ? o.originalCode
        : typeof o.code === 'string' && (o.kind === 'postgres' || typeof o.severity === 'string')
          ? o.code
          : null
    if (code && SQLSTATE.test(code)) {
      const message = String(o.originalMessage ?? o.message ?? '')
      return { sqlState: code, message: typeof o.detail === 'string' && o.detail ? `${message} (${o.detail})` : message }
    }
    queue.push(o.cause, (o.meta as Record<string, unknown> | undefined)?.driverAdapterError, o.originalError)
  }
  return null
}

/**
 * SQLSTATE classes that a given statement hits again on every retry, because of the values it carries:
 * 22 data exception (bad text/JSON, out-of-range numbers), 23 integrity constraint violation (a duplicate key),
 * 54 program limit exceeded (index row too big, stack depth). Connection (08), resource (53), operator (57),
 * transaction-rollback (40) and every other class stay retryable. Source: PostgreSQL docs, Appendix A.
 */
const DATA_CLASSES = new Set(['22', '23', '54'])

/** @returns whether `error` is a database refusal of the values themselves (retrying the same rows cannot help). */
export function isDataError(error: unknown): boolean {
  const state = getSqlState(error)
  return state !== null && DATA_CLASSES.has(state.sqlState.slice(0, 2))
}
