/**
 * The chain-id check of one chain's stage loop: the node's `eth_chainId` (EIP-695) must equal the configured chain id
 * before anything read from it is written. Asked before the first step, again whenever the client has failed since
 * the last answer (it may have reconnected, or failed over to another node), and at least every
 * {@link CHAIN_ID_RECHECK_MS}.
 */
import { assertChainId } from '../chain/assertChainId.js'
import type { ChainClient } from '../chain/createChainClient.js'
import type { Clock } from '../common/common.js'

/** `eth_chainId` is asked again after any RPC failure, and at least this often (ms). */
export const CHAIN_ID_RECHECK_MS = 60_000

export type ChainIdGuard = {
  /**
   * Asks the node when it is due (see above); otherwise resolves at once.
   * @throws {ChainIdMismatchError} when the node is on another chain
   * @throws the RPC error when the node cannot be asked (after the governor's retries)
   */
  ensure(): Promise<void>
  /** true once the node's answer has matched at least once (a later mismatch is then a stall, not a configuration error) */
  readonly verified: boolean
  /** Makes the next {@link ChainIdGuard.ensure} ask, whatever the failure count (the loop calls it after any failed step). */
  recheck(): void
}

export type CreateChainIdGuardParameters = {
  client: ChainClient
  /** the configured EIP-155 chain id and name (for the message) */
  chainId: number
  name: string
  /** times the re-check interval */
  clock: Clock
}

/** @see ChainIdGuard */
export function createChainIdGuard(params: CreateChainIdGuardParameters): ChainIdGuard {
  const { client, chainId, name, clock } = params
  let verified = false
  let checked = { rpcFailures: -1, at: 0 } // the client's failure count and the time at the last check
  return {
    async ensure() {
      const rpcFailures = client.rpcFailureCount()
      if (rpcFailures === checked.rpcFailures && clock.now() - checked.at < CHAIN_ID_RECHECK_MS) return
      await assertChainId({ client, chainId, name })
      verified = true
      checked = { rpcFailures, at: clock.now() } // the count before asking: a failure since then asks again
    },
    get verified() {
      return verified
    },
    recheck() {
      checked.rpcFailures = -1
    },
  }
}
