/**
 * Congestion control for one chain's JSON-RPC traffic, the single place that retries a request:
 * - concurrency is adapted AIMD-style (p-queue's live `concurrency`): +1 after a window of successes, halved on
 *   congestion signals (HTTP 429, rate-limit JSON-RPC codes, timeouts, 503);
 * - retryable failures (congestion, 5xx, connection resets, truncated or corrupt bodies, node-side internal errors)
 *   are retried with jittered exponential backoff, or after `Retry-After` when the provider sends one;
 * - deterministic failures (reverts, invalid params) and `eth_getLogs` range errors are thrown at once: the
 *   caller (range splitting) handles those.
 */
import PQueue from 'p-queue'
import type { Logger } from '../common/logger.js'
import { backoffDelay, createSleeper } from '../common/retryPolicy.js'
import type { Metrics } from '../common/metrics.js'

export type RpcFailureKind = 'range' | 'congestion' | 'transient' | 'fatal'

// `ResponseBodyTooLargeError`: viem read an answer over its 10 MB body limit (10,000 logs of 1,000-attestation
// transactions are ~11 MB): asking again brings the same body back, asking for less does not
const RANGE_ERROR =
  /more than \d+ results|block range|range too large|too many (blocks|results|logs)|response size|limit exceeded.*range|ResponseBodyTooLargeError/i

/** Classifies a viem / fetch error (walks the `cause` chain for the HTTP status and JSON-RPC code). */
export function classifyRpcError(error: unknown): RpcFailureKind {
  let status: number | undefined
  let code: number | undefined
  let text = ''
  for (let e = error as Record<string, unknown> | undefined, depth = 0; e && depth < 8; e = e.cause as Record<string, unknown> | undefined, depth++) {
    if (typeof e.status === 'number') status ??= e.status
    if (typeof e.code === 'number') code ??= e.code
    text += ` ${String(e.name ?? '')} ${String(e.details ?? '')} ${String(e.shortMessage ?? '')} ${String(e.message ?? '')}`
  }
  if (RANGE_ERROR.test(text)) return 'range'
  if (status === 429 || code === 429 || code === -32005 || code === -32007 || /TimeoutError|timed out|took too long/i.test(text)) return 'congestion'
  if (status === 503) return 'congestion'
  if (status !== undefined && status >= 500) return 'transient'
  if (/revert|invalid argument|invalid params|InvalidParams|method not found|not supported/i.test(text) || code === -32602 || code === -32601 || code === 3)
    return 'fatal'
  // connection resets, bodies that are not JSON, -32603 internal errors, "header not found" on a lagging node
  return 'transient'
}

function retryAfterMs(error: unknown): number | null {
  for (let e = error as Record<string, unknown> | undefined, depth = 0; e && depth < 8; e = e.cause as Record<string, unknown> | undefined, depth++) {
    const headers = e.headers as Headers | undefined
    const value = headers?.get?.('Retry-After')
    if (value) {
      const seconds = Number.parseInt(value, 10)
      if (!Number.isNaN(seconds)) return seconds * 1_000
      const at = Date.parse(value) - Date.now()
      if (at > 0) return at
    }
  }
  return null
}

export type RpcGovernorOptions = {
  chainId: number
  logger?: Logger
  /** records `sign_indexer_rpc_{request_duration_seconds,errors_total,retries_total,concurrency}` */
  metrics: Metrics
  /** starting concurrency (default 8), bounds 1..maxConcurrency (default 32) */
  initialConcurrency?: number
  maxConcurrency?: number
  /** retries after the first attempt (default 6) */
  retryCount?: number
  /** first backoff, ms (default 200), doubled per attempt, capped at maxDelayMs (default 10 000); the wait is ½–1× of that (src/common/retryPolicy.ts) */
  baseDelayMs?: number
  maxDelayMs?: number
  /**
   * The stop of whatever owns this chain's client (the indexer's chain loops): once aborted, no request starts (`run`
   * rejects with the signal's reason), a failed request is not retried and a pending backoff ends at once rethrowing
   * its last error, so a stop never waits out the backoff of a node that went away (6 retries: up to ~20 s). A request
   * already sent still ends by its answer or its timeout.
   */
  signal?: AbortSignal
}

export type RpcGovernor = {
  /**
   * Runs one RPC action under the concurrency limit with retries; rethrows the last error. Once the governor's
   * `signal` is aborted, nothing more is sent: it rejects with the signal's reason before a first attempt, and with
   * the last error instead of a retry (a pending backoff ends).
   */
  run<T>(method: string, fn: () => Promise<T>, opts?: { retryCount?: number }): Promise<T>
  /** current concurrency limit */
  concurrency(): number
}

/** @see RpcGovernor */
export function createRpcGovernor(options: RpcGovernorOptions): RpcGovernor {
  const max = options.maxConcurrency ?? 32
  const queue = new PQueue({ concurrency: Math.min(max, options.initialConcurrency ?? 8) })
  const retryCount = options.retryCount ?? 6
  const base = options.baseDelayMs ?? 200
  const maxDelay = options.maxDelayMs ?? 10_000
  const chain = String(options.chainId)
  const { rpcConcurrency, rpcErrors, rpcRequestDuration, rpcRetries } = options.metrics
  let successes = 0
  rpcConcurrency.set({ chain_id: chain }, queue.concurrency)
  // one sleeper for every backoff on the governor's signal: one abort listener, however many requests wait
  const backoffs = createSleeper(options.signal)

  const increase = () => {
    if (++successes >= queue.concurrency && queue.concurrency < max) {
      queue.concurrency += 1
      successes = 0
      rpcConcurrency.set({ chain_id: chain }, queue.concurrency)
    }
  }
  const decrease = (method: string) => {
    const next = Math.max(1, Math.floor(queue.concurrency / 2))
    if (next !== queue.concurrency) {
      options.logger?.warn({ chain_id: options.chainId, method, concurrency: next }, 'RPC congestion: lowering concurrency')
      queue.concurrency = next
      rpcConcurrency.set({ chain_id: chain }, next)
    }
    successes = 0
  }

  return {
    concurrency: () => queue.concurrency,
    async run<T>(method: string, fn: () => Promise<T>, opts: { retryCount?: number } = {}): Promise<T> {
      const retries = opts.retryCount ?? retryCount
      const { signal } = options
      signal?.throwIfAborted()
      for (let attempt = 0; ; attempt++) {
        try {
          const result = await queue.add(
            async () => {
              const end = rpcRequestDuration.startTimer({ method })
              try {
                return await fn()
              } finally {
                end()
              }
            },
            { throwOnTimeout: true },
          )
          increase()
          return result as T
        } catch (error) {
          const kind = classifyRpcError(error)
          rpcErrors.inc({ method, code: kind })
          if (kind === 'congestion') decrease(method)
          if (kind === 'range' || kind === 'fatal' || attempt >= retries || signal?.aborted) throw error
          const delay = retryAfterMs(error) ?? backoffDelay({ baseMs: base, maxMs: maxDelay }, attempt)
          rpcRetries.inc({ method, kind })
          options.logger?.debug(
            {
              chain_id: options.chainId,
              method,
              attempt: attempt + 1,
              kind,
              delay_ms: Math.round(delay),
              error: String((error as Error)?.message ?? error).slice(0, 300),
            },
            'Retrying RPC request',
          )
          await backoffs.sleep(delay)
          if (signal?.aborted) throw error
        }
      }
    },
  }
}
