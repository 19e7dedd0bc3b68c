/**
 * Journal tail: follows the `Event` table (written by ingest in the same transaction as the rows it describes)
 * in increasing `seq` order and fans each committed event out to in-process subscribers.
 *
 * - Wakes on `notify()` (the in-process indexer calls it after each commit) and otherwise polls.
 * - Delivers in `seq` order with no gap: a missing seq may belong to a transaction that has not committed yet
 *   (seq is taken at insert, rows become visible at commit; two chains commit concurrently). The tail holds
 *   back until every transaction that was running when it saw the hole has ended (PostgreSQL
 *   `pg_current_snapshot()` xmin passes the xmax it noted, plus a short grace), then re-reads: a seq still
 *   missing was rolled back (or burnt by a crash) and is skipped. `gapTimeoutMs` is the last resort when a
 *   hole stays open that long (an unrelated transaction left open, or no snapshot functions).
 * - Every subscriber has a bounded buffer. Entries are handed out in slices of at most half a buffer; before each
 *   slice the tail gives full buffers up to `overflowGraceMs` to drain, so one big commit does not overflow
 *   subscribers that keep up. One that is still full after that (it fell behind) is ended with a `JournalOverflowError` carrying
 *   its resume cursor instead of growing memory.
 * - Cursors are `seq` values as decimal strings. `subscribe({ after })` replays from the table what came after a
 *   cursor, then continues live with no gap and no duplicate: the seam for resumable GraphQL subscriptions.
 *   Replays are paced by a `replayLimiter` (replayLimiter.ts): admitted or refused at subscribe, one page at a
 *   time under a process-wide permit, yielding to the event loop between pages and every few events.
 *
 * Events carry small string facts only; consumers re-read the rows they describe.
 */
import type { Logger } from '../common/logger.js'
import { createSilentLogger } from '../common/logger.js'
import { backoffDelay } from '../common/retryPolicy.js'
import { journalSeq, subscriptionOverflows, subscriptionsActive } from '../common/metrics.js'
import { BaseError } from '../errors/baseError.js'
import { setImmediate as yieldToEventLoop } from 'node:timers/promises'
import type { JournalEntryDraft } from './journalWriter.js'
import { createOverflowGrace } from './overflowGrace.js'
import type { ReplayLimiter, ReplayTicket } from './replayLimiter.js'
import type { EventKind, Finality, PrismaClient, SubjectType } from '../generated/prisma/client.js'

/** One journal entry, as strings and small numbers (safe to JSON-serialise, e.g. for Redis pub/sub). */
export type JournalEntry = {
  /** the journal cursor: `Event.seq` as a decimal string */
  seq: string
  chainId: number
  kind: EventKind
  subjectType: SubjectType
  /** decimal attestation or schema id, or the off-chain attestation id */
  subjectId: string
  blockNumber: string
  blockHash: string
  logIndex: number
  /** REMOVED only: how final the retracted entry had become (LATEST / SAFE / FINALIZED); null otherwise */
  finality: Finality | null
}

/** A subscriber's buffer overflowed; `cursor` is the seq of the last event it consumed (resume after it). */
export class JournalOverflowError extends BaseError {
  readonly cursor: string
  constructor(cursor: string, bufferSize: number) {
    super('Journal subscriber fell behind and was disconnected', {
      code: 'JOURNAL_OVERFLOW',
      details: `more than ${bufferSize} undelivered events; resume after seq ${cursor}`,
    })
    this.cursor = cursor
  }
}

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

export type CreateJournalTailParameters = {
  prisma: PrismaClient
  /** poll interval when nobody calls `notify()`, in ms (default 500) */
  pollIntervalMs?: number
  /** start cursor: deliver events with seq > after; default: the highest seq at startup (only new events) */
  after?: string
  /** rows read per query (default 500) */
  batchSize?: number
  /** default per-subscriber buffer, in events (default 1000) */
  bufferSize?: number
  /** last resort: a missing seq is skipped after this long even if transactions are still open, in ms (default 60000) */
  gapTimeoutMs?: number
  /** how long a full subscriber buffer may hold the tail back before that subscriber overflows, in ms (default 2000) */
  overflowGraceMs?: number
  /** holds entries until they may be delivered and drops some (default: every entry as committed) */
  gate?: JournalGate
  /** paces replays (`subscribe({ after })`); default: unpaced */
  replayLimiter?: ReplayLimiter
  /**
   * Reads what subscribers' filters need to know about events (and keeps it beside the event objects), before
   * those events are filtered: once per batch delivered live while any subscriber is `annotated`, and once per
   * replay page of such a subscriber. A failure counts as a failed read (retried).
   */
  annotate?: (events: JournalEntry[]) => Promise<void>
  logger?: Logger
}

export type JournalSubscribeOptions = {
  /** replay events with seq > after from the table first, then continue live */
  after?: string
  /** only events for which this returns true are buffered and delivered */
  filter?: (event: JournalEntry) => boolean
  /** overrides the tail's default buffer size, in events */
  bufferSize?: number
  /** the client connection carrying this subscription, for the per-connection replay limit */
  connection?: object
  /** its filter reads what the tail's `annotate` prepared: events are annotated before it sees them */
  annotated?: boolean
}

/** An async iterator of journal events; ends when closed (by the consumer or the tail). */
export type JournalSubscription = AsyncIterableIterator<JournalEntry> & {
  /** seq up to which this subscriber has consumed (or filtered out) everything; null before the tail is ready */
  readonly cursor: string | null
  /** events `next()` can hand out without waiting (replayed or buffered live) */
  readonly buffered: number
  /** the next `limit` of those events, in order, without consuming them */
  peek(limit: number): JournalEntry[]
  /** true until the replay of a resumed subscription (`after`) has reached the live stream */
  readonly replaying: boolean
  /** detaches the subscriber; a pending `next()` resolves done */
  close(): void
}

export type JournalTail = {
  /** resolves once the start position is known (the tail retries the database until then) */
  readonly ready: Promise<void>
  /** asks for an immediate read (call after each commit); cheap and safe to call often */
  notify(): void
  subscribe(options?: JournalSubscribeOptions): JournalSubscription
  stats(): { position: string | null; subscribers: number }
  /** stops polling and ends every subscription */
  close(): Promise<void>
}

/** a journal entry as read from the table: what the writer wrote (journalWriter.ts), with its `seq` */
type EventRow = Required<JournalEntryDraft> & { seq: bigint }

/** `seq`: the event's seq as a bigint, parsed once per event rather than once per subscriber */
type Subscriber = { push(event: JournalEntry, dropped: boolean, seq: bigint): void; end(): void; room(): number }

const NO_DROPS: ReadonlySet<string> = new Set()
const GAP_RECHECK_MS = 50
/** a hole is never declared final sooner than this, in ms (covers a writer between nextval and its first write) */
const GAP_GRACE_MS = 250
/** a replay yields to the event loop after handing out this many events */
const REPLAY_YIELD_EVERY = 50

/**
 * Creates and starts a journal tail over `prisma.event`.
 * @returns the tail; reads never throw to callers: database errors are logged and retried with backoff
 */
export function createJournalTail(params: CreateJournalTailParameters): JournalTail {
  const { prisma } = params
  const pollIntervalMs = params.pollIntervalMs ?? 500
  const batchSize = params.batchSize ?? 500
  const defaultBufferSize = params.bufferSize ?? 1000
  const gapTimeoutMs = params.gapTimeoutMs ?? 60_000
  const overflowGraceMs = params.overflowGraceMs ?? 2_000
  const slice = Math.max(1, Math.floor(defaultBufferSize / 2))
  const logger = params.logger ?? createSilentLogger()

  const subscribers = new Set<Subscriber>()
  const grace = createOverflowGrace<Subscriber>(overflowGraceMs)
  let position: bigint | undefined
  let initialPosition: bigint | undefined
  /** a hole at seq `at`, seen at `since`; `horizon` = snapshot xmax noted then (undefined: not yet read) */
  let gap: { at: bigint; since: number; horizon?: bigint } | undefined
  let snapshotsWork = true
  let closed = false
  let running: Promise<void> | undefined
  let wakeRequested = false
  let timer: NodeJS.Timeout | undefined
  let failures = 0
  /** subscribers that asked for annotated events (`annotated`) */
  let annotatedSubscribers = 0

  let resolveReady!: () => void
  const ready = new Promise<void>((resolve) => (resolveReady = resolve))
  let resolveClosed!: () => void
  const closedSignal = new Promise<void>((resolve) => (resolveClosed = resolve))

  function readRange(after: bigint, upTo?: bigint): Promise<EventRow[]> {
    return prisma.event.findMany({
      where: { seq: upTo === undefined ? { gt: after } : { gt: after, lte: upTo } },
      orderBy: { seq: 'asc' },
      take: batchSize,
    })
  }

  /** Reads `pg_current_snapshot()` bounds; undefined when the database cannot tell (then only the timeout skips). */
  async function readSnapshot(): Promise<{ xmin: bigint; xmax: bigint } | undefined> {
    if (!snapshotsWork) return undefined
    try {
      const [row] = await prisma.$queryRaw<{ xmin: string; xmax: string }[]>`
        SELECT pg_snapshot_xmin(pg_current_snapshot())::text AS xmin, pg_snapshot_xmax(pg_current_snapshot())::text AS xmax`
      return { xmin: BigInt(row!.xmin), xmax: BigInt(row!.xmax) } // the query always answers one row
    } catch (error) {
      snapshotsWork = false
      logger.warn({ error }, 'Snapshot functions unavailable; journal holes are skipped after the gap timeout')
      return undefined
    }
  }

  /**
   * Fans out the contiguous prefix of `rows`; returns how many were consumed.
   * @param xmin oldest running transaction id, read BEFORE `rows`: when it has passed the hole's horizon, every
   *   transaction that could fill the hole had ended before `rows` were read, so a hole still there is final
   */
  function deliver(rows: EventRow[], events: JournalEntry[], xmin: bigint | undefined, dropped: ReadonlySet<string>): number {
    let consumed = 0
    for (const [i, row] of rows.entries()) {
      const expected = (position as bigint) + 1n
      if (row.seq !== expected) {
        const now = Date.now()
        if (gap?.at !== expected) gap = { at: expected, since: now }
        const settled = gap.horizon !== undefined && xmin !== undefined && xmin >= gap.horizon && now - gap.since >= GAP_GRACE_MS
        if (!settled && now - gap.since < gapTimeoutMs) break
        logger.warn({ from_seq: expected.toString(), to_seq: (row.seq - 1n).toString(), settled }, 'Journal gap skipped')
      }
      gap = undefined
      position = row.seq
      const event = events[i]!
      const drop = dropped.has(event.seq)
      for (const subscriber of subscribers) subscriber.push(event, drop, row.seq)
      consumed++
    }
    if (position !== undefined) journalSeq.set(Number(position))
    return consumed
  }

  async function tick(): Promise<void> {
    wakeRequested = false
    try {
      if (position === undefined) {
        let max = params.after !== undefined ? BigInt(params.after) : await readMaxSeq(prisma)
        if (params.after === undefined && params.gate) {
          // "new" at a gated level means "not released yet", not "not committed yet"
          const held = await params.gate.firstHeld()
          if (held !== null && held - 1n < max) max = held - 1n
        }
        if (closed) return
        position = initialPosition = max
        resolveReady()
      }
      for (;;) {
        const xmin = gap?.horizon !== undefined ? (await readSnapshot())?.xmin : undefined
        const read = await readRange(position)
        let rows = read
        let events = rows.map(toJournalEntry)
        let dropped = NO_DROPS
        if (params.gate && rows.length) {
          // judged again on every read: held entries stay in the table, not in memory
          const release = await params.gate.releasable(events)
          rows = rows.slice(0, release)
          events = events.slice(0, release)
          if (release) dropped = await params.gate.dropped(events)
        }
        // one read of the facts row-filtered subscribers judge, for all of them (their filters stay synchronous)
        if (params.annotate && annotatedSubscribers > 0 && events.length) await params.annotate(events)
        if (closed) return
        let consumed = 0
        for (let i = 0; i < rows.length; i += slice) {
          const part = rows.slice(i, i + slice)
          await grace.waitForRoom(
            subscribers,
            (subscriber) => subscriber.room(),
            part.length,
            () => closed,
          )
          if (closed) return
          const n = deliver(part, events.slice(i, i + slice), xmin, dropped)
          consumed += n
          if (n < part.length) break
        }
        if (gap && gap.horizon === undefined) gap.horizon = (await readSnapshot())?.xmax
        if (read.length < batchSize || consumed < read.length) break
      }
      failures = 0
    } catch (error) {
      failures++
      logger.warn({ error, failures }, 'Journal read failed; retrying')
    }
  }

  function schedule(delayMs: number) {
    if (closed) return
    clearTimeout(timer)
    timer = setTimeout(run, delayMs)
    timer.unref()
  }

  function run() {
    if (closed || running) return
    running = tick().finally(() => {
      running = undefined
      const backoff = failures ? backoffDelay({ baseMs: pollIntervalMs }, failures) : pollIntervalMs
      schedule(wakeRequested ? 0 : gap ? Math.min(GAP_RECHECK_MS, backoff) : backoff)
    })
  }

  function notify() {
    if (closed) return
    if (running) wakeRequested = true
    else schedule(0)
  }

  /** @throws {ReplayLimitError} when `after` is given and the replay limiter refuses one more replay */
  function subscribe(options: JournalSubscribeOptions = {}): JournalSubscription {
    const limit = options.bufferSize ?? defaultBufferSize
    const filter = options.filter ?? (() => true)
    let queue: JournalEntry[] = []
    const after = options.after !== undefined ? BigInt(options.after) : undefined
    const ticket: ReplayTicket | undefined = after !== undefined && !closed ? params.replayLimiter?.admit(options.connection) : undefined
    let replayedOut = 0
    let cursor = after
    // Replay window (replayAfter, registeredAt]: rows the tail had passed when this subscriber attached.
    let replayAfter = cursor
    let replayed: JournalEntry[] = []
    let registeredAt = position
    let failure: JournalOverflowError | undefined
    let done = false
    let waiter: (() => void) | undefined
    const wake = () => {
      waiter?.()
      waiter = undefined
    }
    const replaying = () => replayAfter !== undefined

    const subscriber: Subscriber = {
      push(event, dropped, seq) {
        if (done || failure) return
        // a cursor ahead of this tail (another replica's) must not see those events twice
        if (after !== undefined && seq <= after) return
        if (dropped || !filter(event)) {
          if (!queue.length && !replaying()) cursor = seq
          return
        }
        if (queue.length >= limit) {
          failure = new JournalOverflowError(String(cursor ?? registeredAt ?? initialPosition ?? 0n), limit)
          queue = []
          detach()
          subscriptionOverflows.inc()
          logger.info({ cursor: failure.cursor, buffer_size: limit }, 'Journal subscriber overflowed')
          wake()
          return
        }
        queue.push(event)
        wake()
      },
      end() {
        done = true
        detach()
        wake()
      },
      room: () => limit - queue.length,
    }
    const detach = () => {
      ticket?.end()
      if (!subscribers.delete(subscriber)) return
      subscriptionsActive.dec()
      if (options.annotated) annotatedSubscribers--
    }
    if (!closed) {
      subscribers.add(subscriber)
      subscriptionsActive.inc()
      if (options.annotated) annotatedSubscribers++
    } else done = true

    const iterator: JournalSubscription = {
      get cursor() {
        const value = cursor ?? registeredAt ?? initialPosition
        return value === undefined ? null : value.toString()
      },
      get buffered() {
        return queue.length + replayed.length
      },
      get replaying() {
        return !done && (replayAfter !== undefined || replayed.length > 0)
      },
      peek(limit) {
        const ahead = replayed.slice(0, limit)
        return ahead.length < limit && replayAfter === undefined ? ahead.concat(queue.slice(0, limit - ahead.length)) : ahead
      },
      close() {
        subscriber.end()
      },
      [Symbol.asyncIterator]() {
        return iterator
      },
      async return() {
        subscriber.end()
        return { done: true, value: undefined }
      },
      async next(): Promise<IteratorResult<JournalEntry>> {
        for (;;) {
          if (failure) {
            const error = failure
            failure = undefined
            done = true
            throw error
          }
          if (done) return { done: true, value: undefined }
          if (initialPosition === undefined) {
            await Promise.race([ready, closedSignal])
            continue
          }
          registeredAt ??= initialPosition
          if (replayed.length) {
            const event = replayed.shift() as JournalEntry
            cursor = BigInt(event.seq)
            // the page read last has been handed out: the next replay in line reads one (a consumer that stops
            // reading holds no permit)
            if (!replayed.length) {
              if (replayAfter !== undefined && replayAfter >= registeredAt)
                ticket?.end() // that was the last page
              else ticket?.releasePage()
            } else if (++replayedOut % REPLAY_YIELD_EVERY === 0) await yieldToEventLoop() // let queries and live deliveries in
            return { done: false, value: event }
          }
          if (replayAfter !== undefined) {
            ticket?.releasePage() // a page whose every event was filtered out
            if (replayAfter >= registeredAt) {
              cursor = cursor === undefined || cursor < registeredAt ? registeredAt : cursor
              replayAfter = undefined
              ticket?.end()
              continue
            }
            if (ticket) {
              await yieldToEventLoop()
              await ticket.acquirePage()
              if (done || failure) continue
            }
            const rows = await readRange(replayAfter, registeredAt)
            if (!rows.length) {
              replayAfter = registeredAt
              continue
            }
            replayAfter = rows[rows.length - 1]!.seq
            const events = rows.map(toJournalEntry)
            // every replayed entry is at or below the tail's position, so already released by its gate
            const dropped = params.gate ? await params.gate.dropped(events) : NO_DROPS
            if (options.annotated && params.annotate) await params.annotate(events)
            replayed = events.filter((e) => !dropped.has(e.seq) && filter(e))
            if (!replayed.length) cursor = replayAfter
            continue
          }
          if (queue.length) {
            const event = queue.shift() as JournalEntry
            cursor = BigInt(event.seq)
            return { done: false, value: event }
          }
          await new Promise<void>((resolve) => (waiter = resolve))
        }
      },
    }
    return iterator
  }

  async function close() {
    if (closed) return
    closed = true
    clearTimeout(timer)
    resolveClosed()
    for (const subscriber of [...subscribers]) subscriber.end()
    await running
  }

  schedule(0)
  return {
    ready,
    notify,
    subscribe,
    stats: () => ({ position: position === undefined ? null : position.toString(), subscribers: subscribers.size }),
    close,
  }
}

async function readMaxSeq(prisma: PrismaClient): Promise<bigint> {
  const { _max } = await prisma.event.aggregate({ _max: { seq: true } })
  return _max.seq ?? 0n
}

function toJournalEntry(row: EventRow): JournalEntry {
  return {
    seq: row.seq.toString(),
    chainId: row.chainId,
    kind: row.kind,
    subjectType: row.subjectType,
    subjectId: row.subjectId,
    blockNumber: row.blockNumber.toString(),
    blockHash: row.blockHash,
    logIndex: row.logIndex,
    finality: row.finality,
  }
}
