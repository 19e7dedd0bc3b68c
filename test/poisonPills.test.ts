/**
 * Poison pills through the real contract (issue 11, section 2): each hostile record anyone can send — schema data
 * `{"name":"\ud800"}`, 5,000 nested arrays, a string recipient abi.encode("a\0b"), a field name and a JSON key with
 * \u0000, a field named __proto__, IPFS/Arweave CIDs with NUL, indexing keys and revoke reasons with NUL or raw
 * surrogate bytes, off-chain ids that are stored alike — is sent as one ordinary transaction on anvil, then ordinary
 * attestations. The real indexer must reach the head on PostgreSQL and PGlite, index every later attestation, keep
 * the raw bytes and give a reason for what it could not store as decoded.
 *
 * Strings the test must send as exact bytes (a lone surrogate has no UTF-8 form: viem would send EF BF BD) go out
 * as hand-encoded calldata: the function's selector with `bytes` in place of `string` (the same ABI encoding).
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type AbiParameter, concat, encodeAbiParameters, type Hex, parseEventLogs, stringToHex, toFunctionSelector, type TransactionReceipt } from 'viem'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createDb, type Db } from '../src/db/createDb.js'
import { MAX_INDEXED_TEXT_BYTES } from '../src/db/toStorable.js'
import {
  completeAttestation,
  completeSchema,
  createDevClients,
  createSpWriter,
  DataLocation,
  type DevClients,
  type Devnet,
  devAccount,
  SCORE_FIELDS,
  schemaJson,
  sendAndWait,
  spAbi,
  type SpWriter,
  startDevnet,
  stringRecipient,
  tupleScore,
} from '../src/devnet/index.js'
import { createTestDatabase, type TestDatabase } from './helpers/database.js'
import { devnetChain, runIndexerToHead } from './helpers/runIndexerToHead.js'

let devnet: Devnet
let clients: DevClients
let sp: SpWriter
const A = 1

/** `abi.encode`-compatible call of an SP function with every `string` parameter given as raw bytes. */
async function sendRaw(functionName: 'register' | 'attest' | 'revoke' | 'attestOffchain', args: unknown[]): Promise<TransactionReceipt> {
  const item = spAbi.find((x) => x.type === 'function' && x.name === functionName)! as { inputs: readonly AbiParameter[] }
  const asBytes = (p: AbiParameter): AbiParameter =>
    ({ ...p, type: p.type.replace(/^string/, 'bytes'), ...('components' in p ? { components: p.components.map(asBytes) } : {}) }) as AbiParameter
  const data = concat([toFunctionSelector(item as never), encodeAbiParameters(item.inputs.map(asBytes), args)])
  return sendAndWait(clients.publicClient, `SP.${functionName} (raw)`, () => clients.wallet(A).sendTransaction({ to: devnet.address, data }))
}
const idsOf = (r: TransactionReceipt, eventName: 'SchemaRegistered' | 'AttestationMade') =>
  parseEventLogs({ abi: spAbi, logs: r.logs, eventName }).map(
    (l) => (l.args as { schemaId?: bigint; attestationId?: bigint }).schemaId ?? (l.args as { attestationId: bigint }).attestationId,
  )
const logDataOf = (r: TransactionReceipt) => r.logs.find((l) => l.address.toLowerCase() === devnet.address.toLowerCase())!.data

/** Text no compression shrinks below an index entry's limit. */
const incompressible = (length: number) => Array.from({ length }, (_, i) => String.fromCharCode(0x4e00 + ((i * 7919) % 20_000))).join('')

const pills = {} as {
  surrogateSchema: bigint
  surrogateBytesSchema: bigint
  deepSchema: bigint
  unbalancedSchema: bigint
  nulFieldSchema: bigint
  protoSchema: bigint
  ipfsSchema: bigint
  arweaveSchema: bigint
  scoreSchema: bigint
  nulFieldAttestation: bigint
  protoAttestation: bigint
  nulRecipient: bigint
  longRecipient: bigint
  ipfsNul: bigint
  arweaveNul: bigint
  nulKey: bigint
  rawKey: bigint
  longKey: bigint
  revokedNul: bigint
  revokedRaw: bigint
  offchainCollisions: { txHash: Hex; data: Hex }[]
  longOffchain: Hex
  ordinary: bigint[]
}

beforeAll(async () => {
  devnet = await startDevnet({ port: 0 })
  clients = await createDevClients(devnet.rpcUrl)
  sp = createSpWriter(clients, devnet.address)
  const me = devAccount(A).address
  const register = async (data: Hex, over: Partial<Parameters<typeof completeSchema>[0]> = {}) =>
    idsOf(await sendRaw('register', [{ ...completeSchema({ data: '', ...over }, me), data }, '0x']), 'SchemaRegistered')[0]!

  // schema data
  pills.surrogateSchema = await sp.register(A, { data: '{"name":"\\ud800"}' }) // the JSON escape, as the issue sends it
  pills.surrogateBytesSchema = await register(concat([stringToHex('{"name":"'), '0xeda080', stringToHex('"}')])) // CESU/WTF-8 bytes of U+D800
  pills.deepSchema = await sp.register(A, { data: `${'['.repeat(5_000)}${']'.repeat(5_000)}` })
  pills.unbalancedSchema = await sp.register(A, { data: '['.repeat(5_000) })
  pills.nulFieldSchema = await sp.register(A, { data: '{"k\\u0000":1,"data":[{"name":"a\\u0000b","type":"string"}]}' })
  pills.protoSchema = await sp.register(A, {
    data: JSON.stringify({
      name: 'proto',
      data: [
        { name: '__proto__', type: 'string' },
        { name: 'score', type: 'uint256' },
      ],
    }),
  })
  pills.ipfsSchema = await sp.register(A, { data: 'ipfs', dataLocation: DataLocation.IPFS })
  pills.arweaveSchema = await sp.register(A, { data: 'arweave', dataLocation: DataLocation.ARWEAVE })
  pills.scoreSchema = await sp.register(A, { data: schemaJson('score', 'ordinary', SCORE_FIELDS) })

  // attestations
  const attest = (att: Parameters<typeof completeAttestation>[0], key: string) => sp.attest(A, att, key)
  pills.nulFieldAttestation = await attest({ schemaId: pills.nulFieldSchema, data: encodeAbiParameters([{ type: 'string' }], ['v\u0000']) }, 'nul-field')
  pills.protoAttestation = await attest(
    { schemaId: pills.protoSchema, data: encodeAbiParameters([{ type: 'tuple', components: [{ type: 'string' }, { type: 'uint256' }] }], [['p', 7n]]) },
    'proto',
  )
  pills.nulRecipient = await attest({ schemaId: pills.scoreSchema, data: tupleScore('r', 1n), recipients: [stringRecipient('a\u0000b')] }, 'nul-recipient')
  pills.longRecipient = await attest(
    { schemaId: pills.scoreSchema, data: tupleScore('r', 2n), recipients: [stringRecipient(incompressible(3_000))] },
    'long-recipient',
  )
  pills.ipfsNul = await attest(
    { schemaId: pills.ipfsSchema, dataLocation: DataLocation.IPFS, data: encodeAbiParameters([{ type: 'string' }], ['bafy\u0000x']) },
    'ipfs',
  )
  pills.arweaveNul = await attest(
    { schemaId: pills.arweaveSchema, dataLocation: DataLocation.ARWEAVE, data: encodeAbiParameters([{ type: 'string' }], ['ar\u0000x']) },
    'arweave',
  )
  pills.nulKey = await attest({ schemaId: pills.scoreSchema, data: tupleScore('k', 3n) }, 'key\u00001')
  const att = completeAttestation({ schemaId: pills.scoreSchema, data: tupleScore('k', 4n) }, me)
  pills.rawKey = idsOf(await sendRaw('attest', [att, concat([stringToHex('k'), '0xeda08000']), '0x', '0x']), 'AttestationMade')[0]!
  pills.longKey = await attest({ schemaId: pills.scoreSchema, data: tupleScore('k', 5n) }, incompressible(3_000))
  pills.revokedNul = await attest({ schemaId: pills.scoreSchema, data: tupleScore('v', 6n) }, 'revoke-nul')
  await sp.revoke(A, pills.revokedNul, 'why\u0000not')
  pills.revokedRaw = await attest({ schemaId: pills.scoreSchema, data: tupleScore('v', 7n) }, 'revoke-raw')
  await sendRaw('revoke', [pills.revokedRaw, '0xeda08000ff', '0x', '0x'])

  // off-chain ids that two distinct byte strings become alike: "dup\0" / "dup\uFFFD", and two invalid UTF-8 bytes
  pills.offchainCollisions = []
  for (const id of [stringToHex('dup\u0000'), stringToHex('dup\uFFFD'), '0x78ff', '0x78fe'] as Hex[]) {
    const r = await sendRaw('attestOffchain', [id, '0x0000000000000000000000000000000000000000', '0x'])
    pills.offchainCollisions.push({ txHash: r.transactionHash, data: logDataOf(r) })
  }
  pills.longOffchain = logDataOf(await sendRaw('attestOffchain', [stringToHex(incompressible(3_000)), '0x0000000000000000000000000000000000000000', '0x']))

  pills.ordinary = []
  for (let i = 0; i < 3; i++) pills.ordinary.push(await attest({ schemaId: pills.scoreSchema, data: tupleScore(`after-${i}`, BigInt(i)) }, `after-${i}`))
}, 120_000)

afterAll(async () => {
  await devnet?.stop()
})

describe.each(['postgres', 'pglite'] as const)('poison pills on %s', (kind) => {
  let database: TestDatabase | undefined
  let dir: string | undefined
  let db: Db
  beforeAll(async () => {
    if (kind === 'postgres') {
      database = await createTestDatabase('poison')
      db = await createDb({ databaseUrl: database.url })
    } else {
      dir = await mkdtemp(join(tmpdir(), 'sign-poison-'))
      db = await createDb({ dataDir: join(dir, 'pglite') })
    }
  })
  afterAll(async () => {
    await db?.close()
    await database?.drop()
    if (dir) await rm(dir, { recursive: true, force: true })
  })

  const chainId = () => devnet.chainId
  const schema = (schemaId: bigint) => db.prisma.schema.findUniqueOrThrow({ where: { chainId_schemaId: { chainId: chainId(), schemaId } } })
  const attestation = (attestationId: bigint) =>
    db.prisma.attestation.findUniqueOrThrow({ where: { chainId_attestationId: { chainId: chainId(), attestationId } }, include: { recipients: true } })

  it('reaches the head and indexes every attestation made after the pills', async () => {
    const head = await clients.publicClient.getBlockNumber({ cacheTime: 0 })
    await runIndexerToHead(db, devnetChain(devnet), { targetBlock: head, timeoutMs: 30_000 })
    expect((await db.prisma.checkpoint.findUniqueOrThrow({ where: { chainId: chainId() } })).blockNumber).toBe(head)
    for (const [i, id] of pills.ordinary.entries()) expect((await attestation(id)).decodedData).toEqual({ name: `after-${i}`, score: String(i) })
    // ids count from 1 on a fresh contract: every attestation, pill or not, is a row
    expect(await db.prisma.attestation.count({ where: { chainId: chainId() } })).toBe(Number(pills.ordinary.at(-1)!))
  })

  it('stores hostile schema data as text, its JSON only when storable, with reasons', async () => {
    expect(await schema(pills.surrogateSchema)).toMatchObject({
      data: '{"name":"\\ud800"}',
      dataJson: { name: '\uFFFD' },
      dataError: expect.stringMatching(/^SCHEMA_NO_FIELDS/),
    })
    expect(await schema(pills.surrogateBytesSchema)).toMatchObject({ data: '{"name":"\uFFFD\uFFFD\uFFFD"}', dataJson: { name: '\uFFFD\uFFFD\uFFFD' } })
    const deep = await schema(pills.deepSchema)
    expect(deep).toMatchObject({ dataJson: null, fields: null, dataError: expect.stringMatching(/^SCHEMA_JSON_TOO_DEEP/) })
    expect(deep.data).toHaveLength(10_000)
    expect(await schema(pills.unbalancedSchema)).toMatchObject({
      data: '['.repeat(5_000),
      dataJson: null,
      dataError: expect.stringMatching(/^SCHEMA_NOT_JSON/),
    })
    expect(await schema(pills.nulFieldSchema)).toMatchObject({
      dataJson: { 'k\uFFFD': 1, data: [{ name: 'a\uFFFDb', type: 'string' }] },
      fields: [{ name: 'a\uFFFDb', type: 'string' }],
      dataError: null,
    })
  })

  it('decodes data under hostile field names and keeps a field named __proto__', async () => {
    expect(await attestation(pills.nulFieldAttestation)).toMatchObject({ decodedData: { 'a\uFFFDb': 'v\uFFFD' }, decodeError: null })
    const proto = await attestation(pills.protoAttestation)
    expect(proto.dataEncoding).toBe('TUPLE')
    expect(Object.getOwnPropertyNames(proto.decodedData).sort()).toEqual(['__proto__', 'score']) // jsonb orders keys its own way
    expect(JSON.parse(JSON.stringify(proto.decodedData))).toEqual(JSON.parse('{"__proto__":"p","score":"7"}'))
  })

  it('keeps recipients raw and stores their text only when it is storable and indexable', async () => {
    const nul = await attestation(pills.nulRecipient)
    expect(nul.recipientsRaw).toEqual([stringRecipient('a\u0000b')])
    expect(nul.recipients).toMatchObject([{ raw: stringRecipient('a\u0000b'), text: 'a\uFFFDb', address: null }])
    const long = await attestation(pills.longRecipient)
    expect(long.recipients).toMatchObject([{ raw: stringRecipient(incompressible(3_000)).toLowerCase(), text: null }])
  })

  it('stores CIDs, indexing keys and revoke reasons with U+FFFD for what text cannot hold, raw data kept', async () => {
    expect(await attestation(pills.ipfsNul)).toMatchObject({
      dataEncoding: 'CID',
      decodedData: { cid: 'bafy\uFFFDx' },
      data: encodeAbiParameters([{ type: 'string' }], ['bafy\u0000x']),
    })
    expect(await attestation(pills.arweaveNul)).toMatchObject({ dataEncoding: 'CID', decodedData: { cid: 'ar\uFFFDx' } })
    expect((await attestation(pills.nulKey)).indexingKey).toBe('key\uFFFD1')
    expect((await attestation(pills.rawKey)).indexingKey).toBe('k\uFFFD\uFFFD\uFFFD\uFFFD')
    const longKey = (await attestation(pills.longKey)).indexingKey
    expect(Buffer.byteLength(longKey)).toBeLessThanOrEqual(MAX_INDEXED_TEXT_BYTES)
    expect(longKey.endsWith('\u2026') && incompressible(3_000).startsWith(longKey.slice(0, -1))).toBe(true)
    expect(await attestation(pills.revokedNul)).toMatchObject({ revoked: true, revokeReason: 'why\uFFFDnot' })
    expect(await attestation(pills.revokedRaw)).toMatchObject({ revoked: true, revokeReason: '\uFFFD\uFFFD\uFFFD\uFFFD\uFFFD' })
  })

  it('keeps an off-chain attestation whose id repeats a stored one, or cannot be indexed, raw as a skipped log with the reason', async () => {
    const skipped = await db.prisma.skippedLog.findMany({ where: { chainId: chainId() }, orderBy: [{ blockNumber: 'asc' }, { logIndex: 'asc' }] })
    const [, second, , fourth] = pills.offchainCollisions
    expect(skipped).toEqual([
      expect.objectContaining({ txHash: second!.txHash, data: second!.data, reason: expect.stringMatching(/^COMMIT_REJECTED: 23505 /) }),
      expect.objectContaining({ txHash: fourth!.txHash, data: fourth!.data, reason: expect.stringMatching(/^COMMIT_REJECTED: 23505 /) }),
      expect.objectContaining({ data: pills.longOffchain, reason: expect.stringMatching(/^OFFCHAIN_ID_TOO_LONG/) }),
    ])
    const stored = await db.prisma.offchainAttestation.findMany({ where: { chainId: chainId() }, orderBy: { blockNumber: 'asc' } })
    expect(stored.map((o) => o.offchainAttestationId)).toEqual(['dup\uFFFD', 'x\uFFFD'])
    expect(stored.map((o) => o.txHash)).toEqual([pills.offchainCollisions[0]!.txHash, pills.offchainCollisions[2]!.txHash])
  })
})
