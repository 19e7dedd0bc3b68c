/**
 * The errors a gateway limit answers with. Each is a `GraphQLError` with a stable `extensions.code` and an HTTP status
 * in `extensions.http` (yoga sends that status and strips `http` from the body), so a client, a proxy and a log can
 * tell "your query is too big" (4xx) from "we are busy" (503) from a bug (500).
 *
 * | code | HTTP | when | extensions |
 * |---|---|---|---|
 * | `QUERY_TOO_COMPLEX` | 400 | the cost model (complexity.ts) exceeds the budget, before execution | `complexity`, `maxComplexity` |
 * | `QUERY_TOO_DEEP` | 400 | selection depth above the limit | `maxDepth` |
 * | `TOO_MANY_ALIASES` / `TOO_MANY_TOKENS` / `TOO_MANY_DIRECTIVES` | 400 | graphql-armor's document limits | `limit` |
 * | `BAD_USER_INPUT` | 400 | `first`/`last` above the page cap, found before execution | `argument`, `maxPageSize` |
 * | `QUERY_TIMEOUT` | 504 | the request deadline or PostgreSQL `statement_timeout` (SQLSTATE 57014) | `timeoutMs` |
 * | `OVERLOADED` | 503 + `Retry-After` | every in-flight slot and queue place taken (loadShedding.ts) | `retryAfterSeconds` |
 * | `REQUEST_TOO_LARGE` | 413 | body above the request size cap (Content-Length) | `maxRequestBytes` |
 * | `LENGTH_REQUIRED` | 411 | a POST body without Content-Length (chunked) | `maxRequestBytes` |
 */
import { GraphQLError } from 'graphql'

/** Every code a limit answers with (the page cap is BAD_USER_INPUT, like any other bad argument). */
export const LIMIT_CODES: ReadonlySet<string> = new Set([
  'QUERY_TOO_COMPLEX',
  'QUERY_TOO_DEEP',
  'TOO_MANY_ALIASES',
  'TOO_MANY_TOKENS',
  'TOO_MANY_DIRECTIVES',
  'QUERY_TIMEOUT',
  'OVERLOADED',
  'REQUEST_TOO_LARGE',
  'LENGTH_REQUIRED',
])

/** `extensions` of a limit error: its code, the HTTP status yoga should send, and what the client needs to adapt. */
function limitExtensions(code: string, status: number, details: Record<string, unknown>, headers?: Record<string, string>) {
  return { ...details, code, http: { status, ...(headers && { headers }) } }
}

/** The query's cost (see complexity.ts) is above the budget; nothing was executed. */
export class QueryTooComplexError extends GraphQLError {
  constructor(complexity: number, maxComplexity: number) {
    super(
      `Query cost ${complexity} exceeds the limit of ${maxComplexity} (a list costs its selection times its page size: ask for smaller pages or fewer nested lists)`,
      {
        extensions: limitExtensions('QUERY_TOO_COMPLEX', 400, { complexity, maxComplexity }),
      },
    )
    this.name = 'QueryTooComplexError'
  }
}

/** The request ran past its deadline (or PostgreSQL cancelled its statement at `statement_timeout`). */
export class QueryTimeoutError extends GraphQLError {
  constructor(timeoutMs: number) {
    super(`Query did not finish within ${timeoutMs} ms and was cancelled`, { extensions: limitExtensions('QUERY_TIMEOUT', 504, { timeoutMs }) })
    this.name = 'QueryTimeoutError'
  }
}

/** Every in-flight slot and wait-queue place is taken: retry after `retryAfterSeconds`. */
export class OverloadedError extends GraphQLError {
  constructor(retryAfterSeconds: number) {
    super(`The gateway is at capacity; retry in ${retryAfterSeconds} s`, {
      extensions: limitExtensions('OVERLOADED', 503, { retryAfterSeconds }, { 'retry-after': String(retryAfterSeconds) }),
    })
    this.name = 'OverloadedError'
  }
}

/** graphql-armor limit → our code and the extension naming its limit. */
export const ARMOR_CODES = {
  maxDepth: 'QUERY_TOO_DEEP',
  maxAliases: 'TOO_MANY_ALIASES',
  maxTokens: 'TOO_MANY_TOKENS',
  maxDirectives: 'TOO_MANY_DIRECTIVES',
} as const

/**
 * graphql-armor `onReject` handler for one limit: gives the error armor is about to throw a code, the limit and HTTP
 * 400, and drops armor's misleading "Syntax Error: " prefix. (Armor throws the same instance right after its handlers.)
 */
export function codeArmorRejection(limit: keyof typeof ARMOR_CODES, n: number) {
  return (_context: unknown, error: GraphQLError): void => {
    error.message = error.message.replace(/^Syntax Error: /, '')
    Object.assign(error.extensions, limitExtensions(ARMOR_CODES[limit], 400, { limit: n }))
  }
}

/**
 * A GraphQL-shaped response for a request refused before yoga parsed it (overload, body size): `{ errors: [...] }`
 * with the error's status and headers.
 */
export function toErrorResponse(fetchAPI: { Response: typeof Response }, error: GraphQLError): Response {
  const { http, ...extensions } = error.extensions as { http: { status: number; headers?: Record<string, string> } }
  return new fetchAPI.Response(JSON.stringify({ errors: [{ message: error.message, extensions }] }), {
    status: http.status,
    headers: { 'content-type': 'application/json; charset=utf-8', ...http.headers },
  })
}

/** Refused: the body is above the request size cap (or its size is not declared). */
export function requestTooLarge(maxRequestBytes: number, declared: boolean): GraphQLError {
  return declared
    ? new GraphQLError(`Request body exceeds ${maxRequestBytes} bytes`, { extensions: limitExtensions('REQUEST_TOO_LARGE', 413, { maxRequestBytes }) })
    : new GraphQLError(`Send the request body with a Content-Length (at most ${maxRequestBytes} bytes)`, {
        extensions: limitExtensions('LENGTH_REQUIRED', 411, { maxRequestBytes }),
      })
}
