/**
 * The journal tail's reads of the `Event` table (PostgreSQL through Prisma): pages in seq order, the start position,
 * the snapshot bounds that tell when a hole is final (see journalGap.ts), and the gate's and annotator's passes over
 * what was read (see finalityGate.ts and gateway/live/attestationFacts.ts).
 */
import type { Logger } from '../common/logger.js'
import type { PrismaClient } from '../generated/prisma/client.js'
import { type JournalEntry, type JournalEntryRow, toJournalEntry } from './journalEntry.js'

/**
 * Holds entries back and drops some, for delivery by finality (see finalityGate.ts). Both calls get entries in seq
 * order and may read the database; a gated tail passes an entry only when `releasable` lets it.
 */
export type JournalGate = {
  /** how long a prefix of `events` may be delivered now; the rest is read again on the next poll */
  releasable(events: JournalEntry[]): Promise<number>
  /** seqs of the (releasable) `events` that this tail's subscribers never see */
  dropped(events: JournalEntry[]): Promise<Set<string>>
  /** the lowest seq not releasable yet (null: none): a tail without `after` starts just before it */
  firstHeld(): Promise<bigint | null>
}

/** Reads what subscribers' filters need to know about `events` and keeps it beside the event objects. */
export type JournalAnnotator = (events: JournalEntry[]) => Promise<void>

export type CreateJournalReaderParameters = {
  prisma: PrismaClient
  /** rows read per query */
  batchSize: number
  gate?: JournalGate
  annotate?: JournalAnnotator
  logger: Logger
}

/** What one live read released: `rows` and `events` (the same entries) in seq order, and the seqs the gate drops. */
export type ReleasedEntries = { read: number; rows: JournalEntryRow[]; events: JournalEntry[]; dropped: ReadonlySet<string> }

export type JournalReader = {
  /** at most `batchSize` rows with `after < seq <= upTo` (no upper bound when `upTo` is undefined), in seq order */
  readRange(after: bigint, upTo?: bigint): Promise<JournalEntryRow[]>
  /**
   * Where a tail starts: `after` when given; otherwise the highest seq, or just before the lowest seq the gate
   * still holds ("new" at a gated level means "not released yet", not "not committed yet").
   */
  readStart(after: string | undefined): Promise<bigint>
  /** `pg_current_snapshot()` bounds; undefined when the database cannot tell (then only the gap timeout skips a hole) */
  readSnapshot(): Promise<{ xmin: bigint; xmax: bigint } | undefined>
  /**
   * Reads the page after `after` and keeps its prefix the gate releases (judged again on every read: held entries
   * stay in the table, not in memory); annotates it when `annotate()` says so once it is read (one read of the facts
   * for every subscriber). `read` counts the rows read, released or not.
   */
  readReleased(after: bigint, annotate: () => boolean): Promise<ReleasedEntries>
  /**
   * What a replay hands out of `events` (already released, being at or below the tail's position): those the gate
   * does not drop, annotated when `annotate`.
   */
  keepReplayed(events: JournalEntry[], annotate: boolean): Promise<JournalEntry[]>
}

const NO_DROPS: ReadonlySet<string> = new Set()

/** Creates the reader; every read throws what Prisma throws (the tail logs it and retries). */
export function createJournalReader(params: CreateJournalReaderParameters): JournalReader {
  const { prisma, gate, annotate } = params
  let snapshotsWork = true
  const readRange = (after: bigint, upTo?: bigint): Promise<JournalEntryRow[]> =>
    prisma.event.findMany({
      where: { seq: upTo === undefined ? { gt: after } : { gt: after, lte: upTo } },
      orderBy: { seq: 'asc' },
      take: params.batchSize,
    })
  return {
    readRange,
    async readStart(after) {
      if (after !== undefined) return BigInt(after)
      let max = (await prisma.event.aggregate({ _max: { seq: true } }))._max.seq ?? 0n
      const held = gate ? await gate.firstHeld() : null
      if (held !== null && held - 1n < max) max = held - 1n
      return max
    },
    async readSnapshot() {
      if (!snapshotsWork) return undefined
      try {
        const [row] = await prisma.$queryRaw<{ xmin: string; xmax: string }[]>`
          SELECT pg_snapshot_xmin(pg_current_snapshot())::text AS xmin, pg_snapshot_xmax(pg_current_snapshot())::text AS xmax`
        return { xmin: BigInt(row!.xmin), xmax: BigInt(row!.xmax) } // the query always answers one row
      } catch (error) {
        snapshotsWork = false
        params.logger.warn({ error }, 'Snapshot functions unavailable; journal holes are skipped after the gap timeout')
        return undefined
      }
    },
    async readReleased(after, annotateNow) {
      const read = await readRange(after)
      let rows = read
      let events = rows.map(toJournalEntry)
      let dropped = NO_DROPS
      if (gate && rows.length) {
        const release = await gate.releasable(events)
        rows = rows.slice(0, release)
        events = events.slice(0, release)
        if (release) dropped = await gate.dropped(events)
      }
      if (annotate && annotateNow() && events.length) await annotate(events)
      return { read: read.length, rows, events, dropped }
    },
    async keepReplayed(events, annotateNow) {
      const dropped = gate ? await gate.dropped(events) : NO_DROPS
      if (annotateNow && annotate) await annotate(events)
      return events.filter((e) => !dropped.has(e.seq))
    },
  }
}
