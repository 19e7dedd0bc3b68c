/**
 * `eth_getLogs` for the Sign Protocol topics over a block range, splitting the range in halves when the
 * provider refuses it (too many results / range too large). Logs come back sorted by (blockNumber, logIndex).
 */
import type { Address, Hex, Log } from 'viem'
import type { ChainClient } from './createChainClient.js'
import { RpcError } from '../errors/baseError.js'
import { classifyRpcError } from './rpcGovernor.js'

export type GetLogsInRangeParameters = {
  client: ChainClient
  address: Address
  topic0s: Hex[]
  fromBlock: bigint
  toBlock: bigint
  /** incremented each time the provider refused a range and it was split in two */
  stats?: { splits: number }
}

/**
 * @returns raw logs (not decoded), ordered by block number then log index; removed logs are dropped.
 * @throws {RpcError} when a single-block range still fails, or on a non-range error after the transport's retries.
 */
export async function getLogsInRange(params: GetLogsInRangeParameters): Promise<Log[]> {
  const { client, address, topic0s, fromBlock, toBlock } = params
  let logs: Log[]
  try {
    logs = await client.governor.run(
      'eth_getLogs',
      () =>
        client.request({
          method: 'eth_getLogs',
          params: [{ address, topics: [topic0s], fromBlock: toQuantity(fromBlock), toBlock: toQuantity(toBlock) }],
        }) as Promise<Log[]>,
      // a multi-block range that keeps failing is split rather than retried at length
      { retryCount: toBlock > fromBlock ? 2 : undefined },
    )
  } catch (error) {
    const message = String((error as { details?: string })?.details ?? (error as Error)?.message)
    // Split on explicit range errors, and on any failure of a multi-block range that survived the retries
    // (oversized responses surface as timeouts, resets or cut bodies, not as range errors).
    if (toBlock > fromBlock && classifyRpcError(error) !== 'fatal') {
      if (params.stats) params.stats.splits++
      const mid = fromBlock + (toBlock - fromBlock) / 2n
      const left = await getLogsInRange({ ...params, toBlock: mid })
      const right = await getLogsInRange({ ...params, fromBlock: mid + 1n })
      return [...left, ...right]
    }
    throw new RpcError('eth_getLogs', `failed for blocks ${fromBlock}-${toBlock}`, { cause: error, details: message })
  }
  return logs
    .filter((l) => !l.removed)
    .map((l) => ({
      ...l,
      blockNumber: BigInt(l.blockNumber as unknown as Hex),
      logIndex: Number(BigInt(l.logIndex as unknown as Hex)),
      transactionIndex: Number(BigInt(l.transactionIndex as unknown as Hex)),
    }))
    .sort((a, b) => (a.blockNumber === b.blockNumber ? a.logIndex - b.logIndex : a.blockNumber! < b.blockNumber! ? -1 : 1))
}

function toQuantity(n: bigint): Hex {
  return `0x${n.toString(16)}`
}
