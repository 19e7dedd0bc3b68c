/**
 * Ground truth for the suites: everything the contract says (its `get*` views at the head, and its events),
 * compared field by field with what the indexer stored. Returns the differences (empty = equal).
 */
import { type Address, createPublicClient, http, type PublicClient } from 'viem'
import type { PrismaClient } from '../../src/generated/prisma/client.js'
import { toIndexableTextTruncated, toStorableText } from '../../src/db/toStorable.js'
import { spEventsAbi, spReadAbi } from '../../src/chain/spAbi.js'

export function createTruthClient(rpcUrl: string): PublicClient {
  return createPublicClient({ transport: http(rpcUrl), cacheTime: 0 }) as PublicClient
}

type Truth = {
  attestations: Map<bigint, Record<string, unknown>>
  schemas: Map<bigint, Record<string, unknown>>
  offchain: Map<string, Record<string, unknown>>
}

/** Reads the whole contract state at the head plus every event from `fromBlock` (with or without Multicall3 on the chain). */
export async function readGroundTruth(client: PublicClient, contract: Address, fromBlock: bigint): Promise<Truth> {
  const [attCounter, schemaCounter] = await Promise.all([
    client.readContract({ address: contract, abi: spReadAbi, functionName: 'attestationCounter' }),
    client.readContract({ address: contract, abi: spReadAbi, functionName: 'schemaCounter' }),
  ])
  const events = await client.getContractEvents({ address: contract, abi: spEventsAbi, fromBlock, toBlock: 'latest' })
  const indexingKeys = new Map<bigint, string>()
  const reasons = new Map<bigint, string>()
  const offchainIds: string[] = []
  const offchainReasons = new Map<string, string>()
  const offchainBlocks = new Map<string, bigint>()
  for (const e of events) {
    const a = e.args as Record<string, unknown>
    if (e.eventName === 'AttestationMade') indexingKeys.set(a.attestationId as bigint, a.indexingKey as string)
    if (e.eventName === 'AttestationRevoked') reasons.set(a.attestationId as bigint, a.reason as string)
    if (e.eventName === 'OffchainAttestationMade') {
      offchainIds.push(a.attestationId as string)
      offchainBlocks.set(a.attestationId as string, e.blockNumber)
    }
    if (e.eventName === 'OffchainAttestationRevoked') offchainReasons.set(a.attestationId as string, a.reason as string)
  }
  const truth: Truth = { attestations: new Map(), schemas: new Map(), offchain: new Map() }
  const ids = (n: bigint) => Array.from({ length: Number(n) - 1 }, (_, i) => BigInt(i + 1))
  // Multicall3 where the chain has it; viem's deployless multicall (a contract-creation eth_call) where it has not
  const multicall3 = '0xca11bde05977b3631167028862be2a173976ca11'
  const hasMulticall3 = ((await client.getCode({ address: multicall3 })) ?? '0x') !== '0x'
  const atts = (await client.multicall({
    contracts: ids(attCounter).map((id) => ({ address: contract, abi: spReadAbi, functionName: 'getAttestation', args: [id] })) as never,
    allowFailure: false,
    batchSize: 4_000,
    ...(hasMulticall3 ? { multicallAddress: multicall3 } : { deployless: true }),
  })) as unknown as Record<string, unknown>[]
  ids(attCounter).forEach((id, i) => {
    const a = atts[i]!
    truth.attestations.set(id, {
      schemaId: a.schemaId,
      linkedAttestationId: a.linkedAttestationId === 0n ? null : a.linkedAttestationId,
      attestTimestamp: a.attestTimestamp,
      revokeTimestamp: a.revokeTimestamp,
      attester: (a.attester as string).toLowerCase(),
      validUntil: (a.validUntil as bigint).toString(),
      dataLocation: Number(a.dataLocation),
      revoked: a.revoked,
      recipientsRaw: (a.recipients as string[]).map((r) => r.toLowerCase()),
      data: (a.data as string).toLowerCase(),
      indexingKey: storedKey(indexingKeys.get(id)),
      revokeReason: storedText(reasons.get(id)),
    })
  })
  for (const id of ids(schemaCounter)) {
    const s = (await client.readContract({ address: contract, abi: spReadAbi, functionName: 'getSchema', args: [id] })) as unknown as Record<string, unknown>
    truth.schemas.set(id, {
      registrant: (s.registrant as string).toLowerCase(),
      revocable: s.revocable,
      dataLocation: Number(s.dataLocation),
      maxValidFor: (s.maxValidFor as bigint).toString(),
      hook: (s.hook as string).toLowerCase(),
      timestamp: s.timestamp,
      data: toStorableText(s.data as string),
    })
  }
  for (const id of offchainIds) {
    const o = (await client.readContract({ address: contract, abi: spReadAbi, functionName: 'getOffchainAttestation', args: [id] })) as unknown as Record<
      string,
      unknown
    >
    const block = await client.getBlock({ blockNumber: offchainBlocks.get(id)! })
    const revoked = o.timestamp === 1n
    truth.offchain.set(id, {
      attester: (o.attester as string).toLowerCase(),
      timestamp: block.timestamp,
      revoked,
      revokeReason: storedText(offchainReasons.get(id)),
    })
  }
  return truth
}

/** @returns human-readable differences between the database and the ground truth (empty when equal). */
export async function diffWithGroundTruth(prisma: PrismaClient, chainId: number, truth: Truth): Promise<string[]> {
  const diffs: string[] = []
  const compare = (what: string, expected: Record<string, unknown>, actual: Record<string, unknown> | undefined) => {
    if (!actual) return diffs.push(`${what}: missing`)
    for (const [k, v] of Object.entries(expected)) {
      if (JSON.stringify(actual[k], big) !== JSON.stringify(v, big))
        diffs.push(`${what}.${k}: expected ${JSON.stringify(v, big)}, got ${JSON.stringify(actual[k], big)}`)
    }
  }
  const atts = await prisma.attestation.findMany({ where: { chainId } })
  const byId = new Map(atts.map((a) => [a.attestationId, { ...a, validUntil: a.validUntil.toFixed(0) } as Record<string, unknown>]))
  for (const [id, t] of truth.attestations) compare(`attestation ${id}`, t, byId.get(id))
  for (const a of atts) if (!truth.attestations.has(a.attestationId)) diffs.push(`attestation ${a.attestationId}: not on chain`)
  const schemas = await prisma.schema.findMany({ where: { chainId } })
  const sById = new Map(schemas.map((s) => [s.schemaId, { ...s, maxValidFor: s.maxValidFor.toFixed(0) } as Record<string, unknown>]))
  for (const [id, t] of truth.schemas) compare(`schema ${id}`, t, sById.get(id))
  if (schemas.length !== truth.schemas.size) diffs.push(`schemas: ${schemas.length} stored, ${truth.schemas.size} on chain`)
  const offs = await prisma.offchainAttestation.findMany({ where: { chainId } })
  const oById = new Map(offs.map((o) => [o.offchainAttestationId, o as Record<string, unknown>]))
  for (const [id, t] of truth.offchain) compare(`offchain ${id}`, t, oById.get(id))
  if (offs.length !== truth.offchain.size) diffs.push(`offchain: ${offs.length} stored, ${truth.offchain.size} on chain`)
  return diffs
}

/** The chain's strings as the indexer stores them (NUL and lone surrogates as U+FFFD; see src/db/toStorable.ts). */
const storedText = (s: string | undefined) => (s === undefined ? null : toStorableText(s))
const storedKey = (s: string | undefined) => (s === undefined ? null : toIndexableTextTruncated(s))

function big(_k: string, v: unknown) {
  return typeof v === 'bigint' ? v.toString() : v
}

/**
 * Polls until the checkpoint of `chainId` is at the chain's head and the database equals the ground truth.
 * @returns the last differences seen: empty when converged, `['did not converge']` when the checkpoint never
 *   reached the head within `timeoutMs`.
 */
export async function waitForGroundTruth(params: {
  prisma: PrismaClient
  chainId: number
  client: PublicClient
  contract: Address
  fromBlock: bigint
  timeoutMs: number
  pollMs?: number
}): Promise<string[]> {
  const deadline = Date.now() + params.timeoutMs
  let diffs = ['did not converge']
  while (Date.now() < deadline) {
    const head = await params.client.getBlockNumber({ cacheTime: 0 })
    const cp = await params.prisma.checkpoint.findUnique({ where: { chainId: params.chainId } })
    if (cp?.blockNumber === head) {
      try {
        diffs = await diffWithGroundTruth(params.prisma, params.chainId, await readGroundTruth(params.client, params.contract, params.fromBlock))
        if (!diffs.length) return diffs
      } catch (error) {
        // the node itself can fail a read of the truth (anvil once answered 0x for the contract at its head after
        // many reorgs): say so with the contract's code size at the head, and read again at the next poll
        const code = await params.client.getCode({ address: params.contract, blockNumber: head }).catch(() => undefined)
        diffs = [
          `ground truth unreadable at block ${head} (contract code ${code == null ? 'unknown' : `${(code.length - 2) / 2} bytes`}): ${String(error).split('\n')[0]}`,
        ]
      }
    }
    await new Promise((r) => setTimeout(r, params.pollMs ?? 200))
  }
  return diffs
}

/** What lies above a block: records by kind, and the attestations linked to an attestation also above it. */
export type RecordsAbove = { attestations: number; linked: number; schemas: number; offchain: number; revocations: number }

/** The number of rows in `RecordsAbove` (attestations, schemas, off-chain attestations, revocations). */
export const rowsOf = (r: RecordsAbove) => r.attestations + r.schemas + r.offchain + r.revocations

/**
 * What a reorg down to `ancestor` will take back, read from the database before it happens: the chain's
 * attestations, schemas and off-chain attestations committed above that block, the revocations committed above it
 * (of records at or below it too), and how many attestations above it link to an attestation also above it (the
 * pair a rollback must remove together).
 */
export async function countRolledBackAbove(prisma: PrismaClient, chainId: number, ancestor: bigint): Promise<RecordsAbove> {
  const above = await prisma.attestation.findMany({
    where: { chainId, blockNumber: { gt: ancestor } },
    select: { attestationId: true, linkedAttestationId: true },
  })
  const ids = new Set(above.map((a) => a.attestationId))
  const revokedAbove = { chainId, revokeBlockNumber: { gt: ancestor } }
  return {
    attestations: above.length,
    linked: above.filter((a) => a.linkedAttestationId !== null && ids.has(a.linkedAttestationId)).length,
    schemas: await prisma.schema.count({ where: { chainId, blockNumber: { gt: ancestor } } }),
    offchain: await prisma.offchainAttestation.count({ where: { chainId, blockNumber: { gt: ancestor } } }),
    revocations: (await prisma.attestation.count({ where: revokedAbove })) + (await prisma.offchainAttestation.count({ where: revokedAbove })),
  }
}

/**
 * The same figures as `countRolledBackAbove`, read from the chain: the contract's events in blocks
 * `ancestor + 1 … head` (and each attestation's `linkedAttestationId` from `getAttestation`).
 */
export async function chainRecordsAbove(client: PublicClient, contract: Address, ancestor: bigint, head: bigint): Promise<RecordsAbove> {
  const events = head > ancestor ? await client.getContractEvents({ address: contract, abi: spEventsAbi, fromBlock: ancestor + 1n, toBlock: head }) : []
  const made = events.filter((e) => e.eventName === 'AttestationMade').map((e) => (e.args as { attestationId: bigint }).attestationId)
  const ids = new Set(made)
  let linked = 0
  for (const id of made) {
    const a = (await client.readContract({ address: contract, abi: spReadAbi, functionName: 'getAttestation', args: [id], blockNumber: head })) as unknown as {
      linkedAttestationId: bigint
    }
    if (a.linkedAttestationId !== 0n && ids.has(a.linkedAttestationId)) linked++
  }
  const count = (name: string) => events.filter((e) => e.eventName === name).length
  return {
    attestations: made.length,
    linked,
    schemas: count('SchemaRegistered'),
    offchain: count('OffchainAttestationMade'),
    revocations: count('AttestationRevoked') + count('OffchainAttestationRevoked'),
  }
}
