import type { ChainClient } from './createChainClient.js'
import { ChainIdMismatchError } from '../errors/baseError.js'

export type AssertChainIdParameters = {
  client: ChainClient
  /** the configured EIP-155 chain id */
  chainId: number
  /** the chain's configured name, for the message */
  name: string
}

/**
 * Asks the node for its chain id (`eth_chainId`, EIP-695; through the client's governor, so retried like any
 * request) and compares it with the configured one.
 *
 * @throws {ChainIdMismatchError} (code `CHAIN_ID_MISMATCH`) when the node is on another chain
 * @throws the RPC error when the node cannot be asked (retryable: the caller's stage loop decides)
 */
export async function assertChainId(params: AssertChainIdParameters): Promise<void> {
  const { client, chainId, name } = params
  const actual = await client.governor.run('eth_chainId', () => client.getChainId())
  if (actual !== chainId) throw new ChainIdMismatchError({ expected: chainId, actual, name })
}
