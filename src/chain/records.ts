/**
 * What is read of Sign Protocol records at a block: the requests (`getAttestation` / `getSchema` /
 * `getOffchainAttestation` pinned to a log's block) and their decoded results. Types only (plus the map key),
 * shared by readRecords.ts, readRecordsByCall.ts, recordCalls.ts and decodeAttestationResult.ts so none of them
 * imports another for its types.
 */
import type { Address, Hex } from 'viem'

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

export type RecordResult = { ok: true; value: OnchainSchema | OnchainAttestation | OnchainOffchainAttestation } | { ok: false; error: string }

/** Key of a request in the result map: `${kind}:${id}:${blockNumber}`. */
export const recordKey = (r: RecordRequest) => `${r.kind}:${r.id}:${r.blockNumber}`
