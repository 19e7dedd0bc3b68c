/**
 * JSON-RPC client construction: the only place that builds viem transports.
 * HTTP requests issued in the same tick are sent as one JSON-RPC batch; several URLs fail over in order
 * (viem `fallback`); every request has a timeout. Retries and adaptive concurrency belong to the client's
 * governor (rpcGovernor.ts), used through `timed(client, method, fn)`. Every result is shape-checked
 * (validateRpcResult.ts) so a corrupt-but-parseable body is a retryable error, never data.
 */
import { createPublicClient, fallback, http, type PublicClient, type Transport, webSocket } from 'viem'
import type { Logger } from '../common/logger.js'
import { createRpcGovernor } from './rpcGovernor.js'
import { setGovernor } from './timed.js'
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
  const transports = params.rpcUrls.map((url) =>
    url.startsWith('ws')
      ? webSocket(url, { timeout, retryCount: 0 })
      : http(url, { timeout, retryCount: 0, batch: { batchSize: params.batchSize ?? 4, wait: 0 } }),
  )
  const transport = validating(transports.length === 1 ? transports[0]! : fallback(transports, { retryCount: 0 }))
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
  setGovernor(client, createRpcGovernor({ chainId: params.chainId, logger: params.logger, retryCount: params.retryCount, initialConcurrency: params.initialConcurrency, maxConcurrency: params.maxConcurrency }))
  return client
}

/** Wraps a transport so every result passes {@link validateRpcResult} before viem sees it. */
function validating(inner: Transport): Transport {
  return (opts) => {
    const built = inner(opts)
    return {
      ...built,
      request: (async (args: { method: string; params?: unknown }, options?: unknown) => {
        const result = await (built.request as (a: unknown, o?: unknown) => Promise<unknown>)(args, options)
        validateRpcResult(args.method, result)
        return result
      }) as typeof built.request,
    }
  }
}
