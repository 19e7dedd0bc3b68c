/**
 * Typed SP v1.1.3 write helpers, example schema/data/recipient encoders, for the devnet workload (one transaction each, receipt checked), and the
 * delegate-signature hashes exactly as `SP.sol` computes them.
 */
import {
  type Address,
  type ContractFunctionArgs,
  type ContractFunctionName,
  encodeAbiParameters,
  type Hash,
  type Hex,
  isAddressEqual,
  keccak256,
  parseEventLogs,
  stringToHex,
  type TransactionReceipt,
} from 'viem'
import { BaseError } from '../errors/baseError.js'
import { type DevClients, devAccount, DevnetTxError, sendAndWait } from './deploySp.js'
import { attestationComponents, DataLocation, schemaComponents, spAbi, type SpAttestation, type SpSchema } from '../chain/spAbi.js'

const ZERO_ADDRESS = '0x0000000000000000000000000000000000000000' as const

/** An attestation to make: unspecified fields default to 0 / false / empty; `attester` defaults to the signer. */
export type AttestationInput = Partial<SpAttestation> & { schemaId: bigint }
/** A schema to register: defaults revocable, ONCHAIN, maxValidFor 0, no hook; `registrant` defaults to the signer. */
export type SchemaInput = Partial<SpSchema> & { data: string }

/** A locally computed delegate hash differs from the contract's `getDelegated*Hash` (the signature would fail). */
export class DevnetDelegationError extends BaseError {
  constructor(action: string, local: Hex, onchain: Hex) {
    super(`delegate hash mismatch for ${action}`, { code: 'DEVNET_DELEGATION', details: `local ${local}, contract ${onchain}` })
  }
}

/** Fills the defaults of an `AttestationInput` (timestamps 0, not revoked: SP v1.1.3 rejects born-revoked). */
export function completeAttestation(att: AttestationInput, attester: Address): SpAttestation {
  return {
    linkedAttestationId: 0n,
    attestTimestamp: 0n,
    revokeTimestamp: 0n,
    attester,
    validUntil: 0n,
    dataLocation: DataLocation.ONCHAIN,
    revoked: false,
    recipients: [],
    data: '0x',
    ...att,
  }
}

/** Fills the defaults of a `SchemaInput`. */
export function completeSchema(schema: SchemaInput, registrant: Address): SpSchema {
  return { registrant, revocable: true, dataLocation: DataLocation.ONCHAIN, maxValidFor: 0n, hook: ZERO_ADDRESS, timestamp: 0n, ...schema }
}

const action = (name: string): Hex => stringToHex(name, { size: 32 }) // Solidity bytes32("NAME"): left-aligned, zero-padded

/** `keccak256(abi.encode(bytes32("ATTEST"), attestation))` — SP `getDelegatedAttestHash`. */
export const delegatedAttestHash = (att: SpAttestation): Hex =>
  keccak256(encodeAbiParameters([{ type: 'bytes32' }, { type: 'tuple', components: attestationComponents }], [action('ATTEST'), att]))
/** `keccak256(abi.encode(bytes32("REGISTER"), schema))` — SP `getDelegatedRegisterHash`. */
export const delegatedRegisterHash = (schema: SpSchema): Hex =>
  keccak256(encodeAbiParameters([{ type: 'bytes32' }, { type: 'tuple', components: schemaComponents }], [action('REGISTER'), schema]))
/** `keccak256(abi.encode(bytes32("REVOKE"), uint64 id, string reason))` — SP `getDelegatedRevokeHash`. */
export const delegatedRevokeHash = (id: bigint, reason: string): Hex =>
  keccak256(encodeAbiParameters([{ type: 'bytes32' }, { type: 'uint64' }, { type: 'string' }], [action('REVOKE'), id, reason]))
/** `keccak256(abi.encode(bytes32("ATTEST_OFFCHAIN"), string id))` — SP `getDelegatedOffchainAttestHash`. */
export const delegatedOffchainAttestHash = (id: string): Hex =>
  keccak256(encodeAbiParameters([{ type: 'bytes32' }, { type: 'string' }], [action('ATTEST_OFFCHAIN'), id]))

/** Fields of the example score schema `(string name, uint256 score)`. */
export const SCORE_FIELDS = [
  { name: 'name', type: 'string' },
  { name: 'score', type: 'uint256' },
] as const
/** Fields of the example check schema `(address subject, bool ok, bytes32 ref)`. */
export const CHECK_FIELDS = [
  { name: 'subject', type: 'address' },
  { name: 'ok', type: 'bool' },
  { name: 'ref', type: 'bytes32' },
] as const
/** An example IPFS CID (CIDv1, raw). */
export const CID = 'bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku'

/** Schema data in the usual JSON shape `{"name","description","data":[{"name","type"}]}`. */
export function schemaJson(name: string, description: string, fields: readonly { name: string; type: string }[]): string {
  return JSON.stringify({ name, description, data: fields.map((f) => ({ name: f.name, type: f.type })) })
}
/** `abi.encode(address)` — how Solidity callers encode a recipient (32 bytes). */
export const addressRecipient = (a: Address): Hex => encodeAbiParameters([{ type: 'address' }], [a])
/** `abi.encode(string)` — the SDK's default recipient encoding. */
export const stringRecipient = (s: string): Hex => encodeAbiParameters([{ type: 'string' }], [s])
/** `abi.encode((string name, uint256 score))`: the struct as ONE tuple parameter. */
export const tupleScore = (name: string, score: bigint): Hex => encodeAbiParameters([{ type: 'tuple', components: SCORE_FIELDS }], [{ name, score }])
/** `abi.encode(string name, uint256 score)`: a flat parameter list. */
export const flatScore = (name: string, score: bigint): Hex => encodeAbiParameters(SCORE_FIELDS, [name, score])
/** `abi.encode((address subject, bool ok, bytes32 ref))` as one tuple. */
export const tupleCheck = (subject: Address, ok: boolean, ref: Hex): Hex =>
  encodeAbiParameters([{ type: 'tuple', components: CHECK_FIELDS }], [{ subject, ok, ref }])

/** SP write helpers; `idx` is a dev account index (see `devAccount`). Every method waits for a successful receipt. */
export type SpWriter = {
  address: Address
  register(idx: number, schema: SchemaInput): Promise<bigint>
  registerDelegated(signerIdx: number, senderIdx: number, schema: SchemaInput): Promise<bigint>
  attest(idx: number, att: AttestationInput, indexingKey: string): Promise<bigint>
  attestDelegated(signerIdx: number, senderIdx: number, att: AttestationInput, indexingKey: string): Promise<{ id: bigint; txHash: Hash }>
  attestBatch(idx: number, atts: AttestationInput[], indexingKeys: string[]): Promise<bigint[]>
  revoke(idx: number, id: bigint, reason: string): Promise<void>
  revokeDelegated(signerIdx: number, senderIdx: number, id: bigint, reason: string): Promise<void>
  revokeBatch(idx: number, ids: bigint[], reasons: string[]): Promise<void>
  attestOffchain(idx: number, offchainId: string): Promise<void>
  attestOffchainDelegated(signerIdx: number, senderIdx: number, offchainId: string): Promise<void>
  attestOffchainBatch(idx: number, offchainIds: string[]): Promise<void>
  revokeOffchain(idx: number, offchainId: string, reason: string): Promise<void>
  /** `schemaCounter()` and `attestationCounter()` at the head: the NEXT ids (a reorg can move them back) */
  counters(): Promise<{ schemas: bigint; attestations: bigint }>
}

type WriteName = ContractFunctionName<typeof spAbi, 'nonpayable' | 'payable'>

/**
 * Binds write helpers to one SP deployment. Delegated variants sign with EIP-191 `personal_sign` over the 32-byte
 * hash (what `MessageHashUtils.toEthSignedMessageHash` + `SignatureChecker` verify) with account `signerIdx`, check
 * the hash against the contract's pure `getDelegated*Hash` (eth_call), and send from `senderIdx`.
 *
 * `signal` (optional) aborts receipt waits. Methods throw DevnetTxError (revert; the cause names the SP custom error, e.g. `AttestationWrongAttester`) or
 * DevnetDelegationError.
 */
export function createSpWriter(c: DevClients, address: Address, signal?: AbortSignal): SpWriter {
  const send = async <N extends WriteName>(
    idx: number,
    functionName: N,
    args: ContractFunctionArgs<typeof spAbi, 'nonpayable' | 'payable', N>,
  ): Promise<TransactionReceipt> =>
    sendAndWait(c.publicClient, `SP.${functionName}`, () => c.wallet(idx).writeContract({ address, abi: spAbi, functionName, args } as never), signal)
  const ours = <L extends { address: Address }>(logs: L[]) => logs.filter((l) => isAddressEqual(l.address, address))
  const schemaIds = (r: TransactionReceipt) => ours(parseEventLogs({ abi: spAbi, logs: r.logs, eventName: 'SchemaRegistered' })).map((l) => l.args.schemaId)
  const attestationIds = (r: TransactionReceipt) =>
    ours(parseEventLogs({ abi: spAbi, logs: r.logs, eventName: 'AttestationMade' })).map((l) => l.args.attestationId)
  // the contract's hash is asked for only after the local one was computed: a local hash that throws (a malformed
  // input) must not leave the read's rejection unhandled, which ended the whole process
  const sign = async (signerIdx: number, name: string, local: Hex, onchain: () => Promise<Hex>): Promise<Hex> => {
    const expected = await onchain()
    if (local !== expected) throw new DevnetDelegationError(name, local, expected)
    return devAccount(signerIdx).signMessage({ message: { raw: local } })
  }
  const read = c.publicClient.readContract
  /** the first id a receipt announces; a receipt without one (e.g. its block was reorganised away) is an error */
  const firstId = (ids: bigint[], label: string, r: TransactionReceipt): bigint => {
    const id = ids[0]
    if (id === undefined) throw new DevnetTxError(`SP.${label}`, { txHash: r.transactionHash, details: 'the receipt carries no id event of this contract' })
    return id
  }

  return {
    address,
    async register(idx, schema) {
      const r = await send(idx, 'register', [completeSchema(schema, devAccount(idx).address), '0x'])
      return firstId(schemaIds(r), 'register', r)
    },
    async registerDelegated(signerIdx, senderIdx, input) {
      const schema = completeSchema(input, devAccount(signerIdx).address)
      const onchain = () => read({ address, abi: spAbi, functionName: 'getDelegatedRegisterHash', args: [schema] })
      const sig = await sign(signerIdx, 'register', delegatedRegisterHash(schema), onchain)
      const r = await send(senderIdx, 'register', [schema, sig])
      return firstId(schemaIds(r), 'register', r)
    },
    async attest(idx, att, indexingKey) {
      const r = await send(idx, 'attest', [completeAttestation(att, devAccount(idx).address), indexingKey, '0x', '0x'])
      return firstId(attestationIds(r), 'attest', r)
    },
    async attestDelegated(signerIdx, senderIdx, input, indexingKey) {
      const att = completeAttestation(input, devAccount(signerIdx).address)
      const onchain = () => read({ address, abi: spAbi, functionName: 'getDelegatedAttestHash', args: [att] })
      const sig = await sign(signerIdx, 'attest', delegatedAttestHash(att), onchain)
      const r = await send(senderIdx, 'attest', [att, indexingKey, sig, '0x'])
      return { id: firstId(attestationIds(r), 'attest', r), txHash: r.transactionHash }
    },
    async attestBatch(idx, atts, indexingKeys) {
      const full = atts.map((a) => completeAttestation(a, devAccount(idx).address))
      return attestationIds(await send(idx, 'attestBatch', [full, indexingKeys, '0x', '0x']))
    },
    async revoke(idx, id, reason) {
      await send(idx, 'revoke', [id, reason, '0x', '0x'])
    },
    async revokeDelegated(signerIdx, senderIdx, id, reason) {
      const onchain = () => read({ address, abi: spAbi, functionName: 'getDelegatedRevokeHash', args: [id, reason] })
      const sig = await sign(signerIdx, 'revoke', delegatedRevokeHash(id, reason), onchain)
      await send(senderIdx, 'revoke', [id, reason, sig, '0x'])
    },
    async revokeBatch(idx, ids, reasons) {
      await send(idx, 'revokeBatch', [ids, reasons, '0x', '0x'])
    },
    async attestOffchain(idx, offchainId) {
      await send(idx, 'attestOffchain', [offchainId, ZERO_ADDRESS, '0x'])
    },
    async attestOffchainDelegated(signerIdx, senderIdx, offchainId) {
      const onchain = () => read({ address, abi: spAbi, functionName: 'getDelegatedOffchainAttestHash', args: [offchainId] })
      const sig = await sign(signerIdx, 'attestOffchain', delegatedOffchainAttestHash(offchainId), onchain)
      await send(senderIdx, 'attestOffchain', [offchainId, devAccount(signerIdx).address, sig])
    },
    async attestOffchainBatch(idx, offchainIds) {
      await send(idx, 'attestOffchainBatch', [offchainIds, ZERO_ADDRESS, '0x'])
    },
    async revokeOffchain(idx, offchainId, reason) {
      await send(idx, 'revokeOffchain', [offchainId, reason, '0x'])
    },
    async counters() {
      const [schemas, attestations] = await Promise.all([
        read({ address, abi: spAbi, functionName: 'schemaCounter' }),
        read({ address, abi: spAbi, functionName: 'attestationCounter' }),
      ])
      return { schemas, attestations }
    },
  }
}
