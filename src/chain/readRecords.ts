/**
 * Batched, block-pinned reads of Sign Protocol records: one Multicall3 `aggregate3` per block (all the
 * `getAttestation` / `getSchema` / `getOffchainAttestation` calls whose logs are in that block), issued
 * concurrently so the HTTP transport packs them into JSON-RPC batches. Reads are pinned to the log's block
 * number (state at the end of that block).
 */
import { type Address, decodeFunctionResult, encodeFunctionData, type Hex, multicall3Abi, type PublicClient, toFunctionSelector } from 'viem'
import { RpcError } from '../errors/baseError.js'
import { spReadAbi } from '../ingest/abi.js'
import { decodeAttestationResult } from './decodeAttestationResult.js'
import { classifyRpcError } from './rpcGovernor.js'
import { timed } from './timed.js'

const GET_ATTESTATION_SELECTOR = toFunctionSelector('getAttestation(uint64)')

export type RecordRequest =
  | { kind: 'attestation'; id: bigint; blockNumber: bigint }
  | { kind: 'schema'; id: bigint; blockNumber: bigint }
  | { kind: 'offchain'; id: string; blockNumber: bigint }

export type OnchainSchema = {
  registrant: Address
  revocable: boolean
  dataLocation: number
  maxValidFor: bigint
  hook: Address
  timestamp: bigint
  data: string
}
export type OnchainAttestation = {
  schemaId: bigint
  linkedAttestationId: bigint
  attestTimestamp: bigint
  revokeTimestamp: bigint
  attester: Address
  validUntil: bigint
  dataLocation: number
  revoked: boolean
  recipients: readonly Hex[]
  data: Hex
}
export type OnchainOffchainAttestation = { attester: Address; timestamp: bigint }

export type RecordResult =
  | { ok: true; value: OnchainSchema | OnchainAttestation | OnchainOffchainAttestation }
  | { ok: false; error: string }

/** Key of a request in the result map: `${kind}:${id}:${blockNumber}`. */
export const recordKey = (r: RecordRequest) => `${r.kind}:${r.id}:${r.blockNumber}`

export type ReadRecordsParameters = {
  client: PublicClient
  contract: Address
  multicall3: Address
  requests: RecordRequest[]
  /** max calls in one aggregate3 (default 250: ~110 KB of calldata, so a JSON-RPC batch of 4 stays far below anvil's body limit, between 2 and 5 MB) */
  callsPerMulticall?: number
}

/**
 * @returns a map from {@link recordKey} to the decoded struct, or to the reason the call failed
 *   (a reverting call is data, not an exception).
 * @throws {RpcError} when the multicall itself fails after retries.
 */
export async function readRecords(params: ReadRecordsParameters): Promise<Map<string, RecordResult>> {
  const { client, contract, multicall3 } = params
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
   * cap, or any revert of the aggregate) the chunk is split in halves and each half retried: a cap we do not know
   * costs a few more calls, never a stuck range.
   */
  const aggregate = async (blockNumber: bigint, requests: RecordRequest[]): Promise<{ requests: RecordRequest[]; fns: string[]; results: readonly { success: boolean; returnData: Hex }[] }[]> => {
    const fns = requests.map((r) => (r.kind === 'attestation' ? 'getAttestation' : r.kind === 'schema' ? 'getSchema' : 'getOffchainAttestation'))
    const calls = requests.map((r, i) => ({
      target: contract,
      allowFailure: true,
      callData: r.kind === 'attestation'
        ? (`${GET_ATTESTATION_SELECTOR}${(r.id as bigint).toString(16).padStart(64, '0')}` as Hex)
        : encodeFunctionData({ abi: spReadAbi, functionName: fns[i]!, args: [r.id] } as never),
    }))
    try {
      const { data } = await timed(client, 'eth_call:aggregate3', () =>
        client.call({ to: multicall3, data: encodeFunctionData({ abi: multicall3Abi, functionName: 'aggregate3', args: [calls] }), blockNumber }),
      )
      const results = decodeFunctionResult({ abi: multicall3Abi, functionName: 'aggregate3', data: data ?? '0x' })
      if (results.length !== requests.length) throw new RpcError('eth_call', `aggregate3 returned ${results.length} results for ${requests.length} calls`)
      return [{ requests, fns, results }]
    } catch (error) {
      if (requests.length > 1 && classifyRpcError(error) === 'fatal') {
        const half = Math.ceil(requests.length / 2)
        const [left, right] = await Promise.all([aggregate(blockNumber, requests.slice(0, half)), aggregate(blockNumber, requests.slice(half))])
        return [...left, ...right]
      }
      if (error instanceof RpcError) throw error
      throw new RpcError('eth_call', `aggregate3 of ${requests.length} reads at block ${blockNumber} failed`, { cause: error })
    }
  }
  await Promise.all(
    chunks.map(async ({ blockNumber, requests: chunk }) => {
      for (const { requests, fns, results } of await aggregate(blockNumber, chunk)) {
        requests.forEach((r, i) => {
          const res = results[i]!
          if (!res.success) {
            out.set(recordKey(r), { ok: false, error: `reverted (${res.returnData.slice(0, 10)})` })
            return
          }
          try {
            const value = (r.kind === 'attestation' ? decodeAttestationResult(res.returnData) : null) ??
              decodeFunctionResult({ abi: spReadAbi, functionName: fns[i]!, data: res.returnData } as never)
            out.set(recordKey(r), { ok: true, value: value as never })
          } catch (error) {
            out.set(recordKey(r), { ok: false, error: `undecodable return data: ${String((error as Error).message).split('\n')[0]}` })
          }
        })
      }
    }),
  )
  return out
}

/** Block header facts needed per log: hash, parent hash, timestamp (unix seconds). */
export type BlockHeader = { number: bigint; hash: Hex; parentHash: Hex; timestamp: bigint }

/** `eth_getBlockByNumber` (no transactions) for each number, batched. */
export async function getBlockHeaders(client: PublicClient, numbers: bigint[]): Promise<Map<bigint, BlockHeader>> {
  const out = new Map<bigint, BlockHeader>()
  await Promise.all(
    [...new Set(numbers)].map(async (n) => {
      const b = await timed(client, 'eth_getBlockByNumber', () => client.getBlock({ blockNumber: n }))
      out.set(n, { number: n, hash: b.hash!.toLowerCase() as Hex, parentHash: b.parentHash.toLowerCase() as Hex, timestamp: b.timestamp })
    }),
  )
  return out
}

/** `eth_getTransactionByHash` for each hash, batched: the sender (`tx.from`) of each transaction. */
export async function getTransactionSenders(client: PublicClient, hashes: Hex[]): Promise<Map<Hex, Address>> {
  const out = new Map<Hex, Address>()
  await Promise.all(
    [...new Set(hashes)].map(async (hash) => {
      const tx = await timed(client, 'eth_getTransactionByHash', () => client.getTransaction({ hash }))
      out.set(hash, tx.from.toLowerCase() as Address)
    }),
  )
  return out
}
