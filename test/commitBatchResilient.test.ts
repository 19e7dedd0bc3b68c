/**
 * Defence in depth (issue 11, section 2): when the database refuses a batch because of the values it carries, the
 * refused logs are stored raw as SkippedLogs with the database's reason and the rest of the range commits with its
 * checkpoint — on PostgreSQL and PGlite. Errors that are not about values are thrown, nothing committed.
 */
import { encodeAbiParameters } from 'viem'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createMetrics } from '../src/common/metrics.js'
import { createDb, type Db } from '../src/db/createDb.js'
import { bulkInsert } from '../src/db/bulkInsert.js'
import { getSqlState, isDataError } from '../src/db/getSqlState.js'
import { DatabaseError } from '../src/errors/baseError.js'
import { buildBatch } from '../src/ingest/buildBatch.js'
import { commitBatchResilient } from '../src/ingest/commitBatchResilient.js'
import type { FetchedRange } from '../src/ingest/fetchRange.js'
import { createTestDatabase, type TestDatabase } from './helpers/database.js'
import { attestationRecord, type LogSpec, schemaRecord, SENDER, toFetchedRange } from './helpers/fetchedRange.js'

const FIELDS_JSON = JSON.stringify({ name: 's', data: [{ name: 'name', type: 'string' }] })
let nextChain = 70_000

describe.each(['postgres', 'pglite'] as const)('commitBatchResilient on %s', (kind) => {
  let database: TestDatabase | undefined
  let db: Db
  beforeAll(async () => {
    if (kind === 'postgres') database = await createTestDatabase('resilient')
    db = await createDb(database ? { databaseUrl: database.url } : {})
  })
  afterAll(async () => {
    await db?.close()
    await database?.drop()
  })

  const lookup = (chainId: number) => async (schemaId: bigint) => {
    const row = await db.prisma.schema.findUnique({ where: { chainId_schemaId: { chainId, schemaId } }, select: { fields: true } })
    return row ? ((row.fields as never) ?? null) : undefined
  }
  const commit = (chainId: number, fetched: FetchedRange, build = (f: FetchedRange) => buildBatch(chainId, f, lookup(chainId))) =>
    commitBatchResilient({ prisma: db.prisma, writer: db.writer, fetched, build, metrics: createMetrics() })

  it('finds how a real PostgreSQL refusal surfaces through Prisma 7 and the adapter (SQLSTATE in the cause chain)', async () => {
    const refused = await db.prisma.$transaction((tx) =>
      bulkInsert(tx, 'SkippedLog', [
        { chainId: 1, blockNumber: 1n, logIndex: 0, blockHash: 'h', txHash: 't', topic0: null, data: '0x', reason: JSON.parse('"\\u0000"') },
      ]).then(
        () => null,
        (e) => e,
      ),
    )
    // the bulk insert's last guard makes that value storable: a refusal needs a JSON key, which no replacer reaches
    expect(refused).toBeNull()
    const error = await db.prisma.$executeRawUnsafe('SELECT $1::jsonb', '{"a\\u0000":1}').then(
      () => null,
      (e) => e,
    )
    expect(getSqlState(error)).toMatchObject({ sqlState: '22P05' })
    expect(isDataError(new DatabaseError('wrapped', { cause: error }))).toBe(true)
    const missing = await db.prisma.$executeRawUnsafe('SELECT * FROM "NoSuchTable"').then(
      () => null,
      (e) => e,
    )
    expect(getSqlState(missing)).toMatchObject({ sqlState: '42P01' })
    expect(isDataError(missing)).toBe(false)
  })

  it('two distinct off-chain ids that are stored alike: the later is a skipped log (23505), the range commits', async () => {
    const chainId = nextChain++
    const specs: LogSpec[] = [
      { name: 'OffchainAttestationMade', offchainAttestationId: 'dup\u0000', offchain: { attester: SENDER, timestamp: 1n } },
      { name: 'SchemaRegistered', schemaId: 1n, schema: schemaRecord(FIELDS_JSON) },
      { name: 'OffchainAttestationMade', offchainAttestationId: 'dup\uFFFD', offchain: { attester: SENDER, timestamp: 1n } },
      {
        name: 'AttestationMade',
        attestationId: 1n,
        indexingKey: 'k',
        attestation: attestationRecord({ schemaId: 1n, data: encodeAbiParameters([{ type: 'string' }], ['after']) }),
      },
    ]
    const fetched = toFetchedRange(specs, { fromBlock: 10n, logsPerBlock: 1 })
    const { rejected, batch } = await commit(chainId, fetched)
    expect(rejected).toHaveLength(1)
    expect(rejected[0]).toMatchObject({
      blockNumber: 12n,
      logIndex: 0,
      data: fetched.events[2]!.data,
      reason: expect.stringMatching(/^COMMIT_REJECTED: 23505 /),
    })
    expect(batch.offchain.map((o) => o.offchainAttestationId)).toEqual(['dup\uFFFD'])
    expect(await db.prisma.checkpoint.findUnique({ where: { chainId } })).toMatchObject({ blockNumber: 13n })
    expect(await db.prisma.attestation.findMany({ where: { chainId }, select: { decodedData: true } })).toEqual([{ decodedData: { name: 'after' } }])
    const skipped = await db.prisma.skippedLog.findMany({ where: { chainId } })
    expect(skipped).toEqual([
      expect.objectContaining({ blockNumber: 12n, logIndex: 0, topic0: fetched.events[2]!.topic0, data: fetched.events[2]!.data, reason: rejected[0]!.reason }),
    ])
    expect((await db.prisma.event.findMany({ where: { chainId }, orderBy: { seq: 'asc' } })).map((e) => Number(e.blockNumber))).toEqual([10, 11, 13])

    // the same collision across ranges: the stored row is in the database already
    const next = toFetchedRange([{ name: 'OffchainAttestationMade', offchainAttestationId: 'dup\u0000', offchain: { attester: SENDER, timestamp: 1n } }], {
      fromBlock: 14n,
    })
    expect((await commit(chainId, next)).rejected).toEqual([
      expect.objectContaining({ blockNumber: 14n, reason: expect.stringMatching(/^COMMIT_REJECTED: 23505 /) }),
    ])
    expect(await db.prisma.checkpoint.findUnique({ where: { chainId } })).toMatchObject({ blockNumber: 14n })
  })

  it('refused values anywhere in a large range: exactly those logs are skipped, the rest commits in log order', async () => {
    const chainId = nextChain++
    const poisoned = new Set([3, 17, 18, 39])
    const specs: LogSpec[] = [{ name: 'SchemaRegistered', schemaId: 1n, schema: schemaRecord(FIELDS_JSON) }]
    for (let i = 1; i < 40; i++) {
      specs.push({
        name: 'AttestationMade',
        attestationId: BigInt(i),
        indexingKey: poisoned.has(i) ? `poison-${i}` : `ok-${i}`,
        attestation: attestationRecord({ schemaId: 1n, data: encodeAbiParameters([{ type: 'string' }], [`v${i}`]) }),
      })
    }
    // A row that bypasses toStorable: a NUL in a JSON key, which no bulk-insert guard can rewrite (22P05).
    const build = async (f: FetchedRange) => {
      const batch = await buildBatch(chainId, f, lookup(chainId))
      for (const a of batch.attestations) if (a.indexingKey.startsWith('poison')) a.decodedData = JSON.parse('{"k\\u0000":1}')
      return batch
    }
    const { rejected } = await commit(chainId, toFetchedRange(specs, { fromBlock: 100n }), build)
    expect(rejected.map((r) => r.reason)).toEqual([...poisoned].map(() => expect.stringMatching(/^COMMIT_REJECTED: 22P05 /)))
    const stored = await db.prisma.attestation.findMany({ where: { chainId }, orderBy: { attestationId: 'asc' }, select: { attestationId: true } })
    expect(stored.map((a) => Number(a.attestationId))).toEqual(Array.from({ length: 39 }, (_, i) => i + 1).filter((i) => !poisoned.has(i)))
    const skipped = await db.prisma.skippedLog.findMany({ where: { chainId }, orderBy: [{ blockNumber: 'asc' }, { logIndex: 'asc' }] })
    expect(skipped.map((s) => Number(s.blockNumber) * 3 + s.logIndex - 300)).toEqual([...poisoned])
    const journal = await db.prisma.event.findMany({ where: { chainId }, orderBy: { seq: 'asc' } })
    expect(journal).toHaveLength(40 - poisoned.size)
    const positions = journal.map((e) => Number(e.blockNumber) * 3 + e.logIndex)
    expect(positions).toEqual([...positions].sort((a, b) => a - b))
    expect(await db.prisma.checkpoint.findUnique({ where: { chainId } })).toMatchObject({ blockNumber: 113n })
  })

  it('a failure that is not about values is thrown for the stage loop to retry, and nothing is committed', async () => {
    const chainId = nextChain++
    await db.prisma.checkpoint.create({ data: { chainId, blockNumber: 5n, blockHash: '0x' } })
    const fetched = toFetchedRange([{ name: 'SchemaRegistered', schemaId: 1n, schema: schemaRecord('{}') }], { fromBlock: 100n })
    const error = await commit(chainId, fetched).then(
      () => null,
      (e) => e,
    )
    expect(error).toBeInstanceOf(DatabaseError)
    expect(error.retryable).toBe(true)
    expect(await db.prisma.schema.count({ where: { chainId } })).toBe(0)
    expect(await db.prisma.skippedLog.count({ where: { chainId } })).toBe(0)
  })
})
