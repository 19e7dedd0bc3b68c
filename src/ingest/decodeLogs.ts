/**
 * Turns raw contract logs into typed Sign Protocol events (viem `decodeEventLog` against the v1.1.x ABI).
 * A log that does not decode is returned as a skipped log with a reason, never thrown.
 * Strings stay exactly as decoded (UTF-8, invalid sequences as U+FFFD, NUL and a leading U+FEFF kept): an off-chain
 * attestation id is read back from the contract by this string, so it must not change here. Rows are made storable
 * in `buildBatch`.
 */
import { type Address, decodeAbiParameters, decodeEventLog, type Hex, hexToBytes, type Log } from 'viem'
import { SP_EVENT_TOPICS, spEventsAbi } from '../chain/spAbi.js'

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
    const topic0 = log.topics.length === 1 ? log.topics[0]!.toLowerCase() : undefined
    if (topic0 === SP_EVENT_TOPICS.AttestationMade || topic0 === SP_EVENT_TOPICS.AttestationRevoked) {
      const fast = decodeIdAndString(log.data)
      if (fast) {
        if (topic0 === SP_EVENT_TOPICS.AttestationMade) events.push({ ...ref, name: 'AttestationMade', attestationId: fast.id, indexingKey: fast.text })
        else events.push({ ...ref, name: 'AttestationRevoked', attestationId: fast.id, reason: fast.text })
        continue
      }
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
const WORD = 64 // hex characters per 32-byte word
const HEX16 = /^[0-9a-f]{16}$/i

/** whether the `count` hex characters of `hex` from `at` are all '0' */
function zeros(hex: string, at: number, count: number): boolean {
  for (let i = at; i < at + count; i++) if (hex.charCodeAt(i) !== 48) return false
  return true
}

/**
 * The hot path of backfill (`AttestationMade`, also `AttestationRevoked`): data `abi.encode(uint64, string)` in the
 * canonical layout — id word, offset 0x40, length, the bytes zero-padded to a word, nothing after — decoded by hand
 * exactly as the generic path decodes it (viem's decodeEventLog then {@link exactStrings}: the string as lenient
 * UTF-8 keeping a leading U+FEFF). Anything else is null and goes through the generic path. Exported for its test.
 * @returns the id and string, or null when `data` is not in that canonical layout
 */
export function decodeIdAndString(data: Hex): { id: bigint; text: string } | null {
  const hex = data.slice(2)
  if (hex.length < 3 * WORD || !zeros(hex, 0, WORD - 16) || !zeros(hex, WORD, WORD - 2) || hex.slice(2 * WORD - 2, 2 * WORD) !== '40') return null
  if (!zeros(hex, 2 * WORD, WORD - 8)) return null
  const length = Number.parseInt(hex.slice(3 * WORD - 8, 3 * WORD), 16)
  const padded = Math.ceil(length / 32) * WORD
  if (hex.length !== 3 * WORD + padded || !zeros(hex, 3 * WORD + length * 2, padded - length * 2)) return null
  const bytes = Buffer.from(hex.slice(3 * WORD, 3 * WORD + length * 2), 'hex')
  if (bytes.length !== length) return null // a character that is not hex
  const idHex = hex.slice(WORD - 16, WORD)
  if (!HEX16.test(idHex)) return null
  return { id: BigInt(`0x${idHex}`), text: TEXT.decode(bytes) }
}

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
