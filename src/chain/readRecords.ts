/**
 * Batched, block-pinned reads of Sign Protocol records: one Multicall3 `aggregate3` per block (all the
 * `getAttestation` / `getSchema` / `getOffchainAttestation` calls whose logs are in that block), issued
 * concurrently so the HTTP transport packs them into JSON-RPC batches. Reads are pinned to the log's block
 * number (state at the end of that block).
 *
 * Where Multicall3 has no code at the block (chains without it, blocks before its deployment: multicall3Support.ts),
 * or its answer is not an aggregate3 result (another contract at that address), the same reads are plain
 * `eth_call`s (readRecordsByCall.ts) with the same results: a revert is a per-record failure either way.
 */
import { type Address, decodeFunctionResult, type Hex, multicall3Abi } from 'viem'
import type { Logger } from '../common/logger.js'
import { RpcError } from '../errors/baseError.js'
import { decodeAggregate3, encodeAggregate3 } from './aggregate3Codec.js'
import type { ChainClient } from './createChainClient.js'
import { parseRevert, readRecordsByCall } from './readRecordsByCall.js'
import { decodeRecordReturn, encodeRecordCall, revertedRecord } from './recordCalls.js'
import { classifyRpcError } from './rpcGovernor.js'

import { type RecordRequest, recordKey, type RecordResult } from './records.js'

export type ReadRecordsParameters = {
  client: ChainClient
  contract: Address
  /** the Multicall3 address; whether it has code is checked per block (multicall3Support.ts, cached per client) */
  multicall3: Address
  requests: RecordRequest[]
  /** max calls in one aggregate3 (default 250: ~110 KB of calldata, so a JSON-RPC batch of 4 stays far below anvil's body limit, between 2 and 5 MB) */
  callsPerMulticall?: number
  /** receives the one warning per chain when reads go without Multicall3 */
  logger?: Logger
}

/** The outcome of one aggregate3: its sub-call results, or `null` when its answer was not Multicall3's. */
type Aggregated = { requests: RecordRequest[]; results: readonly { success: boolean; returnData: Hex }[] | null; error?: unknown }

/**
 * @returns a map from {@link recordKey} to the decoded struct, or to the reason the call failed
 *   (a reverting call is data, not an exception).
 * @throws {RpcError} when a multicall, an `eth_getCode` or a plain `eth_call` fails after retries.
 */
export async function readRecords(params: ReadRecordsParameters): Promise<Map<string, RecordResult>> {
  const { client, contract, multicall3 } = params
  const support = client.multicall3Support(multicall3, params.logger)
  const perCall = params.callsPerMulticall ?? 250
  const byBlock = new Map<bigint, RecordRequest[]>()
  for (const r of params.requests) {
    const list = byBlock.get(r.blockNumber)
    if (list) list.push(r)
    else byBlock.set(r.blockNumber, [r])
  }
  const chunks: { blockNumber: bigint; requests: RecordRequest[] }[] = []
  for (const [blockNumber, list] of byBlock) {
    for (let i = 0; i < list.length; i += perCall) chunks.push({ blockNumber, requests: list.slice(i, i + perCall) })
  }
  const out = new Map<string, RecordResult>()
  /**
   * One aggregate3 at `blockNumber`. When the multicall itself reverts (out of gas under the node's eth_call gas
   * cap, or any revert of the aggregate), or its answer is over the transport's body limit, the chunk is split in
   * halves and each half retried: a cap we do not know
   * costs a few more calls, never a stuck range. An answer that does not decode as aggregate3's (`0x` from an address
   * without code, or another contract's data), or a single call whose aggregate still reverts, is `results: null`:
   * the caller reads those records with plain eth_calls instead of retrying what would fail again.
   */
  const aggregate = async (blockNumber: bigint, requests: RecordRequest[]): Promise<Aggregated[]> => {
    const calldata = encodeAggregate3(contract, requests.map(encodeRecordCall))
    let data: Hex | undefined
    try {
      const answer = await client.governor.run('eth_call:aggregate3', () => client.call({ to: multicall3, data: calldata, blockNumber }))
      data = answer.data
    } catch (error) {
      const kind = classifyRpcError(error)
      if (requests.length > 1 && (kind === 'fatal' || kind === 'range')) {
        const half = Math.ceil(requests.length / 2)
        const [left, right] = await Promise.all([aggregate(blockNumber, requests.slice(0, half)), aggregate(blockNumber, requests.slice(half))])
        return [...left, ...right]
      }
      if (requests.length === 1 && parseRevert(error)) return [{ requests, results: null, error }]
      if (error instanceof RpcError) throw error
      throw new RpcError('eth_call', `aggregate3 of ${requests.length} reads at block ${blockNumber} failed`, { cause: error })
    }
    try {
      const results = decodeAggregate3(data ?? '0x') ?? decodeFunctionResult({ abi: multicall3Abi, functionName: 'aggregate3', data: data ?? '0x' })
      if (results.length !== requests.length) throw new Error(`aggregate3 returned ${results.length} results for ${requests.length} calls`)
      return [{ requests, results }]
    } catch (error) {
      return [{ requests, results: null, error }]
    }
  }
  const byCall = async (blockNumber: bigint, requests: RecordRequest[]) => {
    const results = await readRecordsByCall({ client, contract, blockNumber, requests })
    for (const [i, r] of requests.entries()) out.set(recordKey(r), results[i]!)
  }
  await Promise.all(
    chunks.map(async ({ blockNumber, requests: chunk }) => {
      if (!(await support.hasCodeAt(blockNumber))) {
        support.recordFallback('no_code', blockNumber, chunk.length)
        return byCall(blockNumber, chunk)
      }
      for (const { requests, results, error } of await aggregate(blockNumber, chunk)) {
        if (!results) {
          support.recordFallback('bad_result', blockNumber, requests.length, error)
          await byCall(blockNumber, requests)
          continue
        }
        requests.forEach((r, i) => {
          const res = results[i]!
          out.set(recordKey(r), res.success ? decodeRecordReturn(r, res.returnData, blockNumber) : revertedRecord(res.returnData))
        })
      }
    }),
  )
  return out
}

/** Block header facts needed per log: hash, parent hash, timestamp (unix seconds). */
export type BlockHeader = { number: bigint; hash: Hex; parentHash: Hex; timestamp: bigint }

/** `eth_getBlockByNumber` (no transactions) for each number, batched. */
export async function getBlockHeaders(client: ChainClient, numbers: bigint[]): Promise<Map<bigint, BlockHeader>> {
  const out = new Map<bigint, BlockHeader>()
  await Promise.all(
    [...new Set(numbers)].map(async (n) => {
      const b = await client.governor.run('eth_getBlockByNumber', () => client.getBlock({ blockNumber: n }))
      out.set(n, { number: n, hash: b.hash!.toLowerCase() as Hex, parentHash: b.parentHash.toLowerCase() as Hex, timestamp: b.timestamp })
    }),
  )
  return out
}

/** `eth_getTransactionByHash` for each hash, batched: the sender (`tx.from`) of each transaction. */
export async function getTransactionSenders(client: ChainClient, hashes: Hex[]): Promise<Map<Hex, Address>> {
  const out = new Map<Hex, Address>()
  await Promise.all(
    [...new Set(hashes)].map(async (hash) => {
      const tx = await client.governor.run('eth_getTransactionByHash', () => client.getTransaction({ hash }))
      out.set(hash, tx.from.toLowerCase() as Address)
    }),
  )
  return out
}
