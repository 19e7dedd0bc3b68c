/**
 * Hands released journal entries to a tail's subscribers, in seq order with no gap: the tail's position moves over
 * an entry only when it is the next seq or the hole before it is final (journalGap.ts). Entries go out in slices of at
 * most half a buffer; before each slice full buffers get the overflow grace to drain (overflowGrace.ts), so one big
 * commit does not overflow subscribers that keep up.
 */
import type { Metrics } from '../common/metrics.js'
import type { JournalGap } from './journalGap.js'
import type { ReleasedEntries } from './journalReader.js'
import type { JournalSubscriber, JournalSubscribers } from './journalSubscribers.js'
import { createOverflowGrace } from './overflowGrace.js'

export type CreateJournalFanOutParameters = {
  subscribers: JournalSubscribers
  gap: JournalGap
  /** how long a full subscriber buffer may hold the fan-out back, in ms */
  overflowGraceMs: number
  /** the default subscriber buffer, in journal entries: slices are half of it */
  bufferSize: number
  /** `journalSeq` follows the position */
  metrics: Pick<Metrics, 'journalSeq'>
}

export type JournalFanOut = {
  /** the seq through which every entry has been handed out (or skipped as a final hole); undefined before `start` */
  readonly position: bigint | undefined
  /** sets the position the tail starts at */
  start(position: bigint): void
  /**
   * Hands out the contiguous prefix of `released`.
   * @param xmin the snapshot's xmin read before `released` (see `JournalGap.passes`)
   * @param closed true once the tail is closed: the fan-out stops between slices
   * @returns how many entries it consumed; undefined when it stopped because the tail closed
   */
  fanOut(released: ReleasedEntries, xmin: bigint | undefined, closed: () => boolean): Promise<number | undefined>
}

/** Creates the fan-out of one journal tail (call `start` before `fanOut`). */
export function createJournalFanOut(params: CreateJournalFanOutParameters): JournalFanOut {
  const { subscribers, gap } = params
  const grace = createOverflowGrace<JournalSubscriber>(params.overflowGraceMs)
  const slice = Math.max(1, Math.floor(params.bufferSize / 2))
  let position: bigint | undefined

  /** Hands out the contiguous prefix of one slice; returns how many were consumed. */
  function deliver({ rows, events, dropped }: ReleasedEntries, xmin: bigint | undefined): number {
    let consumed = 0
    for (const [i, row] of rows.entries()) {
      if (!gap.passes(row.seq, (position as bigint) + 1n, xmin)) break
      position = row.seq
      const event = events[i]!
      subscribers.fanOut(event, dropped.has(event.seq), row.seq)
      consumed++
    }
    if (position !== undefined) params.metrics.journalSeq.set(Number(position))
    return consumed
  }

  return {
    get position() {
      return position
    },
    start(at) {
      position = at
    },
    async fanOut(released, xmin, closed) {
      let consumed = 0
      for (let i = 0; i < released.rows.length; i += slice) {
        const rows = released.rows.slice(i, i + slice)
        await grace.waitForRoom(subscribers, (subscriber) => subscriber.room(), rows.length, closed)
        if (closed()) return undefined
        const n = deliver({ ...released, rows, events: released.events.slice(i, i + slice) }, xmin)
        consumed += n
        if (n < rows.length) break
      }
      return consumed
    },
  }
}
