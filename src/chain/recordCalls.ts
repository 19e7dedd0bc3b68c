/**
 * Calldata and return data of the three SP record reads, shared by the Multicall3 path (readRecords.ts) and the
 * plain `eth_call` path (readRecordsByCall.ts) so both encode, decode and report failures identically:
 * `getAttestation(uint64)`, `getSchema(uint64)`, `getOffchainAttestation(string)` (sign-protocol-facts.md, "Structs").
 */
import { decodeFunctionResult, encodeFunctionData, type Hex, toFunctionSelector } from 'viem'
import { RpcError } from '../errors/baseError.js'
import { spReadAbi } from './spAbi.js'
import { decodeAttestationResult } from './decodeAttestationResult.js'
import type { RecordRequest, RecordResult } from './records.js'

const GET_ATTESTATION_SELECTOR = toFunctionSelector('getAttestation(uint64)')

/** The SP view function that reads a request's record. */
export function recordFunctionName(r: RecordRequest): 'getAttestation' | 'getSchema' | 'getOffchainAttestation' {
  return r.kind === 'attestation' ? 'getAttestation' : r.kind === 'schema' ? 'getSchema' : 'getOffchainAttestation'
}

/** @returns the calldata of the request's SP view call (`getAttestation` encoded by hand: it is the hot path). */
export function encodeRecordCall(r: RecordRequest): Hex {
  if (r.kind === 'attestation') return `${GET_ATTESTATION_SELECTOR}${r.id.toString(16).padStart(64, '0')}` as Hex
  return encodeFunctionData({ abi: spReadAbi, functionName: recordFunctionName(r), args: [r.id] } as never)
}

/**
 * Decodes the return data of a successful call: the fast `getAttestation` decoder first, viem's strict decoder
 * otherwise. Data that does not decode is `{ ok: false, error: 'undecodable return data: …' }` (stored as a skipped
 * log: the contract's own answer).
 * @param blockNumber the block the call was pinned to (for the error)
 * @throws {RpcError} (retryable) for EMPTY return data of a call that succeeded: the three views always return an
 *   ABI-encoded value, and the contract has code at a block where it emitted a log, so `0x` is the node answering
 *   without the contract's state at that block (seen from anvil after reorgs; load-balanced nodes behind on state do
 *   the same). Skipping would lose the record for good; the sync loop retries and reports the chain stalled instead.
 */
export function decodeRecordReturn(r: RecordRequest, data: Hex, blockNumber: bigint): RecordResult {
  if (data === '0x')
    throw new RpcError(
      'eth_call',
      `${recordFunctionName(r)}(${r.id}) at block ${blockNumber} returned no data: the node has no state for the contract at that block`,
    )
  try {
    const value =
      (r.kind === 'attestation' ? decodeAttestationResult(data) : null) ??
      decodeFunctionResult({ abi: spReadAbi, functionName: recordFunctionName(r), data } as never)
    return { ok: true, value: value as never }
  } catch (error) {
    return { ok: false, error: `undecodable return data: ${String((error as Error).message).split('\n')[0]}` }
  }
}

/** The result of a call that reverted: `reverted (<first 4 bytes of the revert data, or 0x>)`. */
export function revertedRecord(revertData: Hex | undefined): RecordResult {
  return { ok: false, error: `reverted (${(revertData ?? '0x').slice(0, 10)})` }
}
