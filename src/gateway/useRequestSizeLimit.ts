/**
 * Request size caps: a `/graphql` body above `maxRequestBytes` is refused from its `Content-Length` with HTTP 413
 * `REQUEST_TOO_LARGE` before a byte of it is read; a body whose size is not declared (HTTP chunked transfer encoding)
 * gets 411 `LENGTH_REQUIRED`, since its size is only known once it has been read. (Node's HTTP parser delivers exactly
 * `Content-Length` bytes as the body, so the declared size is the real one.) graphql-ws messages are capped by the
 * WebSocket server's `maxPayload` (close code 1009), see createGateway.ts.
 */
import type { Plugin } from 'graphql-yoga'
import { requestTooLarge, toErrorResponse } from './limitErrors.js'

/** Default cap of a request body and of a graphql-ws message, in bytes (1 MiB; env `MAX_REQUEST_BYTES`). */
export const MAX_REQUEST_BYTES = 1024 * 1024

/** The yoga plugin (put it before the load-shedding plugin: a refused body never takes a slot). */
export function useRequestSizeLimit(maxRequestBytes: number, graphqlEndpoint: string): Plugin {
  return {
    onRequest({ request, url, endResponse, fetchAPI }) {
      if (url.pathname !== graphqlEndpoint || request.method === 'GET' || request.method === 'HEAD') return
      const length = request.headers.get('content-length')
      if (length !== null) {
        if (!(Number(length) <= maxRequestBytes)) endResponse(toErrorResponse(fetchAPI, requestTooLarge(maxRequestBytes, true)))
      } else if (/chunked/i.test(request.headers.get('transfer-encoding') ?? '')) {
        endResponse(toErrorResponse(fetchAPI, requestTooLarge(maxRequestBytes, false)))
      }
    },
  }
}
