/**
 * Devnet stage against a real anvil running the real SP v1.1.3 bytecode (no mocks): compile, deploy, scenario,
 * bulk seeding, live loop, and Multicall3 reads pinned to past blocks.
 */
import {
  type Abi,
  type Address,
  createPublicClient,
  createTestClient,
  decodeAbiParameters,
  decodeFunctionResult,
  encodeFunctionData,
  http,
  isAddressEqual,
  multicall3Abi,
  type PublicClient,
  toEventSelector,
} from 'viem'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  compileSp,
  createWorkload,
  type Devnet,
  MULTICALL3_ADDRESS,
  type ScenarioSummary,
  SP_EVENT_TOPICS,
  spAbi,
  startDevnet,
  type Workload,
} from '../src/devnet/index.js'
import { SCORE_FIELDS } from '../src/devnet/spWriter.js'

let devnet: Devnet
let pc: PublicClient
let workload: Workload
let scenario: ScenarioSummary
const read = <T>(functionName: string, args: unknown[] = [], blockNumber?: bigint) =>
  pc.readContract({ address: devnet.address, abi: spAbi, functionName, args, blockNumber } as never) as Promise<T>
type Att = {
  schemaId: bigint
  linkedAttestationId: bigint
  attester: Address
  revoked: boolean
  revokeTimestamp: bigint
  validUntil: bigint
  recipients: readonly `0x${string}`[]
  data: `0x${string}`
}

beforeAll(async () => {
  devnet = await startDevnet({ port: 0 })
  pc = createPublicClient({ transport: http(devnet.rpcUrl), cacheTime: 0 }) as PublicClient
  workload = createWorkload({ rpcUrl: devnet.rpcUrl, address: devnet.address })
  scenario = await workload.seedScenario()
}, 60_000)

afterAll(async () => {
  await devnet?.stop()
})

describe('spAbi', () => {
  it('matches the solc ABI of SP.sol item by item, and the documented topic0s', async () => {
    const { abi } = await compileSp()
    const strip = (x: unknown): unknown =>
      Array.isArray(x)
        ? x.map(strip)
        : x && typeof x === 'object'
          ? Object.fromEntries(
              Object.entries(x)
                .filter(([k]) => k !== 'internalType')
                .map(([k, v]) => [k, strip(v)]),
            )
          : x
    const key = (i: { type: string; name?: string; inputs?: readonly { type: string }[] }) =>
      `${i.type}:${i.name}(${(i.inputs ?? []).map((p) => p.type).join(',')})`
    const compiled = new Map((abi as Abi).map((i) => [key(i as never), strip(i)]))
    for (const item of spAbi) expect(strip(item), key(item)).toEqual(compiled.get(key(item)))
    for (const [name, topic] of Object.entries(SP_EVENT_TOPICS)) {
      const event = spAbi.find((i) => i.type === 'event' && i.name === name)!
      expect(toEventSelector(event as never)).toBe(topic)
    }
  })
})

describe('seedScenario on the real contract', () => {
  it('moves the counters (the NEXT id) and reports version 1.1.3', async () => {
    expect(await read<string>('version')).toBe('1.1.3')
    expect(await read<bigint>('schemaCounter')).toBe(8n) // 7 schemas, ids 1..7
    expect(await read<bigint>('attestationCounter')).toBe(26n) // 25 attestations, ids 1..25
    expect(scenario.fromBlock).toBeGreaterThan(devnet.deployBlock)
  })

  it('stores a linked chain at least 4 levels deep, same attester, lower ids', async () => {
    const chain = scenario.attestations.linkedChain
    expect(chain.length).toBeGreaterThanOrEqual(5)
    let id = chain.at(-1)!
    for (let depth = chain.length - 1; depth > 0; depth--) {
      const att = await read<Att>('getAttestation', [id])
      expect(att.linkedAttestationId).toBe(chain[depth - 1])
      expect(att.linkedAttestationId).toBeLessThan(id)
      expect(isAddressEqual(att.attester, scenario.accounts.attester)).toBe(true)
      id = att.linkedAttestationId
    }
    expect((await read<Att>('getAttestation', [chain[0]!])).linkedAttestationId).toBe(0n)
    const orphan = await read<Att>('getAttestation', [scenario.attestations.linkedToRevoked])
    expect(orphan.linkedAttestationId).toBe(chain[1]) // links a revoked attestation
  })

  it('records a delegated attestation whose tx sender is not the attester', async () => {
    const tx = await pc.getTransaction({ hash: scenario.delegatedTxHash })
    const att = await read<Att>('getAttestation', [scenario.attestations.delegated])
    expect(isAddressEqual(att.attester, scenario.accounts.delegator)).toBe(true)
    expect(isAddressEqual(tx.from, scenario.accounts.relayer)).toBe(true)
    expect(isAddressEqual(tx.from, att.attester)).toBe(false)
  })

  it('revokes with reasons; revoked attestations read revoked=true', async () => {
    expect(scenario.attestations.revoked.length).toBeGreaterThanOrEqual(4)
    for (const id of scenario.attestations.revoked) {
      const att = await read<Att>('getAttestation', [id])
      expect(att.revoked, `#${id}`).toBe(true)
      expect(att.revokeTimestamp).toBeGreaterThan(0n)
    }
    const logs = await pc.getLogs({
      address: devnet.address,
      event: spAbi.find((i) => i.type === 'event' && i.name === 'AttestationRevoked')!,
      fromBlock: scenario.fromBlock,
      toBlock: scenario.toBlock,
    })
    expect(logs.map((l) => [l.args.attestationId, l.args.reason])).toEqual(scenario.revocations.map((r) => [r.id, r.reason]))
  })

  it('covers the data and recipient encodings', async () => {
    const a = scenario.attestations
    const tuple = await read<Att>('getAttestation', [a.tupleData])
    expect(decodeAbiParameters([{ type: 'tuple', components: SCORE_FIELDS }], tuple.data)[0]).toEqual({ name: 'alice', score: 42n })
    expect(tuple.recipients[0]!.length).toBe(2 + 64) // abi.encode(address)
    const flat = await read<Att>('getAttestation', [a.flatData])
    expect(decodeAbiParameters(SCORE_FIELDS, flat.data)).toEqual(['bob', 7n])
    expect(decodeAbiParameters([{ type: 'string' }], flat.recipients[0]!)[0]).toBe('did:example:bob')
    const odd = await read<Att>('getAttestation', [a.undecodable])
    expect(odd.recipients).toEqual(['0x1234'])
    expect(odd.data.length).toBe(2 + 14) // 7 bytes
    const notJson = await read<{ data: string }>('getSchema', [scenario.schemas.notJson])
    expect(notJson.data).toBe('hello not json')
    const maxValid = await read<{ maxValidFor: bigint }>('getSchema', [scenario.schemas.maxValidFor])
    expect(maxValid.maxValidFor).toBe(3600n)
    expect((await read<{ revocable: boolean }>('getSchema', [scenario.schemas.nonRevocable])).revocable).toBe(false)
    expect((await read<{ dataLocation: number }>('getSchema', [scenario.schemas.ipfs])).dataLocation).toBe(2)
    const delegatedSchema = await read<{ registrant: Address }>('getSchema', [scenario.schemas.delegated])
    expect(isAddressEqual(delegatedSchema.registrant, scenario.accounts.delegator)).toBe(true)
    expect(scenario.attestations.batch).toHaveLength(4)
  })

  it('stores off-chain attestations; a revoked one reads timestamp 1', async () => {
    for (const id of scenario.offchain) {
      const off = await read<{ attester: Address; timestamp: bigint }>('getOffchainAttestation', [id])
      expect(off.timestamp, id).toBeGreaterThan(0n)
    }
    const revoked = await read<{ timestamp: bigint }>('getOffchainAttestation', [scenario.revokedOffchain[0]!])
    expect(revoked.timestamp).toBe(1n)
    const delegated = await read<{ attester: Address }>('getOffchainAttestation', [scenario.offchainDelegated])
    expect(isAddressEqual(delegated.attester, scenario.accounts.delegator)).toBe(true)
  })

  it('rejects what SP v1.1.3 rejects (revert conditions)', async () => {
    const base = {
      schemaId: scenario.schemas.maxValidFor,
      linkedAttestationId: 0n,
      attestTimestamp: 0n,
      revokeTimestamp: 0n,
      attester: scenario.accounts.attester,
      validUntil: 0n,
      dataLocation: 0,
      revoked: false,
      recipients: [],
      data: '0x',
    } as const
    const simulate = (functionName: string, args: unknown[]) =>
      pc.simulateContract({ address: devnet.address, abi: spAbi, functionName, args, account: scenario.accounts.attester } as never)
    // maxValidFor > 0 and validUntil = 0: `validUntil - block.timestamp` underflows (Panic 0x11), not AttestationInvalidDuration
    await expect(simulate('attest', [base, '', '0x', '0x'])).rejects.toThrow(/underflow|0x11/i)
    await expect(simulate('attest', [{ ...base, schemaId: scenario.schemas.score, revoked: true }, '', '0x', '0x'])).rejects.toThrow(
      /AttestationAlreadyRevoked/,
    )
    await expect(simulate('revoke', [scenario.attestations.nonRevocable, 'x', '0x', '0x'])).rejects.toThrow(/AttestationIrrevocable/)
    await expect(simulate('revoke', [scenario.attestations.revoked[0]!, 'x', '0x', '0x'])).rejects.toThrow(/AttestationAlreadyRevoked/)
  })

  it('packs an attestation, its revocation, another sender and a reverted tx into one block', async () => {
    const sb = scenario.sameBlock!
    const block = await pc.getBlock({ blockNumber: sb.blockNumber })
    expect(block.transactions).toHaveLength(4)
    expect((await pc.getTransactionReceipt({ hash: sb.revertedTxHash })).status).toBe('reverted')
    const pinned = await read<Att>('getAttestation', [sb.attestedAndRevoked], sb.blockNumber)
    expect(pinned.revoked).toBe(true) // already revoked at the block that created it
    const before = await read<Att>('getAttestation', [sb.attestedAndRevoked], sb.blockNumber - 1n)
    expect(before.attester).toBe('0x0000000000000000000000000000000000000000') // not yet made: zeroed struct
    const other = await read<Att>('getAttestation', [sb.otherSender])
    expect(isAddressEqual(other.attester, scenario.accounts.other)).toBe(true)
  })
})

describe('Multicall3', () => {
  it('answers aggregate3 at the canonical address, pinned to a past block', async () => {
    const revokedId = scenario.attestations.linkedChain[1]!
    const [revokeLog] = await pc.getLogs({
      address: devnet.address,
      event: spAbi.find((i) => i.type === 'event' && i.name === 'AttestationRevoked')!,
      fromBlock: scenario.fromBlock,
    })
    expect(revokeLog!.args.attestationId).toBe(revokedId)
    const calls = [
      { target: devnet.address, allowFailure: false, callData: encodeFunctionData({ abi: spAbi, functionName: 'getAttestation', args: [revokedId] }) },
      { target: devnet.address, allowFailure: false, callData: encodeFunctionData({ abi: spAbi, functionName: 'attestationCounter' }) },
    ]
    const at = async (blockNumber: bigint) => {
      const results = await pc.readContract({ address: MULTICALL3_ADDRESS, abi: multicall3Abi, functionName: 'aggregate3', args: [calls], blockNumber })
      expect(results.every((r) => r.success)).toBe(true)
      const att = decodeFunctionResult({ abi: spAbi, functionName: 'getAttestation', data: results[0]!.returnData })
      const counter = decodeFunctionResult({ abi: spAbi, functionName: 'attestationCounter', data: results[1]!.returnData })
      return { revoked: att.revoked, counter }
    }
    expect(await at(revokeLog!.blockNumber - 1n)).toEqual({ revoked: false, counter: revokedId + 4n }) // chain[2..4] made after
    expect((await at(revokeLog!.blockNumber)).revoked).toBe(true)
    expect((await at(devnet.deployBlock)).counter).toBe(0n) // before initialize(1, 1)
  })
})

describe('attestLinkedChain on the real contract', () => {
  const linksOf = async (ids: bigint[]) => Promise.all(ids.map(async (id) => (await read<Att>('getAttestation', [id])).linkedAttestationId))
  const blockOf = async (id: bigint) =>
    (await pc.getContractEvents({ address: devnet.address, abi: spAbi, eventName: 'AttestationMade', fromBlock: devnet.deployBlock })).find(
      (e) => (e.args as { attestationId: bigint }).attestationId === id,
    )!.blockNumber

  it('writes one attest per block, each linking the one before, the root linking linkTo', async () => {
    const root = scenario.attestations.linkedChain.at(-1)!
    const ids = await workload.attestLinkedChain({ attester: 1, schemaId: scenario.schemas.score, length: 3, oneBlock: false, linkTo: root, key: 'test-chain' })
    expect(ids).toHaveLength(3)
    expect(await linksOf(ids)).toEqual([root, ids[0], ids[1]])
    expect([(await blockOf(ids[1]!)) - (await blockOf(ids[0]!)), (await blockOf(ids[2]!)) - (await blockOf(ids[1]!))]).toEqual([1n, 1n])
  })

  it('writes one attestBatch (one block) whose items link the item before them', async () => {
    const ids = await workload.attestLinkedChain({ attester: 1, schemaId: scenario.schemas.score, length: 4, oneBlock: true, key: 'test-batch' })
    expect(await linksOf(ids)).toEqual([0n, ids[0], ids[1], ids[2]])
    expect(new Set(await Promise.all(ids.map(blockOf))).size).toBe(1)
  })

  it("refuses to link another attester's attestation (the contract's revert)", async () => {
    await expect(
      workload.attestLinkedChain({
        attester: 2,
        schemaId: scenario.schemas.score,
        length: 2,
        oneBlock: false,
        linkTo: scenario.attestations.linkedChain[0]!,
        key: 'test-wrong',
      }),
    ).rejects.toThrow(/AttestationWrongAttester/)
  })
})

describe('seedBulk and runLive', () => {
  it('seeds with attestBatch over manually mined blocks, then restores automine and the gas limit', async () => {
    const before = await read<bigint>('attestationCounter')
    const gasLimit = (await pc.getBlock()).gasLimit
    const bulk = await workload.seedBulk({ attestations: 250, perTx: 40, txPerBlock: 3 })
    expect(await read<bigint>('attestationCounter')).toBe(before + 250n)
    expect([bulk.firstId, bulk.lastId, bulk.transactions]).toEqual([before, before + 249n, 7])
    expect(bulk.toBlock - bulk.fromBlock).toBe(3n) // register block + 3 blocks of <= 3 txs
    const tc = createTestClient({ mode: 'anvil', transport: http(devnet.rpcUrl) })
    expect(await tc.getAutomine()).toBe(true)
    await tc.mine({ blocks: 1 })
    expect((await pc.getBlock()).gasLimit).toBe(gasLimit)
  }, 30_000)

  it('runs a live loop until aborted', async () => {
    const before = await read<bigint>('attestationCounter')
    const ac = new AbortController()
    setTimeout(() => ac.abort(), 1_500)
    await workload.runLive({ intervalMs: 100, signal: ac.signal })
    expect(await read<bigint>('attestationCounter')).toBeGreaterThan(before)
  }, 30_000)
})
