/**
 * The journal tail against real PostgreSQL: starts at the end, wakes on notify, keeps seq order across an
 * uncommitted (in-flight) transaction, skips a rolled-back seq after the gap timeout, bounds subscriber
 * buffers and resumes from a cursor with no gap and no duplicate.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createMetrics } from '../src/common/metrics.js'
import { createDb, type Db } from '../src/db/createDb.js'
import { createJournalTail, type JournalEntry, JournalOverflowError, type JournalSubscription, type JournalTail } from '../src/journal/journalTail.js'
import { createReplayLimiter, ReplayLimitError } from '../src/journal/replayLimiter.js'
import { createTestDatabase, type TestDatabase } from './helpers/database.js'
import { waitFor } from './helpers/graphql.js'

let database: TestDatabase
let db: Db
const tails: JournalTail[] = []

function tail(options: Partial<Parameters<typeof createJournalTail>[0]> = {}): JournalTail {
  const created = createJournalTail({ prisma: db.prisma, metrics: createMetrics(), pollIntervalMs: 60_000, ...options })
  tails.push(created)
  return created
}

let subject = 0
function eventData(chainId = 1) {
  subject++
  return {
    chainId,
    kind: 'CREATED' as const,
    subjectType: 'ATTESTATION' as const,
    subjectId: String(subject),
    blockNumber: BigInt(subject),
    blockHash: '0x00',
    logIndex: 0,
  }
}

async function append(count = 1, chainId = 1): Promise<string[]> {
  const seqs: string[] = []
  for (let i = 0; i < count; i++) seqs.push((await db.prisma.event.create({ data: eventData(chainId) })).seq.toString())
  return seqs
}

async function take(subscription: JournalSubscription, count: number, timeoutMs = 5_000): Promise<JournalEntry[]> {
  const events: JournalEntry[] = []
  const deadline = Date.now() + timeoutMs
  while (events.length < count) {
    const left = deadline - Date.now()
    if (left <= 0) throw new Error(`got ${events.length} of ${count} events`)
    let timer: NodeJS.Timeout | undefined
    const result = await Promise.race([
      subscription.next(),
      new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`got ${events.length} of ${count} events`)), left))),
    ]).finally(() => clearTimeout(timer))
    if (result.done) throw new Error('subscription ended')
    events.push(result.value)
  }
  return events
}

beforeAll(async () => {
  database = await createTestDatabase('sitest_journal')
  db = await createDb({ databaseUrl: database.url })
  await append(3)
})

afterAll(async () => {
  await Promise.all(tails.map((t) => t.close()))
  await db?.close()
  await database?.drop()
})

describe('journal tail', () => {
  it('starts at the end of the journal and is woken by notify()', async () => {
    const journal = tail()
    await journal.ready
    expect(journal.stats().position).toBe('3')
    const subscription = journal.subscribe()
    const seqs = await append(2)
    journal.notify()
    expect((await take(subscription, 2, 2_000)).map((e) => e.seq)).toEqual(seqs)
    subscription.close()
    expect((await subscription.next()).done).toBe(true)
  })

  it('polls when nobody notifies, and filters per subscriber', async () => {
    const journal = tail({ pollIntervalMs: 30 })
    await journal.ready
    const chainTwo = journal.subscribe({ filter: (e) => e.chainId === 2 })
    const [, seq] = [await append(1, 1), await append(1, 2)]
    const event = (await take(chainTwo, 1))[0]!
    expect(event).toMatchObject({ seq: seq[0], chainId: 2, kind: 'CREATED', subjectType: 'ATTESTATION' })
    expect(typeof event.blockNumber).toBe('string')
    chainTwo.close()
  })

  it('waits for an uncommitted earlier seq instead of skipping it', async () => {
    const journal = tail({ pollIntervalMs: 20, gapTimeoutMs: 30_000 })
    await journal.ready
    const subscription = journal.subscribe()
    let release!: () => void
    const held = new Promise<void>((resolve) => (release = resolve))
    let inFlightSeq = ''
    const inFlight = db.prisma.$transaction(async (tx) => {
      inFlightSeq = (await tx.event.create({ data: eventData() })).seq.toString()
      await held
    })
    await waitFor(() => inFlightSeq !== '', 5_000, 'the in-flight insert')
    const [later = ''] = await append(1)
    expect(BigInt(later)).toBeGreaterThan(BigInt(inFlightSeq))
    await new Promise((resolve) => setTimeout(resolve, 800))
    expect(journal.stats().position).toBe((BigInt(inFlightSeq) - 1n).toString())
    release()
    await inFlight
    expect((await take(subscription, 2)).map((e) => e.seq)).toEqual([inFlightSeq, later])
    subscription.close()
  })

  it('skips a rolled-back seq once no transaction that could fill it is running (long before the timeout)', async () => {
    const journal = tail({ pollIntervalMs: 20, gapTimeoutMs: 30_000 })
    await journal.ready
    const subscription = journal.subscribe()
    await db.prisma
      .$transaction(async (tx) => {
        await tx.event.create({ data: eventData() })
        throw new Error('roll back')
      })
      .catch(() => {})
    const [after] = await append(1)
    const started = Date.now()
    const event = (await take(subscription, 1))[0]!
    expect(event.seq).toBe(after)
    expect(Date.now() - started).toBeLessThan(5_000)
    subscription.close()
  })

  it('skips a hole after the gap timeout even while an unrelated transaction stays open', async () => {
    const journal = tail({ pollIntervalMs: 20, gapTimeoutMs: 400 })
    await journal.ready
    const subscription = journal.subscribe()
    let release!: () => void
    const held = new Promise<void>((resolve) => (release = resolve))
    let opened = false
    // a writer that never touches the journal, holding back the snapshot xmin
    const unrelated = db.prisma
      .$transaction(
        async (tx) => {
          await tx.chain.create({ data: { chainId: 999, name: 'x', contract: '0x00', startBlock: 0n, confirmations: 0 } })
          opened = true
          await held
          throw new Error('roll back')
        },
        { timeout: 30_000 },
      )
      .catch(() => {})
    await waitFor(() => opened, 5_000, 'the unrelated transaction')
    await db.prisma
      .$transaction(async (tx) => {
        await tx.event.create({ data: eventData() })
        throw new Error('roll back')
      })
      .catch(() => {})
    const [after] = await append(1)
    const started = Date.now()
    const event = (await take(subscription, 1))[0]!
    expect(event.seq).toBe(after)
    expect(Date.now() - started).toBeGreaterThanOrEqual(300)
    release()
    await unrelated
    subscription.close()
  })

  it('disconnects a subscriber whose buffer overflows, with a cursor that resumes without gap or duplicate', async () => {
    const journal = tail({ pollIntervalMs: 20, bufferSize: 3 })
    await journal.ready
    const start = journal.stats().position!
    const slow = journal.subscribe()
    const first = await append(1)
    expect((await take(slow, 1)).map((e) => e.seq)).toEqual(first)
    const burst = await append(5)
    journal.notify()
    await waitFor(() => journal.stats().subscribers === 0, 5_000, 'the overflowing subscriber to be dropped')
    const error = await slow.next().then(
      () => undefined,
      (e: unknown) => e,
    )
    expect(error).toBeInstanceOf(JournalOverflowError)
    const cursor = (error as JournalOverflowError).cursor
    expect(cursor).toBe(first[0])
    expect(BigInt(cursor)).toBeGreaterThan(BigInt(start))

    const resumed = journal.subscribe({ after: cursor })
    const live = await append(2)
    journal.notify()
    expect((await take(resumed, 7)).map((e) => e.seq)).toEqual([...burst, ...live])
    expect(resumed.cursor).toBe(live[1])
    resumed.close()
  })

  it('hands a burst 5 times its buffer to a subscriber that keeps reading, without overflow', async () => {
    const journal = tail({ pollIntervalMs: 20, bufferSize: 4 })
    await journal.ready
    const reader = journal.subscribe()
    const burst = await append(20)
    journal.notify()
    expect((await take(reader, 20)).map((e) => e.seq)).toEqual(burst)
    expect(journal.stats().subscribers).toBe(1)
    reader.close()
  })

  it('replays from an old cursor through a filter, then continues live', async () => {
    const journal = tail({ pollIntervalMs: 20, batchSize: 2 })
    await journal.ready
    const mine = await append(3, 7)
    await append(2, 8)
    journal.notify()
    await waitFor(() => journal.stats().position === String(BigInt(mine[0]!) + 4n), 5_000, 'the tail to pass the burst')
    const replay = journal.subscribe({ after: String(BigInt(mine[0]!) - 1n), filter: (e) => e.chainId === 7 })
    const live = await append(1, 7)
    journal.notify()
    expect((await take(replay, 4)).map((e) => e.seq)).toEqual([...mine, ...live])
    replay.close()
  })

  it('paces replays through the replay limiter: admitted up to its cap, page by page in turn, without gap or duplicate', async () => {
    const replayLimiter = createReplayLimiter({ concurrentPages: 1, maxReplays: 2 })
    const journal = tail({ pollIntervalMs: 20, batchSize: 4, replayLimiter })
    await journal.ready
    const from = (await db.prisma.event.aggregate({ _max: { seq: true } }))._max.seq!
    const burst = await append(30, 9)
    journal.notify()
    await waitFor(() => journal.stats().position === burst.at(-1), 5_000, 'the tail to pass the burst')
    const onlyMine = { filter: (e: JournalEntry) => e.chainId === 9 }
    const a = journal.subscribe({ after: String(from), ...onlyMine })
    const b = journal.subscribe({ after: String(from), ...onlyMine })
    expect(() => journal.subscribe({ after: String(from) })).toThrow(ReplayLimitError)
    const [gotA, gotB] = await Promise.all([take(a, 30), take(b, 30)])
    expect(gotA.map((e) => e.seq)).toEqual(burst)
    expect(gotB.map((e) => e.seq)).toEqual(burst)
    // both caught up: their admissions are given back
    await waitFor(() => replayLimiter.stats().replays === 0, 5_000, 'the replays to end')
    const c = journal.subscribe({ after: String(from), ...onlyMine })
    expect((await take(c, 1))[0]!.seq).toBe(burst[0])
    for (const s of [a, b, c]) s.close()
    expect(replayLimiter.stats()).toEqual({ replays: 0, pagesInFlight: 0, waiting: 0 })
  })

  it('ends every subscription on close()', async () => {
    const journal = tail()
    await journal.ready
    const subscription = journal.subscribe()
    const pending = subscription.next()
    await journal.close()
    expect((await pending).done).toBe(true)
    expect(journal.stats().subscribers).toBe(0)
  })
})
