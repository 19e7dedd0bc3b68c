/**
 * Realistic Sign Protocol activity against the real SP contract on a devnet: a deterministic scenario covering
 * every case an indexer must handle, fast bulk seeding for benchmarks, and a live random loop.
 */
import { type Address, encodeAbiParameters, type Hash, type Hex, parseEventLogs, toHex } from 'viem'
import { createSilentLogger, type Logger } from '../common/logger.js'
import { type BulkSummary, seedBulk } from './bulkWorkload.js'
import { createDevClients, devAccount, DevnetTxError, type DevClients } from './deploySp.js'
import { attestLinkedChain, type LinkedChainOptions } from './linkedChain.js'
import { type LiveWorkloadOptions, runLive } from './liveWorkload.js'
import {
  addressRecipient,
  type AttestationInput,
  CHECK_FIELDS,
  CID,
  completeAttestation,
  createSpWriter,
  flatScore,
  SCORE_FIELDS,
  schemaJson,
  type SpWriter,
  stringRecipient,
  tupleCheck,
  tupleScore,
} from './spWriter.js'
import { DataLocation, spAbi } from '../chain/spAbi.js'

export type { BulkSummary } from './bulkWorkload.js'

/** Ids produced by `seedScenario`, by category. Attestation and schema ids are SP uint64 ids (bigint). */
export type ScenarioSummary = {
  /** first and last block that can contain the scenario's transactions (inclusive) */
  fromBlock: bigint
  toBlock: bigint
  accounts: { attester: Address; other: Address; delegator: Address; relayer: Address }
  schemas: {
    /** JSON (string name, uint256 score) */ score: bigint
    /** JSON (address subject, bool ok, bytes32 ref) */ check: bigint
    /** data "hello not json", registered by `other` */ notJson: bigint
    /** JSON score schema with maxValidFor = 3600 s */ maxValidFor: bigint
    /** revocable = false */ nonRevocable: bigint
    /** dataLocation IPFS, data is a CID */ ipfs: bigint
    /** registered by `relayer` with a delegate signature of `delegator` (registrant = delegator) */ delegated: bigint
  }
  attestations: {
    tupleData: bigint // abi.encode((string,uint256)); recipient abi.encode(address)
    flatData: bigint // abi.encode(string,uint256); recipient abi.encode(string)
    undecodable: bigint // 7 raw bytes under a JSON schema; recipient 0x1234 (odd length)
    addressRecipient: bigint
    stringRecipient: bigint
    oddRecipient: bigint
    multiRecipient: bigint // recipients [address, string, 0x]; data (address,bool,bytes32) tuple; later revoked
    noRecipient: bigint // under the non-JSON schema, data = UTF-8 text
    validFuture: bigint // validUntil = now + 365 days
    validSoon: bigint // validUntil = now + 60 s
    expired: bigint // validUntil already in the past when attested
    maxValidFor: bigint // validUntil = now + 1800 s under the maxValidFor schema
    nonRevocable: bigint
    ipfs: bigint // dataLocation IPFS, data = abi.encode(string cid)
    linkedChain: bigint[] // [root, child, grandchild, ...]: each links the previous one; chain[1] is revoked
    linkedToRevoked: bigint // links chain[1] (revoked)
    batch: bigint[] // one attestBatch tx by `other`; batch[0] revoked alone, batch[1..2] by revokeBatch
    delegated: bigint // attester = delegator, tx sent by relayer
    delegatedRevoked: bigint // made by delegator directly, revoked by relayer with the delegator's signature
    revoked: bigint[] // every revoked id
  }
  /** the revocation reasons, as emitted in `AttestationRevoked` */
  revocations: { id: bigint; reason: string }[]
  /** indexingKey of every attestation, keyed by decimal id */
  indexingKeys: Record<string, string>
  /** the delegated attestation's tx: `from` is the relayer, not the attester */
  delegatedTxHash: Hex
  /**
   * One block (mined with automine briefly off) holding, in order: an attestation by `attester`, its revocation,
   * an attestation by `other`, and a REVERTED SP transaction (revoke of the non-revocable attestation: no logs).
   * Reads pinned to this block already show `attestedAndRevoked` as revoked. Absent when the node does not automine.
   */
  sameBlock?: { blockNumber: bigint; attestedAndRevoked: bigint; otherSender: bigint; revertedTxHash: Hash }
  offchain: string[] // every off-chain id attested
  offchainDelegated: string // attested by relayer for delegator
  revokedOffchain: string[] // revoked: getOffchainAttestation(id).timestamp reads 1
}

/** Activity generators bound to one SP deployment (see `createWorkload`). */
export type Workload = {
  /**
   * ~40 real transactions covering every case in `ScenarioSummary`, one block each (automine) plus one packed block.
   * Needs a mining node (automine or `--block-time`; with interval mining it takes ~40 blocks and skips `sameBlock`).
   * @throws DevnetTxError (revert, with the decoded SP error), DevnetDelegationError
   */
  seedScenario(): Promise<ScenarioSummary>
  /**
   * `attestations` attestations through `attestBatch` (`perTx` per tx, default 100; `txPerBlock` per mined block,
   * default 5), toggling automine and the block gas limit (restored afterwards). ~3-5 s per 10,000 on 2 cores.
   * @throws DevnetTxError; BaseError `DEVNET_ARGUMENT` when `attestations` is not a positive integer
   */
  seedBulk(opts: { attestations: number; perTx?: number; txPerBlock?: number }): Promise<BulkSummary>
  /**
   * Random create/attest/link/batch/delegated/revoke/offchain actions every `intervalMs` ms until `signal` aborts;
   * failures are logged at `warn` and the loop continues. Never rejects.
   */
  runLive(opts: LiveWorkloadOptions): Promise<void>
  /**
   * `length` attestations of one attester, each linked to the one before (see `attestLinkedChain`), in one block or
   * one block each. Hold every other writer of that attester (and, for `oneBlock`, every other attester) meanwhile.
   * @returns the ids, root first
   * @throws DevnetTxError; Error when a batch's ids were not the predicted ones
   */
  attestLinkedChain(opts: LinkedChainOptions): Promise<bigint[]>
}

/**
 * Creates a workload bound to one SP deployment. Clients are created lazily (first call asks `eth_chainId`).
 * Accounts (anvil dev mnemonic): 1 attester, 2 other, 3 delegator, 4 relayer for `seedScenario`; 5..7 attesters and
 * 8 relayer for `runLive`; 9 for `seedBulk` — so the three can share a chain without nonce clashes.
 *
 * @param opts.rpcUrl HTTP JSON-RPC URL of the anvil node
 * @param opts.address SP v1.1.3 contract (see `deploySp`)
 * @param opts.logger pino logger (default: silent)
 */
export function createWorkload(opts: { rpcUrl: string; address: Address; logger?: Logger }): Workload {
  const log = opts.logger ?? createSilentLogger()
  let clientsPromise: Promise<DevClients> | undefined
  const clients = () => (clientsPromise ??= createDevClients(opts.rpcUrl))
  let writerPromise: Promise<SpWriter> | undefined
  const writer = () => (writerPromise ??= clients().then((c) => createSpWriter(c, opts.address)))
  return {
    seedScenario: async () => seedScenario(await clients(), await writer()),
    seedBulk: async (o) => seedBulk(await clients(), opts.address, o),
    runLive: async (o) => runLive(createSpWriter(await clients(), opts.address, o.signal), log, o),
    attestLinkedChain: async (o) => attestLinkedChain(await writer(), o),
  }
}

/**
 * Produces, with real transactions, every kind of SP activity an indexer must handle (see `ScenarioSummary`):
 * ~40 transactions (`register`, `attest`, `attestBatch`, `revoke`, `revokeBatch`, `attestOffchain`,
 * `attestOffchainBatch`, `revokeOffchain`, delegated `register`/`attest`/`revoke`/`attestOffchain`), each waited for,
 * plus the packed block of `seedSameBlock`. Times (`validUntil`) are relative to the latest block's timestamp.
 * Off-chain ids carry the start block number, so the scenario can run more than once on one contract.
 *
 * @throws DevnetTxError when a transaction reverts; DevnetDelegationError when a locally computed delegate hash
 *   differs from the contract's `getDelegated*Hash`
 */
async function seedScenario(c: DevClients, sp: SpWriter): Promise<ScenarioSummary> {
  const [A, B, C, R] = [1, 2, 3, 4]
  const [attester, other, delegator, relayer] = [A, B, C, R].map((i) => devAccount(i).address) as [Address, Address, Address, Address]
  const fromBlock = (await c.publicClient.getBlockNumber()) + 1n
  const now = (await c.publicClient.getBlock()).timestamp
  const keys: Record<string, string> = {}
  const revocations: { id: bigint; reason: string }[] = []
  const attest = async (idx: number, att: AttestationInput, key: string) => {
    const id = await sp.attest(idx, att, key)
    keys[id.toString()] = key
    return id
  }
  const revoke = async (idx: number, id: bigint, reason: string) => {
    await sp.revoke(idx, id, reason)
    revocations.push({ id, reason })
  }

  const scoreJson = schemaJson('Score', 'A named score', SCORE_FIELDS)
  const schemas = {
    score: await sp.register(A, { data: scoreJson }),
    check: await sp.register(A, { data: schemaJson('Check', 'KYC-style check of a subject', CHECK_FIELDS) }),
    notJson: await sp.register(B, { data: 'hello not json' }),
    maxValidFor: await sp.register(A, { data: schemaJson('Short-lived score', 'Valid for at most one hour', SCORE_FIELDS), maxValidFor: 3600n }),
    nonRevocable: await sp.register(A, { data: schemaJson('Permanent score', 'Cannot be revoked', SCORE_FIELDS), revocable: false }),
    ipfs: await sp.register(A, { data: CID, dataLocation: DataLocation.IPFS }),
    delegated: await sp.registerDelegated(C, R, { data: schemaJson('Délégué ✓', 'Registered by a relayer', SCORE_FIELDS) }),
  }

  const s = schemas.score
  const tupleData = await attest(A, { schemaId: s, recipients: [addressRecipient(other)], data: tupleScore('alice', 42n) }, 'tuple')
  const flatData = await attest(A, { schemaId: s, recipients: [stringRecipient('did:example:bob')], data: flatScore('bob', 7n) }, 'flat')
  const undecodable = await attest(A, { schemaId: s, recipients: ['0x1234'], data: '0x5eed0ddba11c0d' }, 'undecodable')
  const ref = toHex('ref-0001', { size: 32 })
  const multiRecipient = await attest(
    A,
    { schemaId: schemas.check, recipients: [addressRecipient(delegator), stringRecipient('carol@example.com'), '0x'], data: tupleCheck(delegator, true, ref) },
    'multi',
  )
  const noRecipient = await attest(A, { schemaId: schemas.notJson, data: toHex('free-form text, not ABI') }, '')
  const validFuture = await attest(A, { schemaId: s, validUntil: now + 365n * 86_400n, data: tupleScore('future', 1n) }, 'valid-future')
  const validSoon = await attest(A, { schemaId: s, validUntil: now + 60n, data: tupleScore('soon', 2n) }, 'valid-soon')
  const expired = await attest(A, { schemaId: s, validUntil: now - 10n, data: tupleScore('expired', 3n) }, 'expired')
  const maxValidFor = await attest(A, { schemaId: schemas.maxValidFor, validUntil: now + 1800n, data: tupleScore('short', 4n) }, 'max-valid-for')
  const nonRevocable = await attest(A, { schemaId: schemas.nonRevocable, data: flatScore('forever', 5n) }, 'non-revocable')
  const ipfsData = encodeAbiParameters([{ type: 'string' }], [CID])
  const ipfs = await attest(A, { schemaId: schemas.ipfs, dataLocation: DataLocation.IPFS, data: ipfsData }, 'ipfs')

  const linkedChain: bigint[] = []
  for (let depth = 0; depth < 5; depth++) {
    const link = linkedChain.at(-1) ?? 0n
    linkedChain.push(await attest(A, { schemaId: s, linkedAttestationId: link, data: tupleScore(`gen-${depth}`, BigInt(depth)) }, `chain-${depth}`))
  }
  await revoke(A, linkedChain[1]!, 'superseded by a newer score')
  const linkedToRevoked = await attest(A, { schemaId: s, linkedAttestationId: linkedChain[1]!, data: tupleScore('orphan', 9n) }, 'linked-to-revoked')

  const batchItems = [0, 1, 2, 3].map((i) => ({
    schemaId: schemas.check,
    attester: other,
    recipients: [addressRecipient(devAccount(5 + i).address)],
    data: i % 2 === 0 ? tupleCheck(devAccount(5 + i).address, i < 2, ref) : encodeAbiParameters(CHECK_FIELDS, [other, false, ref]),
  }))
  const batchKeys = batchItems.map((_, i) => `batch-${i}`)
  const batch = await sp.attestBatch(B, batchItems, batchKeys)
  for (const [i, id] of batch.entries()) keys[id.toString()] = batchKeys[i]!
  await revoke(B, batch[0]!, '')
  await sp.revokeBatch(B, [batch[1]!, batch[2]!], ['batch revoke one', 'batch revoke two'])
  revocations.push({ id: batch[1]!, reason: 'batch revoke one' }, { id: batch[2]!, reason: 'batch revoke two' })
  await revoke(A, multiRecipient, 'données périmées ✓')

  const delegatedAtt = { schemaId: s, attester: delegator, recipients: [addressRecipient(attester)], data: tupleScore('delegated', 77n) }
  const { id: delegated, txHash: delegatedTxHash } = await sp.attestDelegated(C, R, delegatedAtt, 'delegated')
  keys[delegated.toString()] = 'delegated'
  const delegatedRevoked = await attest(C, { schemaId: s, data: flatScore('to revoke by relayer', 8n) }, 'delegated-revoked')
  await sp.revokeDelegated(C, R, delegatedRevoked, 'revoked through a relayer')
  revocations.push({ id: delegatedRevoked, reason: 'revoked through a relayer' })

  const sameBlock = await seedSameBlock(c, sp.address, s, nonRevocable)
  if (sameBlock) {
    keys[sameBlock.attestedAndRevoked.toString()] = 'same-block'
    keys[sameBlock.otherSender.toString()] = 'same-block-other'
    revocations.push({ id: sameBlock.attestedAndRevoked, reason: SAME_BLOCK_REASON })
  }

  const tag = `scenario-b${fromBlock}`
  const offchain = [`${tag}-1`, `${tag}-2`, `${tag}-3`, `${tag}-4`, `${tag}-5`]
  await sp.attestOffchain(A, offchain[0]!)
  await sp.attestOffchain(A, offchain[1]!)
  await sp.attestOffchainBatch(B, [offchain[2]!, offchain[3]!])
  await sp.attestOffchainDelegated(C, R, offchain[4]!)
  await sp.revokeOffchain(A, offchain[1]!, 'retracted')

  return {
    fromBlock,
    toBlock: await c.publicClient.getBlockNumber(),
    accounts: { attester, other, delegator, relayer },
    schemas,
    attestations: {
      tupleData,
      flatData,
      undecodable,
      addressRecipient: tupleData,
      stringRecipient: flatData,
      oddRecipient: undecodable,
      multiRecipient,
      noRecipient,
      validFuture,
      validSoon,
      expired,
      maxValidFor,
      nonRevocable,
      ipfs,
      linkedChain,
      linkedToRevoked,
      batch,
      delegated,
      delegatedRevoked,
      revoked: revocations.map((r) => r.id),
    },
    revocations,
    indexingKeys: keys,
    delegatedTxHash,
    sameBlock,
    offchain,
    offchainDelegated: offchain[4]!,
    revokedOffchain: [offchain[1]!],
  }
}

const SAME_BLOCK_REASON = 'revoked in the block it was made'

/**
 * Packs four SP transactions into one block: automine off (`evm_setAutomine`), explicit nonces and gas (so nothing
 * is estimated against a state without the new attestation), one `anvil_mine`, automine back on. The revoked id is
 * predicted from `attestationCounter()` and checked against the mined `AttestationMade`.
 *
 * @returns undefined when the node does not automine (interval or manual mining: left untouched)
 * @throws DevnetTxError when a receipt differs from the plan (another writer raced the predicted id)
 */
async function seedSameBlock(c: DevClients, address: Address, schemaId: bigint, nonRevocable: bigint): Promise<ScenarioSummary['sameBlock']> {
  const { publicClient: pc, testClient: tc } = c
  if (!(await tc.getAutomine())) return undefined
  const [A, B] = [devAccount(1).address, devAccount(2).address]
  const write = (idx: number, nonce: number, functionName: 'attest' | 'revoke', args: readonly unknown[]) =>
    c.wallet(idx).writeContract({ address, abi: spAbi, functionName, args, gas: 1_000_000n, nonce } as never) as Promise<Hash>
  await tc.setAutomine(false)
  try {
    const predicted = await pc.readContract({ address, abi: spAbi, functionName: 'attestationCounter' })
    const nonceA = await pc.getTransactionCount({ address: A, blockTag: 'pending' })
    const nonceB = await pc.getTransactionCount({ address: B, blockTag: 'pending' })
    const hashes = [
      await write(1, nonceA, 'attest', [completeAttestation({ schemaId, data: tupleScore('same-block', 11n) }, A), 'same-block', '0x', '0x']),
      await write(1, nonceA + 1, 'revoke', [predicted, SAME_BLOCK_REASON, '0x', '0x']),
      await write(2, nonceB, 'attest', [completeAttestation({ schemaId, data: flatScore('same-block-other', 12n) }, B), 'same-block-other', '0x', '0x']),
      await write(1, nonceA + 2, 'revoke', [nonRevocable, 'reverts: AttestationIrrevocable', '0x', '0x']),
    ]
    await tc.mine({ blocks: 1 })
    const receipts = await Promise.all(hashes.map((hash) => pc.getTransactionReceipt({ hash })))
    const made = receipts.map((r) => parseEventLogs({ abi: spAbi, logs: r.logs, eventName: 'AttestationMade' })[0]?.args.attestationId)
    const statuses = receipts.map((r) => r.status).join(',')
    const oneBlock = receipts.every((r) => r.blockNumber === receipts[0]!.blockNumber)
    if (!oneBlock || made[0] !== predicted || statuses !== 'success,success,success,reverted') {
      throw new DevnetTxError('same-block section', { details: `statuses ${statuses}, predicted id ${predicted}, made ${made[0]}` })
    }
    return { blockNumber: receipts[0]!.blockNumber, attestedAndRevoked: predicted, otherSender: made[2]!, revertedTxHash: hashes[3]! }
  } finally {
    await tc.setAutomine(true)
  }
}
