/**
 * JSON-RPC client construction: the only place that builds viem transports.
 * HTTP requests issued in the same tick are sent as one JSON-RPC batch; several URLs fail over in order
 * (viem `fallback`); every request has a timeout; retryable failures are retried with exponential backoff.
 */
import { createPublicClient, fallback, http, type PublicClient, webSocket } from 'viem'

export type CreateChainClientParameters = {
  chainId: number
  /** http(s):// or ws(s):// URLs, tried in order */
  rpcUrls: string[]
  /** per-request timeout, ms (default 20 000) */
  timeoutMs?: number
  /** attempts after the first for retryable errors (default 5) */
  retryCount?: number
  /** requests per JSON-RPC batch (default 4) */
  batchSize?: number
}

/** A viem public client for one chain. Block numbers are never cached (`cacheTime: 0`). */
export function createChainClient(params: CreateChainClientParameters): PublicClient {
  const timeout = params.timeoutMs ?? 20_000
  const retryCount = params.retryCount ?? 5
  const transports = params.rpcUrls.map((url) =>
    url.startsWith('ws')
      ? webSocket(url, { timeout, retryCount, retryDelay: 250 })
      : http(url, { timeout, retryCount, retryDelay: 250, batch: { batchSize: params.batchSize ?? 4, wait: 0 } }),
  )
  const transport = transports.length === 1 ? transports[0]! : fallback(transports, { retryCount })
  return createPublicClient({
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
}
