/**
 * Turns raw contract logs into typed Sign Protocol events (viem `decodeEventLog` against the v1.1.x ABI).
 * A log that does not decode is returned as a skipped log with a reason, never thrown.
 * Strings stay exactly as decoded (UTF-8, invalid sequences as U+FFFD, NUL and a leading U+FEFF kept): an off-chain
 * attestation id is read back from the contract by this string, so it must not change here. Rows are made storable
 * in `buildBatch`.
 */
import { type Address, decodeAbiParameters, decodeEventLog, type Hex, hexToBytes, type Log } from 'viem'
import { spEventsAbi } from '../chain/spAbi.js'

/** Where a log is, and its raw topic0 and data (kept so a log that cannot be stored is kept raw as a SkippedLog). */
type LogRef = { blockNumber: bigint; blockHash: Hex; logIndex: number; txHash: Hex; address: Address; topic0: Hex | null; data: Hex }

export type SpEvent =
  | (LogRef & { name: 'SchemaRegistered'; schemaId: bigint })
  | (LogRef & { name: 'AttestationMade'; attestationId: bigint; indexingKey: string })
  | (LogRef & { name: 'AttestationRevoked'; attestationId: bigint; reason: string })
  | (LogRef & { name: 'OffchainAttestationMade'; offchainAttestationId: string })
  | (LogRef & { name: 'OffchainAttestationRevoked'; offchainAttestationId: string; reason: string })

export type SkippedLog = LogRef & { reason: string }

/** Decodes logs in their given order. @returns events and skipped logs (both keep block number, hash, log index). */
export function decodeLogs(logs: Log[]): { events: SpEvent[]; skipped: SkippedLog[] } {
  const events: SpEvent[] = []
  const skipped: SkippedLog[] = []
  for (const log of logs) {
    const ref: LogRef = {
      blockNumber: log.blockNumber!,
      blockHash: log.blockHash!.toLowerCase() as Hex,
      logIndex: log.logIndex!,
      txHash: log.transactionHash!.toLowerCase() as Hex,
      address: log.address.toLowerCase() as Address,
      topic0: (log.topics[0] ?? null) as Hex | null,
      data: log.data,
    }
    try {
      const { eventName, args } = decodeEventLog({ abi: spEventsAbi, data: log.data, topics: log.topics, strict: true })
      const a = { ...(args as Record<string, unknown>), ...exactStrings(eventName, log.data) }
      switch (eventName) {
        case 'SchemaRegistered':
          events.push({ ...ref, name: eventName, schemaId: a.schemaId as bigint })
          break
        case 'AttestationMade':
          events.push({ ...ref, name: eventName, attestationId: a.attestationId as bigint, indexingKey: a.indexingKey as string })
          break
        case 'AttestationRevoked':
          events.push({ ...ref, name: eventName, attestationId: a.attestationId as bigint, reason: a.reason as string })
          break
        case 'OffchainAttestationMade':
          events.push({ ...ref, name: eventName, offchainAttestationId: a.attestationId as string })
          break
        case 'OffchainAttestationRevoked':
          events.push({ ...ref, name: eventName, offchainAttestationId: a.attestationId as string, reason: a.reason as string })
          break
      }
    } catch (error) {
      const reason = (error as Error).name === 'AbiEventSignatureNotFoundError' ? 'UNKNOWN_EVENT' : 'UNDECODABLE_LOG'
      skipped.push({ ...ref, reason: `${reason}: ${firstLine((error as Error).message)}` })
    }
  }
  return { events, skipped }
}

const TEXT = new TextDecoder('utf-8', { ignoreBOM: true })

/**
 * The event's string arguments decoded again as bytes, then as lenient UTF-8 that keeps a leading U+FEFF (viem's
 * default TextDecoder drops it: an indexing key "\uFEFFk" became "k", an off-chain id read back another record).
 */
function exactStrings(eventName: string, data: Hex): Record<string, string> {
  const inputs = spEventsAbi.find((e) => e.name === eventName)!.inputs
  const values = decodeAbiParameters(
    inputs.map((i) => ({ type: i.type === 'string' ? 'bytes' : i.type })),
    data,
  )
  const out: Record<string, string> = {}
  inputs.forEach((input, i) => {
    if (input.type === 'string') out[input.name!] = TEXT.decode(hexToBytes(values[i] as Hex))
  })
  return out
}

function firstLine(s: string) {
  return s.split('\n')[0]!.slice(0, 300)
}
