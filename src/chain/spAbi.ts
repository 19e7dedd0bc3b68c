/**
 * The Sign Protocol (SP v1.1.3) ABI as a viem `as const` ABI, generated from the solc output for
 * `@ethsign/sign-protocol-evm/src/core/SP.sol` and checked against it by `test/devnet.test.ts`.
 *
 * Contains every event and custom error of SP (including the OpenZeppelin bases), and the functions without
 * resolver fees: `register`, `attest(Attestation,string,bytes,bytes)`, `attestBatch(Attestation[],string[],bytes,bytes)`,
 * `attestOffchain`, `attestOffchainBatch`, `revoke(uint64,string,bytes,bytes)`, `revokeBatch(uint64[],string[],bytes,bytes)`,
 * `revokeOffchain`, `revokeOffchainBatch`, the `get*` readers, the counters, every `getDelegated*Hash`, `initialize`,
 * `version`, `owner`, `setPause`, `setGlobalHook`. The overloads taking ETH/ERC20 resolver fees are left out on purpose
 * (viem overload resolution stays unambiguous); they emit the same events.
 *
 * The one ABI of SP in the code: the devnet writer deploys and drives the contract with {@link spAbi}; ingest decodes
 * logs with its event part ({@link spEventsAbi}, {@link SP_TOPIC0S}) and reads records with its view part
 * ({@link spReadAbi}).
 */
import type { AbiParameterToPrimitiveType, Address, Hex } from 'viem'

/** `enum DataLocation { ONCHAIN, ARWEAVE, IPFS, CUSTOM }` (uint8 on the wire). */
export const DataLocation = { ONCHAIN: 0, ARWEAVE: 1, IPFS: 2, CUSTOM: 3 } as const
export type DataLocation = (typeof DataLocation)[keyof typeof DataLocation]

/** Fields of `struct Schema`, in storage/ABI order. */
export const schemaComponents = [
  { name: 'registrant', type: 'address' },
  { name: 'revocable', type: 'bool' },
  { name: 'dataLocation', type: 'uint8' },
  { name: 'maxValidFor', type: 'uint64' },
  { name: 'hook', type: 'address' },
  { name: 'timestamp', type: 'uint64' },
  { name: 'data', type: 'string' },
] as const

/** Fields of `struct Attestation`, in storage/ABI order. */
export const attestationComponents = [
  { name: 'schemaId', type: 'uint64' },
  { name: 'linkedAttestationId', type: 'uint64' },
  { name: 'attestTimestamp', type: 'uint64' },
  { name: 'revokeTimestamp', type: 'uint64' },
  { name: 'attester', type: 'address' },
  { name: 'validUntil', type: 'uint64' },
  { name: 'dataLocation', type: 'uint8' },
  { name: 'revoked', type: 'bool' },
  { name: 'recipients', type: 'bytes[]' },
  { name: 'data', type: 'bytes' },
] as const

/** Fields of `struct OffchainAttestation`. */
export const offchainAttestationComponents = [
  { name: 'attester', type: 'address' },
  { name: 'timestamp', type: 'uint64' },
] as const

/** `Schema` as viem encodes/decodes it (uint64 -> bigint, uint8 -> number). */
export type SpSchema = AbiParameterToPrimitiveType<{ type: 'tuple'; components: typeof schemaComponents }>
/** `Attestation` as viem encodes/decodes it. */
export type SpAttestation = AbiParameterToPrimitiveType<{ type: 'tuple'; components: typeof attestationComponents }>
/** `OffchainAttestation` as viem decodes it. */
export type SpOffchainAttestation = { attester: Address; timestamp: bigint }

/** topic0 of the five SP v1.1.x events (no parameter is indexed). */
export const SP_EVENT_TOPICS = {
  SchemaRegistered: '0xd0f9818d35b9c7d941f89e81a08a7f4761384ae32aeaf4a913b94319a321e7ff',
  AttestationMade: '0x38b331f00373c8b0f9af5a4273ca1b91e894fec999bfa4ec787e8c90a5c8b05c',
  AttestationRevoked: '0x294c02ce66be799794a712d72e9926c40a3cb2738a51571523ffe23be2c6fb01',
  OffchainAttestationMade: '0x6f0bf119c2fc55752051c1cfde5d145fdd499c7f748df7920409c72319ff6027',
  OffchainAttestationRevoked: '0x8cdef7ac4262df432ef960b4d902483c56118d54647a70746d99abc05cb970ba',
} as const satisfies Record<string, Hex>

/** SP v1.1.3 ABI (see the file comment for what is included). */
export const spAbi = [
  { type: 'error', name: 'AddressEmptyCode', inputs: [{ name: 'target', type: 'address' }] },
  { type: 'error', name: 'AttestationAlreadyRevoked', inputs: [] },
  { type: 'error', name: 'AttestationInvalidDuration', inputs: [] },
  { type: 'error', name: 'AttestationIrrevocable', inputs: [] },
  { type: 'error', name: 'AttestationNonexistent', inputs: [] },
  { type: 'error', name: 'AttestationWrongAttester', inputs: [] },
  { type: 'error', name: 'ERC1967InvalidImplementation', inputs: [{ name: 'implementation', type: 'address' }] },
  { type: 'error', name: 'ERC1967NonPayable', inputs: [] },
  { type: 'error', name: 'FailedInnerCall', inputs: [] },
  { type: 'error', name: 'InvalidDelegateSignature', inputs: [] },
  { type: 'error', name: 'InvalidInitialization', inputs: [] },
  { type: 'error', name: 'LegacySPRequired', inputs: [] },
  { type: 'error', name: 'NotInitializing', inputs: [] },
  { type: 'error', name: 'OffchainAttestationAlreadyRevoked', inputs: [] },
  { type: 'error', name: 'OffchainAttestationExists', inputs: [] },
  { type: 'error', name: 'OffchainAttestationNonexistent', inputs: [] },
  { type: 'error', name: 'OwnableInvalidOwner', inputs: [{ name: 'owner', type: 'address' }] },
  { type: 'error', name: 'OwnableUnauthorizedAccount', inputs: [{ name: 'account', type: 'address' }] },
  { type: 'error', name: 'Paused', inputs: [] },
  { type: 'error', name: 'SchemaNonexistent', inputs: [] },
  { type: 'error', name: 'SchemaWrongRegistrant', inputs: [] },
  { type: 'error', name: 'UUPSUnauthorizedCallContext', inputs: [] },
  { type: 'error', name: 'UUPSUnsupportedProxiableUUID', inputs: [{ name: 'slot', type: 'bytes32' }] },
  {
    type: 'event',
    name: 'AttestationMade',
    anonymous: false,
    inputs: [
      { name: 'attestationId', type: 'uint64', indexed: false },
      { name: 'indexingKey', type: 'string', indexed: false },
    ],
  },
  {
    type: 'event',
    name: 'AttestationRevoked',
    anonymous: false,
    inputs: [
      { name: 'attestationId', type: 'uint64', indexed: false },
      { name: 'reason', type: 'string', indexed: false },
    ],
  },
  {
    type: 'event',
    name: 'Initialized',
    anonymous: false,
    inputs: [{ name: 'version', type: 'uint64', indexed: false }],
  },
  {
    type: 'event',
    name: 'OffchainAttestationMade',
    anonymous: false,
    inputs: [{ name: 'attestationId', type: 'string', indexed: false }],
  },
  {
    type: 'event',
    name: 'OffchainAttestationRevoked',
    anonymous: false,
    inputs: [
      { name: 'attestationId', type: 'string', indexed: false },
      { name: 'reason', type: 'string', indexed: false },
    ],
  },
  {
    type: 'event',
    name: 'OwnershipTransferred',
    anonymous: false,
    inputs: [
      { name: 'previousOwner', type: 'address', indexed: true },
      { name: 'newOwner', type: 'address', indexed: true },
    ],
  },
  {
    type: 'event',
    name: 'SchemaRegistered',
    anonymous: false,
    inputs: [{ name: 'schemaId', type: 'uint64', indexed: false }],
  },
  {
    type: 'event',
    name: 'Upgraded',
    anonymous: false,
    inputs: [{ name: 'implementation', type: 'address', indexed: true }],
  },
  {
    type: 'function',
    name: 'attest',
    stateMutability: 'nonpayable',
    inputs: [
      { name: 'attestation', type: 'tuple', components: attestationComponents },
      { name: 'indexingKey', type: 'string' },
      { name: 'delegateSignature', type: 'bytes' },
      { name: 'extraData', type: 'bytes' },
    ],
    outputs: [{ name: '', type: 'uint64' }],
  },
  {
    type: 'function',
    name: 'attestBatch',
    stateMutability: 'nonpayable',
    inputs: [
      { name: 'attestations', type: 'tuple[]', components: attestationComponents },
      { name: 'indexingKeys', type: 'string[]' },
      { name: 'delegateSignature', type: 'bytes' },
      { name: 'extraData', type: 'bytes' },
    ],
    outputs: [{ name: 'attestationIds', type: 'uint64[]' }],
  },
  {
    type: 'function',
    name: 'attestOffchain',
    stateMutability: 'nonpayable',
    inputs: [
      { name: 'offchainAttestationId', type: 'string' },
      { name: 'delegateAttester', type: 'address' },
      { name: 'delegateSignature', type: 'bytes' },
    ],
    outputs: [],
  },
  {
    type: 'function',
    name: 'attestOffchainBatch',
    stateMutability: 'nonpayable',
    inputs: [
      { name: 'attestationIds', type: 'string[]' },
      { name: 'delegateAttester', type: 'address' },
      { name: 'delegateSignature', type: 'bytes' },
    ],
    outputs: [],
  },
  {
    type: 'function',
    name: 'attestationCounter',
    stateMutability: 'view',
    inputs: [],
    outputs: [{ name: '', type: 'uint64' }],
  },
  {
    type: 'function',
    name: 'getAttestation',
    stateMutability: 'view',
    inputs: [{ name: 'attestationId', type: 'uint64' }],
    outputs: [{ name: '', type: 'tuple', components: attestationComponents }],
  },
  {
    type: 'function',
    name: 'getDelegatedAttestBatchHash',
    stateMutability: 'pure',
    inputs: [{ name: 'attestations', type: 'tuple[]', components: attestationComponents }],
    outputs: [{ name: '', type: 'bytes32' }],
  },
  {
    type: 'function',
    name: 'getDelegatedAttestHash',
    stateMutability: 'pure',
    inputs: [{ name: 'attestation', type: 'tuple', components: attestationComponents }],
    outputs: [{ name: '', type: 'bytes32' }],
  },
  {
    type: 'function',
    name: 'getDelegatedOffchainAttestBatchHash',
    stateMutability: 'pure',
    inputs: [{ name: 'offchainAttestationIds', type: 'string[]' }],
    outputs: [{ name: '', type: 'bytes32' }],
  },
  {
    type: 'function',
    name: 'getDelegatedOffchainAttestHash',
    stateMutability: 'pure',
    inputs: [{ name: 'offchainAttestationId', type: 'string' }],
    outputs: [{ name: '', type: 'bytes32' }],
  },
  {
    type: 'function',
    name: 'getDelegatedOffchainRevokeBatchHash',
    stateMutability: 'pure',
    inputs: [
      { name: 'offchainAttestationIds', type: 'string[]' },
      { name: 'reasons', type: 'string[]' },
    ],
    outputs: [{ name: '', type: 'bytes32' }],
  },
  {
    type: 'function',
    name: 'getDelegatedOffchainRevokeHash',
    stateMutability: 'pure',
    inputs: [
      { name: 'offchainAttestationId', type: 'string' },
      { name: 'reason', type: 'string' },
    ],
    outputs: [{ name: '', type: 'bytes32' }],
  },
  {
    type: 'function',
    name: 'getDelegatedRegisterHash',
    stateMutability: 'pure',
    inputs: [{ name: 'schema', type: 'tuple', components: schemaComponents }],
    outputs: [{ name: '', type: 'bytes32' }],
  },
  {
    type: 'function',
    name: 'getDelegatedRevokeBatchHash',
    stateMutability: 'pure',
    inputs: [
      { name: 'attestationIds', type: 'uint64[]' },
      { name: 'reasons', type: 'string[]' },
    ],
    outputs: [{ name: '', type: 'bytes32' }],
  },
  {
    type: 'function',
    name: 'getDelegatedRevokeHash',
    stateMutability: 'pure',
    inputs: [
      { name: 'attestationId', type: 'uint64' },
      { name: 'reason', type: 'string' },
    ],
    outputs: [{ name: '', type: 'bytes32' }],
  },
  {
    type: 'function',
    name: 'getOffchainAttestation',
    stateMutability: 'view',
    inputs: [{ name: 'offchainAttestationId', type: 'string' }],
    outputs: [{ name: '', type: 'tuple', components: offchainAttestationComponents }],
  },
  {
    type: 'function',
    name: 'getSchema',
    stateMutability: 'view',
    inputs: [{ name: 'schemaId', type: 'uint64' }],
    outputs: [{ name: '', type: 'tuple', components: schemaComponents }],
  },
  {
    type: 'function',
    name: 'initialize',
    stateMutability: 'nonpayable',
    inputs: [
      { name: 'schemaCounter_', type: 'uint64' },
      { name: 'attestationCounter_', type: 'uint64' },
    ],
    outputs: [],
  },
  {
    type: 'function',
    name: 'owner',
    stateMutability: 'view',
    inputs: [],
    outputs: [{ name: '', type: 'address' }],
  },
  {
    type: 'function',
    name: 'register',
    stateMutability: 'nonpayable',
    inputs: [
      { name: 'schema', type: 'tuple', components: schemaComponents },
      { name: 'delegateSignature', type: 'bytes' },
    ],
    outputs: [{ name: 'schemaId', type: 'uint64' }],
  },
  {
    type: 'function',
    name: 'revoke',
    stateMutability: 'nonpayable',
    inputs: [
      { name: 'attestationId', type: 'uint64' },
      { name: 'reason', type: 'string' },
      { name: 'delegateSignature', type: 'bytes' },
      { name: 'extraData', type: 'bytes' },
    ],
    outputs: [],
  },
  {
    type: 'function',
    name: 'revokeBatch',
    stateMutability: 'nonpayable',
    inputs: [
      { name: 'attestationIds', type: 'uint64[]' },
      { name: 'reasons', type: 'string[]' },
      { name: 'delegateSignature', type: 'bytes' },
      { name: 'extraData', type: 'bytes' },
    ],
    outputs: [],
  },
  {
    type: 'function',
    name: 'revokeOffchain',
    stateMutability: 'nonpayable',
    inputs: [
      { name: 'offchainAttestationId', type: 'string' },
      { name: 'reason', type: 'string' },
      { name: 'delegateSignature', type: 'bytes' },
    ],
    outputs: [],
  },
  {
    type: 'function',
    name: 'revokeOffchainBatch',
    stateMutability: 'nonpayable',
    inputs: [
      { name: 'offchainAttestationIds', type: 'string[]' },
      { name: 'reasons', type: 'string[]' },
      { name: 'delegateSignature', type: 'bytes' },
    ],
    outputs: [],
  },
  {
    type: 'function',
    name: 'schemaCounter',
    stateMutability: 'view',
    inputs: [],
    outputs: [{ name: '', type: 'uint64' }],
  },
  {
    type: 'function',
    name: 'setGlobalHook',
    stateMutability: 'nonpayable',
    inputs: [{ name: 'hook', type: 'address' }],
    outputs: [],
  },
  {
    type: 'function',
    name: 'setPause',
    stateMutability: 'nonpayable',
    inputs: [{ name: 'paused', type: 'bool' }],
    outputs: [],
  },
  {
    type: 'function',
    name: 'version',
    stateMutability: 'pure',
    inputs: [],
    outputs: [{ name: '', type: 'string' }],
  },
] as const

type SpAbiItem = (typeof spAbi)[number]

/** The five SP v1.1.x events the indexer follows (no parameter is indexed: logs are filtered by address + topic0). */
export const SP_EVENT_NAMES = ['SchemaRegistered', 'AttestationMade', 'AttestationRevoked', 'OffchainAttestationMade', 'OffchainAttestationRevoked'] as const
export type SpEventName = (typeof SP_EVENT_NAMES)[number]

/** The `get*` views and counters the indexer reads (ingest, verification, ground truth in tests). */
const SP_READ_NAMES = ['getSchema', 'getAttestation', 'getOffchainAttestation', 'attestationCounter', 'schemaCounter'] as const

/** The part of {@link spAbi} ingest decodes logs with: the five events of {@link SP_EVENT_NAMES}. */
export const spEventsAbi = spAbi.filter(
  (item): item is Extract<SpAbiItem, { type: 'event'; name: SpEventName }> =>
    item.type === 'event' && (SP_EVENT_NAMES as readonly string[]).includes(item.name),
)

/** The part of {@link spAbi} the indexer calls: the readers of {@link SP_READ_NAMES}. */
export const spReadAbi = spAbi.filter(
  (item): item is Extract<SpAbiItem, { type: 'function'; name: (typeof SP_READ_NAMES)[number] }> =>
    item.type === 'function' && (SP_READ_NAMES as readonly string[]).includes(item.name),
)

/** topic0 of each followed event, in {@link SP_EVENT_NAMES} order: the filter for `eth_getLogs`. */
export const SP_TOPIC0S: Hex[] = SP_EVENT_NAMES.map((name) => SP_EVENT_TOPICS[name])
