/**
 * The replay of a subscription resumed `after` a cursor: hands out, page by page from the table, the journal
 * entries in the window (after, registeredAt] — what the tail had passed when the subscriber attached — then lets the
 * subscription continue live with no gap and no duplicate. Paced by its replay ticket (replayLimiter.ts): one page
 * at a time under a process-wide permit, yielding to the event loop between pages and every few entries.
 */
import { setImmediate as yieldToEventLoop } from 'node:timers/promises'
import type { JournalEntry, JournalEntryRow } from './journalEntry.js'
import { toJournalEntry } from './journalEntry.js'
import type { ReplayTicket } from './replayLimiter.js'

/** a replay yields to the event loop after handing out this many entries */
export const REPLAY_YIELD_EVERY = 50

/** The subscription's cursor, shared by its replay and its live buffer: the seq through which it has passed everything. */
export type SubscriptionCursor = { value: bigint | undefined }

export type CreateJournalReplayParameters = {
  /** the resume cursor; undefined: nothing to replay */
  after: bigint | undefined
  /** the replay's permit; undefined: unpaced */
  ticket: ReplayTicket | undefined
  cursor: SubscriptionCursor
  /** one page of rows with `from < seq <= upTo`, in seq order (journalReader.ts `readRange`) */
  readRange(from: bigint, upTo: bigint): Promise<JournalEntryRow[]>
  /** the entries of a page the subscriber gets (gate drops, annotation and its filter applied) */
  keep(events: JournalEntry[]): Promise<JournalEntry[]>
}

/** returned by `next` after a step that handed out nothing: the caller re-checks its own state, then calls again */
export const REPLAY_AGAIN = 'again'

export type JournalReplay = {
  /** true until the window has been read to its end */
  readonly active: boolean
  /** entries read and not handed out yet */
  readonly buffered: number
  /** the next `limit` of those entries, not removed */
  peek(limit: number): JournalEntry[]
  /**
   * One step: the next replayed entry (the cursor then moves to it), or `REPLAY_AGAIN` after reading a page or
   * ending the window (and when called with neither `active` nor `buffered`: the subscription is then live).
   * @param registeredAt the tail's position when the subscriber attached (the window's end)
   * @param stopped true when the subscription ended while this step waited for its page permit
   * @throws what the reads throw
   */
  next(registeredAt: bigint, stopped: () => boolean): Promise<JournalEntry | typeof REPLAY_AGAIN>
}

/** Creates the replay of one subscription (inactive when `after` is undefined). */
export function createJournalReplay(params: CreateJournalReplayParameters): JournalReplay {
  const { ticket, cursor } = params
  let replayAfter = params.after
  let replayed: JournalEntry[] = []
  let handedOut = 0

  async function handOut(registeredAt: bigint): Promise<JournalEntry> {
    const event = replayed.shift() as JournalEntry
    cursor.value = BigInt(event.seq)
    // the page read last has been handed out: the next replay in line reads one (a consumer that stops reading
    // holds no permit)
    if (!replayed.length) {
      if (replayAfter !== undefined && replayAfter >= registeredAt)
        ticket?.end() // that was the last page
      else ticket?.releasePage()
    } else if (++handedOut % REPLAY_YIELD_EVERY === 0) await yieldToEventLoop() // let queries and live deliveries in
    return event
  }

  async function readPage(from: bigint, registeredAt: bigint, stopped: () => boolean): Promise<void> {
    if (ticket) {
      await yieldToEventLoop()
      await ticket.acquirePage()
      if (stopped()) return
    }
    const rows = await params.readRange(from, registeredAt)
    if (!rows.length) {
      replayAfter = registeredAt
      return
    }
    replayAfter = rows[rows.length - 1]!.seq
    replayed = await params.keep(rows.map(toJournalEntry))
    if (!replayed.length) cursor.value = replayAfter
  }

  return {
    get active() {
      return replayAfter !== undefined
    },
    get buffered() {
      return replayed.length
    },
    peek: (limit) => replayed.slice(0, limit),
    async next(registeredAt, stopped) {
      if (replayed.length) return handOut(registeredAt)
      if (replayAfter === undefined) return REPLAY_AGAIN
      ticket?.releasePage() // a page whose every entry was filtered out
      if (replayAfter >= registeredAt) {
        cursor.value = cursor.value === undefined || cursor.value < registeredAt ? registeredAt : cursor.value
        replayAfter = undefined
        ticket?.end()
        return REPLAY_AGAIN
      }
      await readPage(replayAfter, registeredAt, stopped)
      return REPLAY_AGAIN
    },
  }
}
