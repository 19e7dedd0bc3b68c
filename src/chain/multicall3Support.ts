/**
 * Whether record reads at a block can go through Multicall3: it is missing on some chains and, on every chain, at
 * blocks before its deployment. Detected with `eth_getCode` at the Multicall3 address pinned to the block, and
 * cached per chain (per client and address: `ChainClient.multicall3Support`) on the assumption that the contract, once deployed, stays:
 * - code at block B means code at every later block, so blocks ≥ the lowest such B are not asked again;
 * - no code at block B means no code at every earlier block; it says nothing about later blocks, which are asked.
 * The cache is only an optimisation: should a reorg make it wrong, readRecords still falls back when aggregate3
 * answers something undecodable (an address without code answers `0x`).
 *
 * Also the one place that reports the fallback: the counter `sign_indexer_multicall_fallback_reads_total{chain_id,
 * reason}` for every record read without Multicall3, and ONE warning per chain and reason (not per call).
 */
import type { Address } from 'viem'
import type { Logger } from '../common/logger.js'
import type { Metrics } from '../common/metrics.js'
import { RpcError } from '../errors/baseError.js'
import type { ChainClient } from './createChainClient.js'

/** Why reads went without Multicall3: no code at its address at the block, or an answer that is not aggregate3's. */
export type Multicall3FallbackReason = 'no_code' | 'bad_result'

export type Multicall3Support = {
  /** the Multicall3 address this state is about */
  readonly address: Address
  /**
   * @returns whether the Multicall3 address has code at `blockNumber` (`eth_getCode`, cached as described above;
   *   concurrent questions about one block share one request)
   * @throws {RpcError} when `eth_getCode` fails after the governor's retries
   */
  hasCodeAt(blockNumber: bigint): Promise<boolean>
  /** Counts `reads` records read without Multicall3 at `blockNumber`; warns the first time per reason. */
  recordFallback(reason: Multicall3FallbackReason, blockNumber: bigint, reads: number, cause?: unknown): void
}

export type CreateMulticall3SupportParameters = {
  client: ChainClient
  /** the configured Multicall3 address */
  address: Address
  /** metric label; default the client's chain id */
  chainId?: number
  logger?: Logger
  /** counts `sign_indexer_multicall_fallback_reads_total` */
  metrics: Metrics
}

/** @see Multicall3Support (use the client's own, `client.multicall3Support(address)`, to share its cache) */
export function createMulticall3Support(params: CreateMulticall3SupportParameters): Multicall3Support {
  const { client, address } = params
  const chainId = params.chainId ?? client.chain?.id ?? 0
  let presentFrom: bigint | undefined // lowest block seen with code
  let absentThrough: bigint | undefined // highest block seen without code
  let fellBack = false // some read found no code since code was last found
  const warned = new Set<Multicall3FallbackReason>()
  const pending = new Map<bigint, Promise<boolean>>()

  const ask = async (blockNumber: bigint): Promise<boolean> => {
    let code: string | undefined
    try {
      code = await client.governor.run('eth_getCode', () => client.getCode({ address, blockNumber }))
    } catch (error) {
      throw new RpcError('eth_getCode', `Multicall3 code check at block ${blockNumber} failed`, { cause: error })
    }
    const present = code !== undefined && code !== '0x'
    if (present) {
      if (presentFrom === undefined || blockNumber < presentFrom) presentFrom = blockNumber
      if (fellBack) {
        fellBack = false
        params.logger?.info(
          { chain_id: chainId, block_number: Number(blockNumber), multicall3: address },
          'Multicall3 has code at this block: batching record reads through it from here on',
        )
      }
    } else if (absentThrough === undefined || blockNumber > absentThrough) absentThrough = blockNumber
    return present
  }

  return {
    address,
    hasCodeAt(blockNumber) {
      if (presentFrom !== undefined && blockNumber >= presentFrom) return Promise.resolve(true)
      if (absentThrough !== undefined && blockNumber <= absentThrough) return Promise.resolve(false)
      let answer = pending.get(blockNumber)
      if (!answer) {
        answer = ask(blockNumber).finally(() => pending.delete(blockNumber))
        pending.set(blockNumber, answer)
      }
      return answer
    },
    recordFallback(reason, blockNumber, reads, cause) {
      if (reason === 'no_code') fellBack = true
      params.metrics.multicallFallbackReads.inc({ chain_id: String(chainId), reason }, reads)
      if (warned.has(reason)) return
      warned.add(reason)
      const why = reason === 'no_code' ? 'no code at the Multicall3 address' : 'the Multicall3 address did not answer like Multicall3'
      params.logger?.warn(
        {
          chain_id: chainId,
          block_number: Number(blockNumber),
          multicall3: address,
          reason,
          ...(cause ? { error: String((cause as Error).message ?? cause).split('\n')[0] } : {}),
        },
        `Reading records with plain eth_call: ${why} (logged once per chain)`,
      )
    },
  }
}
