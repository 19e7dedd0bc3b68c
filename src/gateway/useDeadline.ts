/**
 * Per-request deadline: a query or mutation that has not finished within `timeoutMs` is answered with
 * `QUERY_TIMEOUT` (HTTP 504) and its execution is aborted (the executor's `signal`: no further resolvers start).
 * Statements already sent to PostgreSQL are ended there by the gateway pool's `statement_timeout` (createDb
 * `statementTimeoutMs`), which Prisma reports as SQLSTATE 57014 and {@link isStatementTimeout} recognises. PGlite
 * has no such timer: there the deadline answers the client and the statement runs to its end.
 * Subscriptions have no deadline (they are meant to last); each event's execution is bounded by its page sizes.
 */
import { GraphQLError } from 'graphql'
import type { Plugin } from 'graphql-yoga'
import { getSqlState } from '../db/getSqlState.js'
import { QueryTimeoutError } from './limitErrors.js'

/** Default request deadline in ms (config `limits.queryTimeoutMs`, env `QUERY_TIMEOUT`). */
export const QUERY_TIMEOUT_MS = 10_000

/**
 * @returns whether `error` (a resolver's error as GraphQL located it, or the error itself, with its cause chain) is
 *   PostgreSQL's "canceling statement due to statement timeout" (SQLSTATE 57014)
 */
export function isStatementTimeout(error: unknown): boolean {
  const original = error instanceof GraphQLError && error.originalError ? error.originalError : error
  return getSqlState(original)?.sqlState === '57014'
}

/**
 * The deadline plugin.
 * @param timeoutMs deadline of one execution, in ms (> 0)
 */
export function useDeadline(timeoutMs: number): Plugin {
  return {
    onExecute({ executeFn, setExecuteFn }) {
      // yoga's executor (@graphql-tools/executor) honours `signal`: aborted, it starts no further resolvers
      setExecuteFn(async (execArgs) => {
        const args = execArgs as typeof execArgs & { signal?: AbortSignal }
        const controller = new AbortController()
        const signal = args.signal ? AbortSignal.any([args.signal, controller.signal]) : controller.signal
        let timer: NodeJS.Timeout | undefined
        const expired = new Promise<{ errors: QueryTimeoutError[] }>((resolve) => {
          timer = setTimeout(() => {
            const error = new QueryTimeoutError(timeoutMs)
            controller.abort(error)
            resolve({ errors: [error] })
          }, timeoutMs)
        })
        try {
          return await Promise.race([executeFn({ ...args, signal } as typeof execArgs), expired])
        } finally {
          clearTimeout(timer)
        }
      })
    },
  }
}
