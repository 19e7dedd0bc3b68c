import type { PublicClient } from 'viem'
import { createRpcGovernor, type RpcGovernor } from './rpcGovernor.js'

const governors = new WeakMap<object, RpcGovernor>()

/** Attaches a governor (concurrency control + retries) to a client built by createChainClient. */
export function setGovernor(client: PublicClient, governor: RpcGovernor): void {
  governors.set(client, governor)
}

/**
 * Runs one RPC action of `client` through its governor (adaptive concurrency, retries with jittered backoff,
 * latency and error metrics). Clients without a governor get one with defaults on first use.
 */
export function governed<T>(client: PublicClient, method: string, fn: () => Promise<T>, opts?: { retryCount?: number }): Promise<T> {
  let governor = governors.get(client)
  if (!governor) {
    governor = createRpcGovernor({ chainId: client.chain?.id ?? 0 })
    governors.set(client, governor)
  }
  return governor.run(method, fn, opts)
}
