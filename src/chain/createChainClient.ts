/**
 * JSON-RPC client construction: the only place that builds viem transports.
 * HTTP requests issued in the same tick are sent as one JSON-RPC batch; several URLs fail over in order
 * (viem `fallback`); every request has a timeout. Retries and adaptive concurrency belong to the client's
 * governor (rpcGovernor.ts), used through `governed(client, method, fn)`. Every result is shape-checked
 * (validateRpcResult.ts) so a corrupt-but-parseable body is a retryable error, never data.
 */
import { createPublicClient, fallback, http, type PublicClient, type Transport, webSocket } from 'viem'
import type { Logger } from '../common/logger.js'
import { createRpcGovernor } from './rpcGovernor.js'
import { setGovernor } from './governed.js'
import { validateRpcResult } from './validateRpcResult.js'

export type CreateChainClientParameters = {
  chainId: number
  /** http(s):// or ws(s):// URLs, tried in order */
  rpcUrls: string[]
  /** per-request timeout, ms (default 20 000) */
  timeoutMs?: number
  /** retries for retryable errors, done by the chain's governor (default 6); the transports themselves never retry */
  retryCount?: number
  /** starting / maximum adaptive concurrency (default 8 / 32) */
  initialConcurrency?: number
  maxConcurrency?: number
  logger?: Logger
  /** requests per JSON-RPC batch (default 4) */
  batchSize?: number
}

/** A viem public client for one chain. Block numbers are never cached (`cacheTime: 0`). */
export function createChainClient(params: CreateChainClientParameters): PublicClient {
  const timeout = params.timeoutMs ?? 20_000
  const failures = { count: 0 }
  // counted per URL: viem's fallback hides a failure whose request another URL then answered
  const transports = params.rpcUrls.map((url) =>
    counting(
      url.startsWith('ws')
        ? webSocket(url, { timeout, retryCount: 0 })
        : http(url, { timeout, retryCount: 0, batch: { batchSize: params.batchSize ?? 4, wait: 0 } }),
      failures,
    ),
  )
  const transport = validating(transports.length === 1 ? transports[0]! : fallback(transports, { retryCount: 0 }), failures)
  const client = createPublicClient({
    transport,
    cacheTime: 0,
    pollingInterval: 1_000,
    batch: { multicall: false },
    chain: {
      id: params.chainId,
      name: `chain-${params.chainId}`,
      nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 },
      rpcUrls: { default: { http: params.rpcUrls } },
    },
  }) as PublicClient
  failureCounts.set(client, failures)
  setGovernor(
    client,
    createRpcGovernor({
      chainId: params.chainId,
      logger: params.logger,
      retryCount: params.retryCount,
      initialConcurrency: params.initialConcurrency,
      maxConcurrency: params.maxConcurrency,
    }),
  )
  return client
}

const failureCounts = new WeakMap<PublicClient, { count: number }>()

/**
 * How many JSON-RPC requests of `client` have failed so far (transport errors, error answers, results refused by
 * {@link validateRpcResult}), retried ones included; 0 for a client not built by {@link createChainClient}. A change
 * tells the stage loop the connection may have been re-established, or failed over, to another node since it last
 * looked (it then re-checks `eth_chainId`).
 */
export function getRpcFailureCount(client: PublicClient): number {
  return failureCounts.get(client)?.count ?? 0
}

/** Wraps a transport so every failed request adds 1 to `failures.count`. */
function counting(inner: Transport, failures: { count: number }): Transport {
  return (opts) => {
    const built = inner(opts)
    return {
      ...built,
      request: (async (args: unknown, options?: unknown) => {
        try {
          return await (built.request as (a: unknown, o?: unknown) => Promise<unknown>)(args, options)
        } catch (error) {
          failures.count++
          throw error
        }
      }) as typeof built.request,
    }
  }
}

/** Wraps a transport so every result passes {@link validateRpcResult} before viem sees it; a refused one is counted. */
function validating(inner: Transport, failures: { count: number }): Transport {
  return (opts) => {
    const built = inner(opts)
    return {
      ...built,
      request: (async (args: { method: string; params?: unknown }, options?: unknown) => {
        const result = await (built.request as (a: unknown, o?: unknown) => Promise<unknown>)(args, options)
        try {
          validateRpcResult(args.method, result)
        } catch (error) {
          failures.count++
          throw error
        }
        return result
      }) as typeof built.request,
    }
  }
}
