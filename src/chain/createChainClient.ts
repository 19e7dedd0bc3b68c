/**
 * JSON-RPC client construction: the only place that builds viem transports.
 * HTTP requests issued in the same tick are sent as one JSON-RPC batch (eth_getLogs alone: UNBATCHED_METHODS); several URLs fail over in order
 * (viem `fallback`); every request has a timeout. Retries and adaptive concurrency belong to the client's
 * governor (rpcGovernor.ts), which the client value carries: every action goes through
 * `client.governor.run(method, fn)`. Every result is shape-checked (validateRpcResult.ts) so a corrupt-but-parseable
 * body is a retryable error, never data.
 */
import { type Address, createPublicClient, fallback, http, type PublicClient, type Transport, webSocket } from 'viem'
import type { Logger } from '../common/logger.js'
import type { Metrics } from '../common/metrics.js'
import { createMulticall3Support, type Multicall3Support } from './multicall3Support.js'
import { createRpcGovernor, type RpcGovernor } from './rpcGovernor.js'
import { validateRpcResult } from './validateRpcResult.js'

/**
 * A viem public client for one chain that carries what belongs to it for as long as it lives (viem `client.extend`):
 * its RPC governor, its failure count and its Multicall3 state. Everything in `chain/` that sends a request takes
 * this type, so no request can go around the governor and no module keeps per-client state on the side.
 */
export type ChainClient = PublicClient & {
  /** concurrency control and retries of this client's requests (rpcGovernor.ts): `client.governor.run(method, fn)` */
  readonly governor: RpcGovernor
  /**
   * How many JSON-RPC requests of this client have failed so far (transport errors, error answers, results refused by
   * {@link validateRpcResult}), retried ones included. A change tells the stage loop the connection may have been
   * re-established, or failed over, to another node since it last looked (it then re-checks `eth_chainId`).
   */
  rpcFailureCount(): number
  /**
   * The {@link Multicall3Support} of `address` on this client, created on first use (with that call's logger) and kept
   * as long as the client: the code cache and the once-per-chain warning outlive restarts of the chain's stage loop.
   */
  multicall3Support(address: Address, logger?: Logger): Multicall3Support
}

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
  /** where the governor and the Multicall3 fallback count (the process's set, from its dependency bag) */
  metrics: Metrics
  /** requests per JSON-RPC batch (default 4) */
  batchSize?: number
  /** the owner's stop: no request after it (the governor's `signal`, rpcGovernor.ts), and HTTP requests in flight are aborted */
  signal?: AbortSignal
}

/** A {@link ChainClient} for one chain. Block numbers are never cached (`cacheTime: 0`). */
export function createChainClient(params: CreateChainClientParameters): ChainClient {
  const timeout = params.timeoutMs ?? 20_000
  const failures = { count: 0 }
  // the owner's stop aborts every HTTP request in flight (viem joins it with each request's own timeout)
  const fetchOptions = params.signal ? { signal: params.signal } : undefined
  // counted per URL: viem's fallback hides a failure whose request another URL then answered
  const transports = params.rpcUrls.map((url) =>
    counting(
      url.startsWith('ws')
        ? webSocket(url, { timeout, retryCount: 0 })
        : alone(
            UNBATCHED_METHODS,
            http(url, { timeout, retryCount: 0, batch: { batchSize: params.batchSize ?? 4, wait: 0 }, fetchOptions }),
            http(url, { timeout, retryCount: 0, fetchOptions }),
          ),
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
  })
  const governor = createRpcGovernor({
    chainId: params.chainId,
    logger: params.logger,
    metrics: params.metrics,
    retryCount: params.retryCount,
    initialConcurrency: params.initialConcurrency,
    maxConcurrency: params.maxConcurrency,
    signal: params.signal,
  })
  const multicall3 = new Map<string, Multicall3Support>()
  const chainClient = client.extend(() => ({
    governor,
    rpcFailureCount: () => failures.count,
    multicall3Support(address: Address, logger?: Logger): Multicall3Support {
      const key = address.toLowerCase()
      let support = multicall3.get(key)
      if (!support) {
        support = createMulticall3Support({ client: chainClient, address, chainId: params.chainId, logger, metrics: params.metrics })
        multicall3.set(key, support)
      }
      return support
    },
  })) as unknown as ChainClient
  return chainClient
}

/**
 * Methods sent alone, never in a JSON-RPC batch: an `eth_getLogs` answer runs to megabytes (5,000 logs of
 * 1,000-attestation transactions are ~5.5 MB), and a batch answers as ONE body, which viem refuses past 10 MB. Four
 * getLogs of a backfill's first ranges batched together came back as one 44 MB body: every request of the batch
 * (the aggregate3 reads and transaction lookups beside them too) failed, was retried in the same company, and the
 * first rows were committed seconds late — with those bodies in memory each time.
 */
const UNBATCHED_METHODS: ReadonlySet<string> = new Set(['eth_getLogs'])

/** Sends the requests of `methods` through `single`, every other one through `batched` (same URL, same options). */
function alone(methods: ReadonlySet<string>, batched: Transport, single: Transport): Transport {
  return (opts) => {
    const b = batched(opts)
    const s = single(opts)
    return {
      ...b,
      request: (async (args: { method: string }, options?: unknown) =>
        (methods.has(args.method)
          ? (s.request as (a: unknown, o?: unknown) => Promise<unknown>)
          : (b.request as (a: unknown, o?: unknown) => Promise<unknown>))(args, options)) as typeof b.request,
    }
  }
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
