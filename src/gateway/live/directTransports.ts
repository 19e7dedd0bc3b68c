/**
 * Direct delivery of live subscriptions: SSE and graphql-ws frames written from a subscriber's queue without a
 * promise, a stringify or an encode per subscriber per event.
 *
 * Why: with thousands of identical subscriptions (explorers following the live stream) one event becomes thousands
 * of deliveries. Through yoga's SSE processor each delivery walked envelop's result mapper, a WHATWG ReadableStream
 * bridged into a Node stream, two TextEncoder calls and a JSON.stringify; graphql-ws stringified every message.
 * bench:subscribers (N = 10,000) spent a third of the gateway's CPU in garbage collection on that path.
 *
 * Here each shared result is serialized once per transport (errors masked with the gateway's `maskError`, as yoga
 * would) and every subscriber gets those bytes:
 * - SSE: a Node `Readable` response body fed by `DirectSubscription.drain()`: everything queued since the last
 *   wake is pushed as one chunk (`event: next\ndata: <json>\n\n` per result, exactly yoga's framing, then
 *   `event: complete`). When the socket pushes back (`push` returns false) draining stops, results wait in the
 *   subscriber's bounded queue, and a subscriber that stays behind overflows there (SUBSCRIPTION_OVERFLOW).
 *   A comment ping (`:\n\n`) goes out first and every 12 s, as yoga does.
 * - graphql-ws: the operation's iterator yields nothing; each result is sent on the WebSocket as
 *   `{"id":…,"type":"next","payload":<json>}` (the protocol's Next message) and the iterator ends when the
 *   subscription does, so graphql-ws sends `complete` after the last result. While the socket's `bufferedAmount`
 *   is above 16 KiB (as a Node stream would), draining waits (re-checked every 50 ms): the backlog of a slow
 *   subscriber stays in its bounded queue as references to shared results, not as bytes per socket.
 * Wakes are batched: a fan-out wakes thousands of subscribers; each is flushed once per 10 ms window.
 */
import { Readable } from 'node:stream'
import { type ExecutionResult, GraphQLError } from 'graphql'
import type { Plugin } from 'graphql-yoga'
import type { WebSocket } from 'ws'
import type { Logger } from '../../common/logger.js'
import type { DirectSubscription, SharedSubscriptions } from './useSharedSubscriptions.js'

/** yoga's `maskError` signature: (error, default message, development mode) → the error a client may see */
export type MaskError = (error: unknown, message: string, isDev?: boolean) => Error

const MASKED_MESSAGE = 'Unexpected error.'
const PING_INTERVAL_MS = 12_000
const WS_HIGH_WATER_BYTES = 16 * 1024
const WS_RECHECK_MS = 50
/** how long a woken subscriber waits for more events before its frames are written, ms */
const FLUSH_WINDOW_MS = 10

/**
 * A result's JSON, computed once per result object (every subscriber of a shared execution gets the same object).
 * Errors are masked as yoga's maskedErrors does (`maskError`; an error it replaces is logged, as yoga logs it);
 * `omitInternals` also drops the `http` and `unexpected` extensions, as yoga's SSE processor does (graphql-ws
 * sends them as they are).
 */
export function createResultSerializer(maskError: MaskError, logger: Logger, omitInternals: boolean): (result: ExecutionResult) => string {
  const cache = new WeakMap<ExecutionResult, string>()
  const isDev = globalThis.process?.env?.NODE_ENV === 'development'
  const shownError = (error: GraphQLError) => {
    const masked = maskError(error, MASKED_MESSAGE, isDev)
    if (masked !== error) logger.error({ error: error.originalError ?? error }, 'Subscription error (masked for the client)')
    const json: { message: string; extensions?: Record<string, unknown> } = masked instanceof GraphQLError ? masked.toJSON() : { message: masked.message }
    if (omitInternals && json.extensions) {
      const { http: _http, unexpected: _unexpected, ...extensions } = json.extensions
      json.extensions = Object.keys(extensions).length ? extensions : undefined
    }
    return json
  }
  return (result) => {
    let json = cache.get(result)
    if (json === undefined) {
      json = JSON.stringify(result.errors?.length ? { ...result, errors: result.errors.map(shownError) } : result)
      cache.set(result, json)
    }
    return json
  }
}

/**
 * Runs each woken flush once per window of `FLUSH_WINDOW_MS`: a subscriber gets at most one write per window,
 * whatever the event rate (the shared execution already hands results over in batches, see useSharedSubscriptions).
 */
function createWakeBatch(logger: Logger): (flush: () => void) => void {
  const pending = new Set<() => void>()
  let scheduled = false
  const run = () => {
    scheduled = false
    const flushes = [...pending]
    pending.clear()
    for (const flush of flushes) {
      try {
        flush()
      } catch (error) {
        logger.error({ error }, 'Writing subscription results failed') // the others still get theirs
      }
    }
  }
  return (flush) => {
    pending.add(flush)
    if (!scheduled) {
      scheduled = true
      setTimeout(run, FLUSH_WINDOW_MS)
    }
  }
}

const SSE_HEADERS = { 'Content-Type': 'text/event-stream', Connection: 'keep-alive', 'Cache-Control': 'no-cache', 'Content-Encoding': 'none' }
const SSE_PING = Buffer.from(':\n\n')
const SSE_COMPLETE = Buffer.from('event: complete\ndata:\n\n')

/** True when the client asked for an event stream (and not yoga's multipart alternative). */
function wantsEventStream(request: Request): boolean {
  const accept = request.headers.get('accept') ?? ''
  return accept.includes('text/event-stream') && !accept.includes('multipart/mixed')
}

export type DirectDelivery = {
  /**
   * The yoga plugin serving SSE subscriptions directly (add it after every plugin that sets a result processor).
   * Takes over only subscriptions the shared-subscriptions plugin knows (`subscriptions.direct(request)`);
   * others keep yoga's processor.
   */
  ssePlugin: Plugin
  /**
   * The graphql-ws side: wraps an operation's iterator (`source`, envelop's view of the subscription whose
   * context carries `key`, see SharedSubscriptions.direct) so that results are written straight to `socket` as Next messages for operation `id`. The
   * returned iterator yields nothing and finishes when the subscription ends; its `return()` (client `complete`,
   * socket closed) leaves. Returns `source` itself when the subscription has no direct view.
   */
  webSocketStream(key: object, source: AsyncIterableIterator<unknown>, socket: WebSocket, id: string): AsyncIterableIterator<unknown>
}

/** Direct SSE and graphql-ws delivery over `subscriptions`, with errors masked by `maskError`. */
export function createDirectDelivery(params: { subscriptions: SharedSubscriptions; maskError: MaskError; logger: Logger }): DirectDelivery {
  const serialize = createResultSerializer(params.maskError, params.logger, false)
  const wakeBatch = createWakeBatch(params.logger)
  return {
    ssePlugin: createSsePlugin(params.subscriptions, createResultSerializer(params.maskError, params.logger, true), wakeBatch),
    webSocketStream(key, source, socket, id) {
      const direct = params.subscriptions.direct(key)
      return direct ? createWebSocketStream({ direct, source, socket, id, serialize, wakeBatch }) : source
    },
  }
}

function createSsePlugin(subscriptions: SharedSubscriptions, serialize: (result: ExecutionResult) => string, wakeBatch: (flush: () => void) => void): Plugin {
  const frames = new WeakMap<ExecutionResult, Buffer>()
  const frameOf = (result: ExecutionResult) => {
    let frame = frames.get(result)
    if (!frame) frames.set(result, (frame = Buffer.from(`event: next\ndata: ${serialize(result)}\n\n`)))
    return frame
  }
  const live = new Set<Readable>()
  let pinger: NodeJS.Timeout | undefined
  const ping = () => {
    for (const body of live) if (body.readableLength === 0) body.push(SSE_PING)
  }

  function createBody(direct: DirectSubscription, source: AsyncIterableIterator<unknown> | undefined, signal: AbortSignal | undefined): Readable {
    let paused = false
    let ended = false
    const flush = () => {
      if (paused || ended) return
      const { results, done } = direct.drain()
      // one chunk per wake: the cached frame itself, or the batch's frames copied into one buffer (one write)
      if (results.length) paused = !body.push(results.length === 1 ? frameOf(results[0]!) : Buffer.concat(results.map(frameOf)))
      if (done) {
        ended = true
        live.delete(body)
        body.push(SSE_COMPLETE)
        body.push(null)
        void source?.return?.()
      }
    }
    const body = new Readable({
      read() {
        if (!paused) return
        paused = false
        flush()
      },
      destroy(error, callback) {
        ended = true
        live.delete(body)
        direct.close()
        void source?.return?.()
        callback(error)
      },
    })
    body.push(SSE_PING)
    live.add(body)
    // the client went away (socket closed, or an in-process fetch aborted): end at once, not at the next write
    if (signal?.aborted) body.destroy()
    else signal?.addEventListener('abort', () => body.destroy(), { once: true })
    pinger ??= setInterval(() => (live.size ? ping() : (clearInterval(pinger), (pinger = undefined))), PING_INTERVAL_MS).unref()
    direct.onWake(() => wakeBatch(flush))
    wakeBatch(flush)
    return body
  }

  return {
    onResultProcess({ request, result, setResultProcessor }) {
      if (!result || typeof result !== 'object' || !(Symbol.asyncIterator in result) || !wantsEventStream(request)) return
      const direct = subscriptions.direct(request)
      if (!direct) return
      setResultProcessor(
        (source, fetchAPI) =>
          new fetchAPI.Response(createBody(direct, source as AsyncIterableIterator<unknown>, request.signal) as never, { status: 200, headers: SSE_HEADERS }),
        'text/event-stream',
      )
    },
  }
}

function createWebSocketStream(params: {
  direct: DirectSubscription
  source: AsyncIterableIterator<unknown>
  socket: WebSocket
  id: string
  serialize: (result: ExecutionResult) => string
  wakeBatch: (flush: () => void) => void
}): AsyncIterableIterator<never> {
  const { direct, source, socket, serialize } = params
  const prefix = `{"id":${JSON.stringify(params.id)},"type":"next","payload":`
  let finished = false
  let finish: (() => void) | undefined
  let recheck: NodeJS.Timeout | undefined
  const end = () => {
    if (finished) return
    finished = true
    if (recheck) clearTimeout(recheck)
    direct.close()
    void source.return?.()
    finish?.()
  }
  const flush = () => {
    if (finished || recheck) return
    if (socket.readyState !== socket.OPEN) return end()
    if (socket.bufferedAmount > WS_HIGH_WATER_BYTES) {
      recheck = setTimeout(() => {
        recheck = undefined
        flush()
      }, WS_RECHECK_MS)
      return
    }
    const { results, done } = direct.drain()
    for (const result of results) socket.send(`${prefix}${serialize(result)}}`)
    if (done) end()
  }
  direct.onWake(() => params.wakeBatch(flush))
  params.wakeBatch(flush)
  const iterator: AsyncIterableIterator<never> = {
    [Symbol.asyncIterator]: () => iterator,
    next: () =>
      new Promise<IteratorResult<never>>((resolve) => {
        if (finished) resolve({ done: true, value: undefined })
        else finish = () => resolve({ done: true, value: undefined })
      }),
    async return() {
      end()
      return { done: true, value: undefined }
    },
  }
  return iterator
}
