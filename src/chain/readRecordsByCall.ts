/**
 * Record reads without Multicall3: one plain `eth_call` of `getAttestation` / `getSchema` / `getOffchainAttestation`
 * per record, pinned to the block, all issued at once so the HTTP transport packs them into JSON-RPC batches
 * (createChainClient.ts) under the chain's governor (rpcGovernor.ts: concurrency and retries). Used where the
 * Multicall3 address has no code at the block, or answered something that is not Multicall3's.
 */
import { type Address, BaseError as ViemBaseError, ExecutionRevertedError, type Hex, isHex } from 'viem'
import type { ChainClient } from './createChainClient.js'
import { RpcError } from '../errors/baseError.js'
import type { RecordRequest, RecordResult } from './records.js'
import { decodeRecordReturn, encodeRecordCall, recordFunctionName, revertedRecord } from './recordCalls.js'

export type ReadRecordsByCallParameters = {
  client: ChainClient
  /** the SP contract */
  contract: Address
  /** every call is pinned to this block (state at its end) */
  blockNumber: bigint
  requests: readonly RecordRequest[]
}

/**
 * @returns one result per request, in request order: the decoded struct, or why the call failed — a revert is
 *   `{ ok: false, error: 'reverted (<selector>)' }`, exactly as a failed aggregate3 sub-call (data, not an exception).
 * @throws {RpcError} when an `eth_call` fails for another reason after the governor's retries, or answers no data
 *   (decodeRecordReturn)
 */
export async function readRecordsByCall(params: ReadRecordsByCallParameters): Promise<RecordResult[]> {
  const { client, contract, blockNumber } = params
  return Promise.all(
    params.requests.map(async (r) => {
      let data: Hex | undefined
      try {
        ;({ data } = await client.governor.run(`eth_call:${recordFunctionName(r)}`, async () => {
          const answer = await client.call({ to: contract, data: encodeRecordCall(r), blockNumber })
          // no data from the contract at a block where it emitted the record's log: a node without that block's state
          // (SP's getters always return an encoded struct). Retried for this call alone, under the governor's policy:
          // thrown after the call, one empty answer among a batch's calls failed the whole range, and with a node that
          // answers so now and then, a range of many records almost never got through
          if (!answer.data || answer.data === '0x')
            throw new RpcError(
              'eth_call',
              `${recordFunctionName(r)}(${r.id}) at block ${blockNumber} returned no data: the node has no state for the contract at that block`,
            )
          return answer
        }))
      } catch (error) {
        const revert = parseRevert(error)
        if (revert) return revertedRecord(revert.data)
        throw new RpcError('eth_call', `${recordFunctionName(r)}(${r.id}) at block ${blockNumber} failed`, { cause: error })
      }
      return decodeRecordReturn(r, data ?? '0x', blockNumber)
    }),
  )
}

/**
 * Whether an `eth_call` error (viem's, with its `cause` chain) is the call reverting — viem's ExecutionRevertedError,
 * JSON-RPC error code 3, or a node's "execution reverted" message.
 * @returns `{ data }` with the revert data the node sent (often none), or null when the error is something else
 */
export function parseRevert(error: unknown): { data: Hex | undefined } | null {
  if (!(error instanceof ViemBaseError)) return null
  let reverted = false
  let data: Hex | undefined
  for (
    let e = error as unknown as Record<string, unknown> | undefined, depth = 0;
    e && depth < 8;
    e = e.cause as Record<string, unknown> | undefined, depth++
  ) {
    if (e instanceof ExecutionRevertedError || e.code === 3 || /execution reverted/i.test(String(e.details ?? e.message ?? ''))) reverted = true
    const d = typeof e.data === 'object' && e.data !== null ? (e.data as { data?: unknown }).data : e.data
    if (data === undefined && typeof d === 'string' && isHex(d)) data = d
  }
  return reverted ? { data } : null
}
