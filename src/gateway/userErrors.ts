/**
 * Which failures are the client's, and how they are logged. A user error (anything that reaches the client with a
 * known `extensions.code`) is logged at info with its code only — never its message, which may quote the input (a
 * 2 MiB cursor) — and an unexpected error at error level with its message and stack cut to a few KB.
 *
 * The database is the last judge of a value: a read that PostgreSQL refuses for a value the request carried
 * (SQLSTATE class 22, "data exception": 22003 a number out of range, 22021 NUL in text, 22P02 a malformed literal)
 * is the client's input, not a server fault. The parsers (ids.ts, attestationWhere.ts, …) answer those values
 * precisely; this is the net behind them for any path they miss.
 */
import { type ExecutionResult, GraphQLError } from 'graphql'
import type { Plugin } from 'graphql-yoga'
import { PothosValidationError } from '@pothos/core'
import type { Logger } from '../common/logger.js'
import { getSqlState } from '../db/getSqlState.js'

/** Characters of an unexpected error's message (and 4× that of its stack) that reach the log. */
const MAX_LOGGED_MESSAGE_CHARS = 1_000

/** Codes our own errors and yoga's/graphql-armor's request errors carry; anything else is unexpected. */
const INTERNAL = new Set(['INTERNAL_SERVER_ERROR'])

/**
 * The PostgreSQL SQLSTATE behind an error, wherever the driver put it (Prisma's `originalCode`, node-postgres' `code`
 * for the direct reads of src/db/directReads.ts), GraphQL's `originalError` unwrapped: src/db/getSqlState.ts.
 * @returns the five-character SQLSTATE, or undefined when the error did not come from the database
 */
export function findSqlState(error: unknown): string | undefined {
  return getSqlState(error)?.sqlState
}

/**
 * @returns a BAD_USER_INPUT error (at the same location) when the database refused a value of the request
 *   (SQLSTATE class 22), else undefined
 */
export function toDatabaseInputError(error: unknown): GraphQLError | undefined {
  const sqlState = findSqlState(error)
  if (!sqlState?.startsWith('22')) return undefined
  const located = error instanceof GraphQLError ? error : undefined
  return new GraphQLError('A value in the request cannot be compared with stored data (out of range or not storable text)', {
    nodes: located?.nodes,
    source: located?.source,
    positions: located?.positions,
    path: located?.path,
    extensions: { code: 'BAD_USER_INPUT', sqlState },
  })
}

/**
 * The `extensions.code` a client receives for `error`, when it is a user error.
 * @returns the code, or undefined for an unexpected error (masked as INTERNAL_SERVER_ERROR)
 */
export function getUserErrorCode(error: unknown): string | undefined {
  const original = error instanceof GraphQLError ? error.originalError : undefined
  if (error instanceof PothosValidationError || original instanceof PothosValidationError) return 'BAD_USER_INPUT'
  if (toDatabaseInputError(error)) return 'BAD_USER_INPUT'
  for (const candidate of [error, original]) {
    const code = candidate instanceof GraphQLError ? candidate.extensions?.code : undefined
    if (typeof code === 'string' && !INTERNAL.has(code)) return code
  }
  return undefined
}

/**
 * Yoga `logging.error`: unexpected errors at error level (message and stack cut); user errors are left to the
 * info line useCodedRequestErrors writes from the result (one line per error, code and path, never the input).
 * @param args what yoga logs: usually the one error it masked
 */
export function logGatewayError(logger: Logger, args: unknown[]): void {
  const [error] = args
  const code = getUserErrorCode(error)
  const path = error instanceof GraphQLError ? error.path?.join('.') : undefined
  // a user error reaches the client with its code, and useCodedRequestErrors logs it from the result: once, at info
  if (code) return
  if (error instanceof Error) {
    const cause = error instanceof GraphQLError && error.originalError ? error.originalError : error
    logger.error(
      {
        path,
        error: {
          type: cause.name,
          message: cause.message.slice(0, MAX_LOGGED_MESSAGE_CHARS),
          stack: cause.stack?.slice(0, 4 * MAX_LOGGED_MESSAGE_CHARS),
          sql_state: findSqlState(error),
        },
      },
      'GraphQL error',
    )
    return
  }
  logger.error({ error: String(error).slice(0, MAX_LOGGED_MESSAGE_CHARS) }, 'GraphQL error')
}

/**
 * Yoga plugin: request-level errors that graphql-js returns without a code — a variable that does not coerce (an
 * unknown enum value, a string for an Int), an unknown operation name — get `BAD_USER_INPUT`, for queries and
 * subscriptions alike. Errors with a path (from resolvers) are left to the masking. With `logger`, every user error of
 * the result (a known `extensions.code`) is one info line, `GraphQL request refused`, with code and path, never the
 * input (the one place user errors are logged).
 */
export function useCodedRequestErrors(logger?: Logger): Plugin {
  const withCode = ({ result, setResult }: { result: unknown; setResult: (r: ExecutionResult) => void }) => {
    if (!isExecutionResult(result) || !result.errors?.length) return
    const errors = result.errors.some(needsCode) ? result.errors.map((e) => (needsCode(e) ? withBadUserInput(e) : e)) : result.errors
    if (errors !== result.errors) setResult({ ...result, errors })
    // user errors a resolver threw (yoga logs only what it masks): one info line each, code and path, never the input
    for (const e of errors) {
      const code = e.extensions?.code
      if (logger && typeof code === 'string' && !INTERNAL.has(code)) {
        logger.info({ code, path: e.path?.join('.'), sql_state: e.extensions?.sqlState }, 'GraphQL request refused')
      }
    }
  }
  return {
    onExecute: () => ({ onExecuteDone: withCode as never }),
    onSubscribe: () => ({ onSubscribeResult: withCode as never }),
  }
}

function isExecutionResult(value: unknown): value is ExecutionResult {
  return typeof value === 'object' && value !== null && !(Symbol.asyncIterator in value) && 'errors' in value
}

function needsCode(error: GraphQLError): boolean {
  return !error.path && typeof error.extensions?.code !== 'string'
}

function withBadUserInput(error: GraphQLError): GraphQLError {
  return new GraphQLError(error.message, {
    nodes: error.nodes,
    source: error.source,
    positions: error.positions,
    originalError: error.originalError,
    extensions: { ...error.extensions, code: 'BAD_USER_INPUT' },
  })
}
