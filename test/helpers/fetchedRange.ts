/**
 * Fetched ranges built by hand, for suites that drive the ingest stage (buildBatch + commit) with records no RPC
 * is needed for: each spec is one contract log with the record its read returned (or the read's error).
 */
import { type Address, encodeAbiParameters, type Hex, stringToHex } from 'viem'
import { type OnchainAttestation, type OnchainOffchainAttestation, type OnchainSchema, recordKey, type RecordResult } from '../../src/chain/records.js'
import { SP_EVENT_TOPICS } from '../../src/chain/spAbi.js'
import type { SpEvent } from '../../src/ingest/decodeLogs.js'
import type { FetchedRange } from '../../src/ingest/fetchRange.js'

type ReadOf<T> = T | { error: string }

export type LogSpec =
  | { name: 'SchemaRegistered'; schemaId: bigint; schema: ReadOf<OnchainSchema> }
  | { name: 'AttestationMade'; attestationId: bigint; indexingKey: string; attestation: ReadOf<OnchainAttestation> }
  | { name: 'AttestationRevoked'; attestationId: bigint; reason: string }
  | { name: 'OffchainAttestationMade'; offchainAttestationId: string; offchain: ReadOf<OnchainOffchainAttestation> }
  | { name: 'OffchainAttestationRevoked'; offchainAttestationId: string; reason: string }

export const CONTRACT = '0x00000000000000000000000000000000000000aa' as Address
export const SENDER = '0x00000000000000000000000000000000000000bb' as Address

const word = (prefix: number, n: bigint): Hex => `0x${prefix.toString(16).padStart(2, '0')}${n.toString(16).padStart(62, '0')}`
export const blockHashOf = (n: bigint) => word(0xb1, n)

/** abi.encode of the event's arguments, strings as their UTF-8 bytes (what the contract would have logged). */
function logData(spec: LogSpec): Hex {
  const str = (s: string) => stringToHex(s)
  switch (spec.name) {
    case 'SchemaRegistered':
      return encodeAbiParameters([{ type: 'uint64' }], [spec.schemaId])
    case 'AttestationMade':
      return encodeAbiParameters([{ type: 'uint64' }, { type: 'bytes' }], [spec.attestationId, str(spec.indexingKey)])
    case 'AttestationRevoked':
      return encodeAbiParameters([{ type: 'uint64' }, { type: 'bytes' }], [spec.attestationId, str(spec.reason)])
    case 'OffchainAttestationMade':
      return encodeAbiParameters([{ type: 'bytes' }], [str(spec.offchainAttestationId)])
    case 'OffchainAttestationRevoked':
      return encodeAbiParameters([{ type: 'bytes' }, { type: 'bytes' }], [str(spec.offchainAttestationId), str(spec.reason)])
  }
}

const toResult = <T>(read: ReadOf<T>): RecordResult =>
  read && typeof read === 'object' && 'error' in read ? { ok: false, error: (read as { error: string }).error } : ({ ok: true, value: read } as RecordResult)

/**
 * @param specs the logs in order; `logsPerBlock` of them share a block (default 3)
 * @returns a FetchedRange over [fromBlock, last block with a log] (at least fromBlock), every header present and
 *   linked, as fetchPiece returns it
 */
export function toFetchedRange(specs: LogSpec[], opts: { fromBlock: bigint; logsPerBlock?: number }): FetchedRange {
  const per = opts.logsPerBlock ?? 3
  const events: SpEvent[] = []
  const records = new Map<string, RecordResult>()
  const senders = new Map<Hex, Address>()
  specs.forEach((spec, i) => {
    const blockNumber = opts.fromBlock + BigInt(Math.floor(i / per))
    const txHash = word(0x7e, blockNumber * 1_000n + BigInt(i))
    senders.set(txHash, SENDER)
    const ref = {
      blockNumber,
      blockHash: blockHashOf(blockNumber),
      logIndex: i % per,
      txHash,
      address: CONTRACT,
      topic0: SP_EVENT_TOPICS[spec.name],
      data: logData(spec),
    }
    switch (spec.name) {
      case 'SchemaRegistered':
        events.push({ ...ref, name: spec.name, schemaId: spec.schemaId })
        records.set(recordKey({ kind: 'schema', id: spec.schemaId, blockNumber }), toResult(spec.schema))
        break
      case 'AttestationMade':
        events.push({ ...ref, name: spec.name, attestationId: spec.attestationId, indexingKey: spec.indexingKey })
        records.set(recordKey({ kind: 'attestation', id: spec.attestationId, blockNumber }), toResult(spec.attestation))
        break
      case 'AttestationRevoked':
        events.push({ ...ref, name: spec.name, attestationId: spec.attestationId, reason: spec.reason })
        break
      case 'OffchainAttestationMade':
        events.push({ ...ref, name: spec.name, offchainAttestationId: spec.offchainAttestationId })
        records.set(recordKey({ kind: 'offchain', id: spec.offchainAttestationId, blockNumber }), toResult(spec.offchain))
        break
      case 'OffchainAttestationRevoked':
        events.push({ ...ref, name: spec.name, offchainAttestationId: spec.offchainAttestationId, reason: spec.reason })
        break
    }
  })
  const toBlock = opts.fromBlock + BigInt(Math.max(0, Math.ceil(specs.length / per) - 1))
  const blocks = new Map<bigint, { number: bigint; hash: Hex; parentHash: Hex; timestamp: bigint }>()
  for (let n = opts.fromBlock; n <= toBlock; n++)
    blocks.set(n, { number: n, hash: blockHashOf(n), parentHash: blockHashOf(n - 1n), timestamp: 1_700_000_000n + n })
  return { fromBlock: opts.fromBlock, toBlock, events, skipped: [], records, blocks, senders, verified: true }
}

/** A schema record with defaults (revocable, ONCHAIN, no hook). */
export const schemaRecord = (data: string): OnchainSchema => ({
  registrant: SENDER,
  revocable: true,
  dataLocation: 0,
  maxValidFor: 0n,
  hook: '0x0000000000000000000000000000000000000000',
  timestamp: 1_700_000_000n,
  data,
})

/** An attestation record with defaults (no link, never expires, ONCHAIN, no recipients). */
export const attestationRecord = (over: Partial<OnchainAttestation> & { schemaId: bigint }): OnchainAttestation => ({
  linkedAttestationId: 0n,
  attestTimestamp: 1_700_000_000n,
  revokeTimestamp: 0n,
  attester: SENDER,
  validUntil: 0n,
  dataLocation: 0,
  revoked: false,
  recipients: [],
  data: '0x',
  ...over,
})
