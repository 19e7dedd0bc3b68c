/**
 * The journal tail's reads (src/journal/journalReader.ts) against real PostgreSQL: pages in seq order, the start
 * position (with and without a gate holding entries), the snapshot bounds, and the gate's and annotator's passes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createSilentLogger } from '../src/common/logger.js'
import { createDb, type Db } from '../src/db/createDb.js'
import type { JournalEntry } from '../src/journal/journalEntry.js'
import { createJournalReader, type JournalGate } from '../src/journal/journalReader.js'
import { createTestDatabase, type TestDatabase } from './helpers/database.js'

let database: TestDatabase
let db: Db
const seqs: bigint[] = []

beforeAll(async () => {
  database = await createTestDatabase('sitest_journal_reader')
  db = await createDb({ databaseUrl: database.url })
  for (let i = 1; i <= 5; i++) {
    const data = {
      chainId: 1,
      kind: 'CREATED' as const,
      subjectType: 'ATTESTATION' as const,
      subjectId: String(i),
      blockNumber: BigInt(i),
      blockHash: '0x00',
      logIndex: 0,
    }
    seqs.push((await db.prisma.event.create({ data })).seq)
  }
})

afterAll(async () => {
  await db?.close()
  await database?.drop()
})

/** releases entries up to `upTo` seqs and drops `drop` */
function gate(upTo: number, drop: string[] = [], firstHeld: bigint | null = null): JournalGate {
  return {
    releasable: async (events) => events.filter((e) => BigInt(e.seq) <= BigInt(upTo)).length,
    dropped: async (events) => new Set(events.map((e) => e.seq).filter((seq) => drop.includes(seq))),
    firstHeld: async () => firstHeld,
  }
}

describe('createJournalReader', () => {
  it('reads pages in seq order, bounded by the batch size and `upTo`', async () => {
    const reader = createJournalReader({ prisma: db.prisma, batchSize: 2, logger: createSilentLogger() })
    expect((await reader.readRange(seqs[0]!)).map((r) => r.seq)).toEqual([seqs[1], seqs[2]])
    expect((await reader.readRange(seqs[0]!, seqs[1])).map((r) => r.seq)).toEqual([seqs[1]])
    const [first] = await reader.readRange(0n)
    expect(first).toMatchObject({ chainId: 1, kind: 'CREATED', subjectId: '1', blockNumber: 1n, finality: null })
  })

  it('starts after the given cursor, at the highest seq, or just before the first entry the gate holds', async () => {
    const plain = createJournalReader({ prisma: db.prisma, batchSize: 2, logger: createSilentLogger() })
    expect(await plain.readStart('2')).toBe(2n)
    expect(await plain.readStart(undefined)).toBe(seqs[4])
    const held = createJournalReader({ prisma: db.prisma, batchSize: 2, gate: gate(0, [], seqs[3]!), logger: createSilentLogger() })
    expect(await held.readStart(undefined)).toBe(seqs[2])
    expect(await held.readStart('1')).toBe(1n) // a cursor given is taken as it is
  })

  it('reads the snapshot bounds', async () => {
    const reader = createJournalReader({ prisma: db.prisma, batchSize: 2, logger: createSilentLogger() })
    const snapshot = await reader.readSnapshot()
    expect(snapshot!.xmin).toBeLessThanOrEqual(snapshot!.xmax)
  })

  it('keeps the prefix the gate releases, with its drops, and annotates it only when asked once read', async () => {
    const annotated: string[][] = []
    const annotate = async (events: JournalEntry[]) => void annotated.push(events.map((e) => e.seq))
    const reader = createJournalReader({
      prisma: db.prisma,
      batchSize: 10,
      gate: gate(Number(seqs[2]), [String(seqs[1])]),
      annotate,
      logger: createSilentLogger(),
    })
    const released = await reader.readReleased(0n, () => true)
    expect(released.read).toBe(5)
    expect(released.rows.map((r) => r.seq)).toEqual(seqs.slice(0, 3))
    expect(released.events.map((e) => e.seq)).toEqual(seqs.slice(0, 3).map(String))
    expect([...released.dropped]).toEqual([String(seqs[1])])
    expect(annotated).toEqual([seqs.slice(0, 3).map(String)])
    await reader.readReleased(0n, () => false)
    expect(annotated).toHaveLength(1)
    const replayed = await reader.readRange(0n)
    const kept = await reader.keepReplayed(
      replayed.map((r) => ({ seq: String(r.seq) }) as JournalEntry),
      true,
    )
    expect(kept.map((e) => e.seq)).toEqual(seqs.filter((s) => s !== seqs[1]).map(String))
    expect(annotated).toHaveLength(2)
  })
})
