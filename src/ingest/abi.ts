/**
 * The parts of the Sign Protocol v1.1.x ABI the indexer reads: the five events (no parameter is indexed,
 * so logs are filtered by address + topic0 only) and the `get*` views. Source: ISP.sol and models/*.sol
 * of `@ethsign/sign-protocol-evm`.
 */
import { parseAbi, toEventSelector } from 'viem'

const STRUCTS = [
  'struct Schema { address registrant; bool revocable; uint8 dataLocation; uint64 maxValidFor; address hook; uint64 timestamp; string data; }',
  'struct Attestation { uint64 schemaId; uint64 linkedAttestationId; uint64 attestTimestamp; uint64 revokeTimestamp; address attester; uint64 validUntil; uint8 dataLocation; bool revoked; bytes[] recipients; bytes data; }',
  'struct OffchainAttestation { address attester; uint64 timestamp; }',
] as const

export const spEventsAbi = parseAbi([
  'event SchemaRegistered(uint64 schemaId)',
  'event AttestationMade(uint64 attestationId, string indexingKey)',
  'event AttestationRevoked(uint64 attestationId, string reason)',
  'event OffchainAttestationMade(string attestationId)',
  'event OffchainAttestationRevoked(string attestationId, string reason)',
])

export const spReadAbi = parseAbi([
  ...STRUCTS,
  'function getSchema(uint64 schemaId) view returns (Schema)',
  'function getAttestation(uint64 attestationId) view returns (Attestation)',
  'function getOffchainAttestation(string offchainAttestationId) view returns (OffchainAttestation)',
  'function attestationCounter() view returns (uint64)',
  'function schemaCounter() view returns (uint64)',
])

/** topic0 of each v1.1.x event, the filter for `eth_getLogs`. */
export const SP_TOPICS = {
  SchemaRegistered: toEventSelector(spEventsAbi[0]),
  AttestationMade: toEventSelector(spEventsAbi[1]),
  AttestationRevoked: toEventSelector(spEventsAbi[2]),
  OffchainAttestationMade: toEventSelector(spEventsAbi[3]),
  OffchainAttestationRevoked: toEventSelector(spEventsAbi[4]),
} as const

export const SP_TOPIC0S = Object.values(SP_TOPICS)
