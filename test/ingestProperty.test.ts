/**
 * Property test of the ingest stage against hostile input (issue 11, section 2), seeded: the decoders, then
 * buildBatch + commit on PGlite and PostgreSQL with arbitrary bytes, strings (NUL, lone surrogates, RTL, 100 KB),
 * JSON (deep, huge, odd keys) and recipient encodings. Nothing may throw out of the stage, every row must commit
 * (and read back as built), every value built must be storable as it is.
 *
 * Seed: PROPERTY_SEED (default fixed, printed); runs per property: PROPERTY_RUNS (default below).
 */
import fc from 'fast-check'
import { type Hex, toHex } from 'viem'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createMetrics } from '../src/common/metrics.js'
import { createDb, type Db } from '../src/db/createDb.js'
import { MAX_INDEXED_TEXT_BYTES, toStorableText } from '../src/db/toStorable.js'
import { type Batch, buildBatch } from '../src/ingest/buildBatch.js'
import { commitBatch } from '../src/ingest/commitBatch.js'
import { commitBatchResilient } from '../src/ingest/commitBatchResilient.js'
import { decodeAttestationData, decodeRecipient, parseSchemaData, type SchemaField } from '../src/ingest/decodeData.js'
import type { FetchedRange } from '../src/ingest/fetchRange.js'
import { createTestDatabase, type TestDatabase } from './helpers/database.js'
import { toFetchedRange } from './helpers/fetchedRange.js'
import { dataSpec, type FieldSpec, ops, recipient, schemaSpec, scenario, text } from './helpers/hostileArbitraries.js'
import { findUnstorable } from './helpers/storable.js'

const metrics = createMetrics()
const SEED = Number(process.env.PROPERTY_SEED ?? 20_261_111)
const RUNS = Number(process.env.PROPERTY_RUNS ?? 40)
const runs = new Map<string, number>()
const count = (name: string) => runs.set(name, (runs.get(name) ?? 0) + 1)
const params = (numRuns = RUNS) => ({ seed: SEED, numRuns, endOnFailure: false })

afterAll(() => {
  const lines = [...runs].map(([name, n]) => `  ${name}: ${n} runs`)
  console.log(
    `ingest property test, seed ${SEED} (override with PROPERTY_SEED):\n${lines.join('\n')}\n  total: ${[...runs.values()].reduce((a, b) => a + b, 0)} runs`,
  )
})

describe('decoders on hostile input', () => {
  it('parseSchemaData never throws and returns storable JSON and fields', () => {
    fc.assert(
      fc.property(schemaSpec, (s) => {
        count('parseSchemaData')
        const r = parseSchemaData(s.text)
        expect(findUnstorable(r.json)).toBeNull()
        expect(findUnstorable(r.fields)).toBeNull()
        if (s.fields) expect(r.fields?.length).toBe(s.fields.length) // SDK-shaped: every field kept, whatever its name
      }),
      params(RUNS * 10),
    )
  })
  it('decodeAttestationData and decodeRecipient never throw and return storable values', () => {
    fc.assert(
      fc.property(schemaSpec, dataSpec, fc.uint8Array({ maxLength: 300 }), recipient, (s, d, raw, r) => {
        count('decodeAttestationData + decodeRecipient')
        const fields = parseSchemaData(s.text).fields
        const data: Hex = d.kind === 'random' ? d.data : toHex(raw)
        for (const location of [0, 1, 2, 3]) expect(findUnstorable(decodeAttestationData(data, location, fields))).toBeNull()
        const decoded = decodeRecipient(r)
        expect(findUnstorable(decoded)).toBeNull()
        expect(decoded.raw).toBe(r.toLowerCase())
        if (decoded.text !== null) expect(Buffer.byteLength(decoded.text)).toBeLessThanOrEqual(MAX_INDEXED_TEXT_BYTES)
      }),
      params(RUNS * 10),
    )
  })
})

let nextChain = 900_000

describe.each(['pglite', 'postgres'] as const)('the ingest stage on %s', (kind) => {
  let database: TestDatabase | undefined
  let db: Db
  beforeAll(async () => {
    if (kind === 'postgres') database = await createTestDatabase('property')
    db = await createDb(database ? { databaseUrl: database.url } : {})
  })
  afterAll(async () => {
    await db?.close()
    await database?.drop()
  })

  // PGlite 0.5.16 stores a leading U+FEFF but its client drops it when reading a text column (TextDecoder's BOM
  // handling; `length()` and `convert_to()` show it stored): compare text columns as PGlite reads them.
  const asRead = (value: string | null) => (kind === 'pglite' && value !== null ? value.replace(/^\uFEFF/, '') : value)
  const lookup = (chainId: number) => async (schemaId: bigint) => {
    const row = await db.prisma.schema.findUnique({ where: { chainId_schemaId: { chainId, schemaId } }, select: { fields: true } })
    return row ? ((row.fields as SchemaField[] | null) ?? null) : undefined
  }
  /** Two consecutive ranges (so revocations also hit rows of an earlier commit), split at `split`. */
  const ranges = (specs: ReturnType<typeof scenario>['specs'], split: number): [FetchedRange, FetchedRange] => {
    const cut = Math.min(split, specs.length)
    const first = toFetchedRange(specs.slice(0, cut), { fromBlock: 1n })
    return [first, toFetchedRange(specs.slice(cut), { fromBlock: first.toBlock + 1n })]
  }

  it('every row of hostile ranges commits as built, with plain commitBatch (the values alone are storable)', async () => {
    await fc.assert(
      fc.asyncProperty(ops(10), fc.nat({ max: 10 }), async (list, split) => {
        count(`commit on ${kind}`)
        const chainId = nextChain++
        const { specs, encodedUnder } = scenario(list, { uniqueOffchainIds: true })
        const built: Batch[] = []
        for (const fetched of ranges(specs, split)) {
          const batch = await buildBatch(chainId, fetched, lookup(chainId))
          const rows = {
            schemas: batch.schemas,
            attestations: batch.attestations,
            recipients: batch.recipients,
            offchain: batch.offchain,
            revocations: batch.revocations,
            journal: batch.journal,
            skipped: batch.skipped,
          }
          for (const [table, list] of Object.entries(rows)) {
            for (const row of list as object[])
              for (const [column, value] of Object.entries(row)) expect(findUnstorable(value, `${table}.${column}`)).toBeNull()
          }
          expect(batch.journal.length + batch.skipped.length).toBe(fetched.events.length) // every log accounted for
          for (const s of batch.skipped) expect(s.reason).toMatch(/^(READ_FAILED|OFFCHAIN_ID_TOO_LONG): /)
          await commitBatch(db.writer, batch, metrics)
          built.push(batch)
        }
        const [a, b] = built as [Batch, Batch]
        expect(await db.prisma.checkpoint.findUnique({ where: { chainId } })).toMatchObject({ blockNumber: b.toBlock })
        const all = <K extends keyof Batch>(k: K) => [...(a[k] as unknown[]), ...(b[k] as unknown[])]
        expect(await db.prisma.event.count({ where: { chainId } })).toBe(all('journal').length)
        expect(await db.prisma.skippedLog.count({ where: { chainId } })).toBe(all('skipped').length)
        expect(await db.prisma.recipient.count({ where: { chainId } })).toBe(all('recipients').length)

        // read back: what is stored is what was built (revocations of the first range applied by the second)
        const schemas = await db.prisma.schema.findMany({ where: { chainId }, orderBy: { schemaId: 'asc' } })
        expect(schemas.map((s) => [s.data, s.dataJson, s.fields, s.dataError])).toEqual(
          [...a.schemas, ...b.schemas].map((s) => [asRead(s.data), s.dataJson, s.fields, s.dataError]),
        )
        const stored = new Map((await db.prisma.attestation.findMany({ where: { chainId } })).map((r) => [r.attestationId, r]))
        const revoked = new Map([...a.revocations, ...b.revocations].filter((r) => r.subject === 'attestation').map((r) => [r.id as bigint, r.reason]))
        for (const row of [...a.attestations, ...b.attestations]) {
          const s = stored.get(row.attestationId)!
          expect([s.decodedData, s.decodeError, s.indexingKey, s.recipientsRaw, s.data]).toEqual([
            row.decodedData,
            row.decodeError,
            asRead(row.indexingKey),
            row.recipientsRaw,
            row.data,
          ])
          expect(s.revokeReason).toBe(asRead(revoked.get(row.attestationId) ?? row.revokeReason))
          expect(Buffer.byteLength(s.indexingKey)).toBeLessThanOrEqual(MAX_INDEXED_TEXT_BYTES)
        }
        expect(stored.size).toBe(all('attestations').length)
        expect(await db.prisma.offchainAttestation.count({ where: { chainId } })).toBe(all('offchain').length)

        // data encoded against known fields decodes, and keeps every field (`__proto__`, "\u0000", duplicates collapse)
        const made = [...a.attestations, ...b.attestations]
        for (const [i, fields] of encodedUnder) {
          const spec = specs[i]!
          if (spec.name !== 'AttestationMade') continue
          const row = made.find((r) => r.attestationId === spec.attestationId)!
          expect(row.decodeError).toBeNull()
          expect(Object.keys(row.decodedData as object)).toEqual([...new Set(fields.map((f: FieldSpec, j) => toStorableText(f.name) || `field${j}`))])
        }
      }),
      params(),
    )
  })

  it('ranges with off-chain ids that are stored alike commit through commitBatchResilient, the duplicates kept as skipped logs', async () => {
    const collidingIds = fc.constantFrom(['c\u0000', 'c\uFFFD'], ['\ud800', '\uFFFD'], ['x\u0000y', 'x\ud800y'])
    await fc.assert(
      fc.asyncProperty(ops(8), collidingIds, fc.nat({ max: 10 }), text, async (list, [first, second], split, reason) => {
        count(`resilient commit on ${kind}`)
        const chainId = nextChain++
        const withCollision = [
          ...list,
          { op: 'offchain' as const, id: first, readFails: false },
          { op: 'revokeOffchain' as const, ref: -1, id: first, reason },
          { op: 'offchain' as const, id: second, readFails: false },
        ]
        const { specs } = scenario(withCollision, { uniqueOffchainIds: false })
        let rejected = 0
        for (const fetched of ranges(specs, split)) {
          const result = await commitBatchResilient({ prisma: db.prisma, fetched, build: (f) => buildBatch(chainId, f, lookup(chainId)), metrics })
          for (const r of result.rejected) {
            expect(r.reason).toMatch(/^COMMIT_REJECTED: 23505 /)
            expect(fetched.events.find((e) => e.blockNumber === r.blockNumber && e.logIndex === r.logIndex)?.name).toBe('OffchainAttestationMade')
          }
          rejected += result.rejected.length
          expect(await db.prisma.checkpoint.findUnique({ where: { chainId } })).toMatchObject({ blockNumber: fetched.toBlock })
        }
        expect(rejected).toBeGreaterThanOrEqual(1)
        const logged = (await db.prisma.event.count({ where: { chainId } })) + (await db.prisma.skippedLog.count({ where: { chainId } }))
        expect(logged).toBe(specs.length) // every log is either a journal entry of a stored record or a skipped log
      }),
      params(Math.ceil(RUNS / 2)),
    )
  })
})
