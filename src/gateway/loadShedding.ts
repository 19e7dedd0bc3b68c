/**
 * Load shedding for `/graphql`: at most `maxInFlight` requests are worked on at once; up to `maxQueued` more wait
 * (each at most `maxQueueWaitMs`) for a slot; anything beyond is answered at once with HTTP 503, `Retry-After` and a
 * GraphQL error `OVERLOADED` — before its body is read, so a burst costs almost nothing and queues never grow.
 *
 * A request holds its slot from arrival until yoga has its response: a query until its result is ready, an SSE
 * subscription only until its stream starts (a long-lived subscription does not hold a slot; subscriptions have their
 * own limits). graphql-ws operations are not HTTP requests: their queries take a slot through {@link InFlightLimiter.run}.
 * `/healthz`, `/readyz` and `/metrics` never take one.
 */
import type { Plugin } from 'graphql-yoga'
import type { Metrics } from '../common/metrics.js'
import { OverloadedError, toErrorResponse } from './limitErrors.js'

/** Defaults: config `limits.maxInFlight` (env `MAX_IN_FLIGHT`), `limits.maxQueued` (env `MAX_QUEUED`). */
export const MAX_IN_FLIGHT = 64
export const MAX_QUEUED = 64
/** Longest a queued request waits for a slot before it is shed (ms). */
export const MAX_QUEUE_WAIT_MS = 1_000
/** `Retry-After` of a shed request (s). */
export const RETRY_AFTER_S = 1

export type InFlightLimiterParameters = {
  maxInFlight?: number
  maxQueued?: number
  maxQueueWaitMs?: number
  retryAfterSeconds?: number
  /** counts `sign_indexer_graphql_shed_total` and sets `sign_indexer_graphql_in_flight` */
  metrics: Metrics
}

export type InFlightLimiter = {
  /** a slot's release function, or `undefined` when shed (no slot and no queue place within the wait) */
  acquire(): Promise<(() => void) | undefined>
  /** runs `fn` in a slot; resolves to an {@link OverloadedError} instead when shed */
  run<T>(fn: () => Promise<T> | T): Promise<T | OverloadedError>
  stats(): { inFlight: number; queued: number; shed: number }
  readonly retryAfterSeconds: number
}

/** A counting semaphore with a bounded, time-limited FIFO wait queue. */
export function createInFlightLimiter(params: InFlightLimiterParameters): InFlightLimiter {
  const { graphqlShedTotal: shedTotal, graphqlInFlight: inFlightGauge } = params.metrics
  const maxInFlight = params.maxInFlight ?? MAX_IN_FLIGHT
  const maxQueued = params.maxQueued ?? MAX_QUEUED
  const maxQueueWaitMs = params.maxQueueWaitMs ?? MAX_QUEUE_WAIT_MS
  const retryAfterSeconds = params.retryAfterSeconds ?? RETRY_AFTER_S
  let inFlight = 0
  let shed = 0
  const waiting: { grant: () => void }[] = []

  const release = () => {
    const next = waiting.shift()
    if (next)
      next.grant() // the slot passes on: inFlight unchanged
    else {
      inFlight--
      inFlightGauge.set(inFlight)
    }
  }
  const releaseOnce = () => {
    let released = false
    return () => {
      if (released) return
      released = true
      release()
    }
  }
  const refuse = () => {
    shed++
    shedTotal.inc()
    return undefined
  }

  async function acquire(): Promise<(() => void) | undefined> {
    if (inFlight < maxInFlight) {
      inFlight++
      inFlightGauge.set(inFlight)
      return releaseOnce()
    }
    if (waiting.length >= maxQueued) return refuse()
    return new Promise((resolve) => {
      const entry = {
        grant: () => {
          clearTimeout(timer)
          resolve(releaseOnce())
        },
      }
      const timer = setTimeout(() => {
        waiting.splice(waiting.indexOf(entry), 1)
        resolve(refuse())
      }, maxQueueWaitMs)
      waiting.push(entry)
    })
  }

  return {
    acquire,
    async run(fn) {
      const done = await acquire()
      if (!done) return new OverloadedError(retryAfterSeconds)
      try {
        return await fn()
      } finally {
        done()
      }
    },
    stats: () => ({ inFlight, queued: waiting.length, shed }),
    retryAfterSeconds,
  }
}

/**
 * The yoga plugin: requests to `graphqlEndpoint` take a slot of `limiter` in `onRequest` and give it back in
 * `onResponse`; a shed request gets the 503 response.
 */
export function useLoadShedding(limiter: InFlightLimiter, graphqlEndpoint: string): Plugin {
  const slots = new WeakMap<Request, () => void>()
  return {
    async onRequest({ request, url, endResponse, fetchAPI }) {
      if (url.pathname !== graphqlEndpoint) return
      const release = await limiter.acquire()
      if (!release) endResponse(toErrorResponse(fetchAPI, new OverloadedError(limiter.retryAfterSeconds)))
      else slots.set(request, release)
    },
    onResponse({ request }) {
      slots.get(request)?.()
      slots.delete(request)
    },
  }
}
