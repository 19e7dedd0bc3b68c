/**
 * The SignScan-compatible index API as a graphql-yoga plugin: it answers `/index…` (and `/api/index…`, SignScan's
 * own base path, so a partner may swap only the origin) before yoga's GraphQL handling, on the same server and
 * database. Read-only. Routes and shapes follow the official SDK's `IndexService` (`@ethsign/sp-sdk` 1.2.6):
 *
 * - `GET /index` — welcome text
 * - `GET /index/schemas?id&registrant&mode&chainId&page&size`, `GET /index/schemas/{id}`
 * - `GET /index/attestations?id&schemaId&attester|attestor&recipient&indexingValue&mode&chainId&page&size&parseOffChainData`,
 *   `GET /index/attestations/{id}?parseOffChainData`
 * - `GET /index/openapi.json` — the OpenAPI document (not enveloped)
 *
 * Every other answer is SignScan's envelope: `{ success: true, statusCode: 200, data, message: "ok" }`, or for a
 * failure a non-2xx status with `{ success: false, statusCode, code, message, data: null }` (RestError).
 * Requests take a slot of the gateway's in-flight bound (shared with /graphql: 503 OVERLOADED + Retry-After beyond
 * it) and have its deadline (504 QUERY_TIMEOUT).
 */
import type { Plugin } from 'graphql-yoga'
import { GraphQLError } from 'graphql'
import type { Logger } from '../common/logger.js'
import type { PrismaClient } from '../generated/prisma/client.js'
import type { InFlightLimiter } from '../gateway/loadShedding.js'
import { quoteInput } from '../gateway/ids.js'
import { isStatementTimeout } from '../gateway/useDeadline.js'
import { createOpenApiDocument } from './openApiDocument.js'
import { getAttestationInfo, getAttestationPage, getSchemaInfo, getSchemaPage } from './readIndex.js'
import { RestError } from './restError.js'
import { AttestationGetQuery, AttestationListQuery, parseRestId, parseRestQuery, SchemaListQuery } from './restParams.js'

export const SIGNSCAN_WELCOME = 'Welcome to the Sign Protocol index API (SignScan-compatible), served by sign-indexer'

export type UseSignScanRestParameters = {
  prisma: PrismaClient
  logger: Logger
  /** the gateway's in-flight bound (shared with /graphql): a request without a slot gets 503 OVERLOADED + Retry-After */
  limiter?: InFlightLimiter
  /** deadline of one request in ms (the gateway's queryTimeoutMs): then 504 QUERY_TIMEOUT; default none */
  timeoutMs?: number
}

const OWNED = /^(?:\/api)?\/index(?:\/|$)/
const ROUTE = /^(?:\/api)?\/index(?:\/(schemas|attestations|openapi\.json)(?:\/([^/]*))?)?\/?$/

/**
 * Creates the plugin. Put it early in yoga's plugin list: it ends the request for every path it owns.
 * @returns a yoga plugin; unexpected failures are logged and answered 500 INTERNAL_SERVER_ERROR (message masked)
 */
export function useSignScanRest(params: UseSignScanRestParameters): Plugin {
  const { prisma, logger, limiter, timeoutMs } = params
  let openApi: string | undefined
  return {
    async onRequest({ request, url, endResponse, fetchAPI }) {
      if (!OWNED.test(url.pathname)) return
      const send = (status: number, body: unknown, headers: Record<string, string> = {}) =>
        endResponse(
          new fetchAPI.Response(request.method === 'HEAD' ? null : JSON.stringify(body), {
            status,
            headers: { 'content-type': 'application/json; charset=utf-8', ...(status === 405 ? { allow: 'GET, HEAD' } : {}), ...headers },
          }),
        )
      const release = limiter ? await limiter.acquire() : () => {}
      if (!release) {
        const retryAfter = String(limiter!.retryAfterSeconds)
        return send(
          503,
          {
            success: false,
            statusCode: 503,
            code: 'OVERLOADED',
            message: `The gateway is overloaded; retry after ${retryAfter} s`,
            data: null,
            extensions: { retryAfterSeconds: limiter!.retryAfterSeconds },
          },
          { 'retry-after': retryAfter },
        )
      }
      try {
        const match = ROUTE.exec(url.pathname)
        if (!match) throw new RestError(404, 'NOT_FOUND', `No route ${quoteInput(url.pathname)}`)
        if (request.method !== 'GET' && request.method !== 'HEAD')
          throw new RestError(405, 'METHOD_NOT_ALLOWED', `${request.method} is not allowed; the index API is read-only (GET)`)
        const [, collection, rawId] = match
        if (collection === 'openapi.json') {
          if (rawId !== undefined) throw new RestError(404, 'NOT_FOUND', `No route ${quoteInput(url.pathname)}`)
          openApi ??= JSON.stringify(createOpenApiDocument())
          return endResponse(
            new fetchAPI.Response(request.method === 'HEAD' ? null : openApi, { status: 200, headers: { 'content-type': 'application/json; charset=utf-8' } }),
          )
        }
        const data = await withDeadline(route(prisma, collection, rawId, url.searchParams), timeoutMs)
        return send(200, { success: true, statusCode: 200, data, message: 'ok' })
      } catch (error) {
        const failure = toRestError(error, timeoutMs)
        if (failure.status >= 500 && failure.status !== 504) logger.error({ error, path: url.pathname }, 'Index API request failed')
        return send(failure.status, {
          success: false,
          statusCode: failure.status,
          code: failure.code,
          message: failure.shortMessage,
          data: null,
          extensions: failure.extensions,
        })
      } finally {
        release()
      }
    },
  }
}

/** Dispatches a matched route to its read. */
async function route(prisma: PrismaClient, collection: string | undefined, rawId: string | undefined, search: URLSearchParams): Promise<unknown> {
  if (collection === undefined) return SIGNSCAN_WELCOME
  if (rawId === undefined || rawId === '') {
    return collection === 'schemas'
      ? getSchemaPage(prisma, parseRestQuery(SchemaListQuery, search))
      : getAttestationPage(prisma, parseRestQuery(AttestationListQuery, search))
  }
  const text = decodePathSegment(rawId)
  const id = parseRestId(text, 'id')
  if (collection === 'schemas') {
    const schema = await getSchemaInfo(prisma, id)
    if (!schema) throw new RestError(404, 'NOT_FOUND', `No schema ${quoteInput(text)}`)
    return schema
  }
  parseRestQuery(AttestationGetQuery, search)
  const attestation = await getAttestationInfo(prisma, id)
  if (!attestation) throw new RestError(404, 'NOT_FOUND', `No attestation ${quoteInput(text)}`)
  return attestation
}

function decodePathSegment(raw: string): string {
  try {
    return decodeURIComponent(raw)
  } catch {
    throw new RestError(400, 'BAD_USER_INPUT', `Invalid id ${quoteInput(raw)}: not a valid percent-encoded path segment`)
  }
}

/** `work`, or a 504 QUERY_TIMEOUT once `timeoutMs` passed (PostgreSQL's statement_timeout ends the statements). */
async function withDeadline<T>(work: Promise<T>, timeoutMs: number | undefined): Promise<T> {
  if (!timeoutMs) return work
  let timer: NodeJS.Timeout | undefined
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(queryTimeout(timeoutMs)), timeoutMs)
  })
  try {
    return await Promise.race([work, expired])
  } finally {
    clearTimeout(timer)
  }
}

const queryTimeout = (timeoutMs: number | undefined) =>
  new RestError(504, 'QUERY_TIMEOUT', `The request ran past its deadline of ${timeoutMs ?? 'the statement timeout'} ms`, { timeoutMs })

/**
 * Our typed failures pass; a GraphQL BAD_USER_INPUT from a shared parser becomes 400; PostgreSQL's statement_timeout
 * (SQLSTATE 57014) becomes 504 QUERY_TIMEOUT; anything else is masked as 500.
 */
function toRestError(error: unknown, timeoutMs: number | undefined): RestError {
  if (error instanceof RestError) return error
  if (error instanceof GraphQLError && error.extensions?.code === 'BAD_USER_INPUT') return new RestError(400, 'BAD_USER_INPUT', error.message)
  if (isStatementTimeout(error)) return queryTimeout(timeoutMs)
  return new RestError(500, 'INTERNAL_SERVER_ERROR', 'Unexpected error')
}
