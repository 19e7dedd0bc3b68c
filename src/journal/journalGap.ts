/**
 * Decides when a hole in the journal's seqs is final. A missing seq may belong to a transaction that has not
 * committed yet (seq is taken at insert, rows become visible at commit; two chains commit concurrently), so the tail
 * holds back at the hole until every transaction that was running when it saw the hole has ended: PostgreSQL
 * `pg_current_snapshot()` xmin passes the xmax noted then (the "horizon"), plus `GAP_GRACE_MS`. A seq still missing
 * after that was rolled back (or burnt by a crash) and is skipped. `gapTimeoutMs` is the last resort when a hole
 * stays open that long (an unrelated transaction left open, or no snapshot functions).
 */
import type { Logger } from '../common/logger.js'

/** a hole is never declared final sooner than this, in ms (covers a writer between nextval and its first write) */
export const GAP_GRACE_MS = 250

export type CreateJournalGapParameters = {
  /** a missing seq is skipped after this long even if transactions are still open, in ms */
  gapTimeoutMs: number
  logger: Logger
  /** the clock, in ms (default `Date.now`) */
  now?: () => number
}

export type JournalGap = {
  /** true while the tail is held at a hole */
  readonly open: boolean
  /** true once the hole's horizon is noted: the tail then reads the snapshot's xmin before each read */
  readonly horizonNoted: boolean
  /** true while a hole is open and its horizon not yet noted: the tail reads the snapshot's xmax after the read */
  readonly needsHorizon: boolean
  /** notes the horizon of the open hole (undefined: the database cannot tell; then only the timeout skips it) */
  noteHorizon(xmax: bigint | undefined): void
  /**
   * Whether the journal entry `seq` may be delivered when the tail expects `expected` next: always when they are
   * equal; across a hole when the hole is final or timed out (logged as skipped). Clears the hole when it returns true.
   * @param xmin oldest running transaction id, read BEFORE the entries: when it has passed the hole's horizon, every
   *   transaction that could fill the hole had ended before they were read, so a hole still there is final
   */
  passes(seq: bigint, expected: bigint, xmin: bigint | undefined): boolean
}

/** Creates the hole tracker of one journal tail (no hole open). */
export function createJournalGap(params: CreateJournalGapParameters): JournalGap {
  const now = params.now ?? Date.now
  /** a hole at seq `at`, seen at `since`; `horizon` = snapshot xmax noted then (undefined: not yet read) */
  let gap: { at: bigint; since: number; horizon?: bigint } | undefined
  return {
    get open() {
      return gap !== undefined
    },
    get horizonNoted() {
      return gap?.horizon !== undefined
    },
    get needsHorizon() {
      return gap !== undefined && gap.horizon === undefined
    },
    noteHorizon(xmax) {
      if (gap) gap.horizon = xmax
    },
    passes(seq, expected, xmin) {
      if (seq !== expected) {
        const at = now()
        if (gap?.at !== expected) gap = { at: expected, since: at }
        const settled = gap.horizon !== undefined && xmin !== undefined && xmin >= gap.horizon && at - gap.since >= GAP_GRACE_MS
        if (!settled && at - gap.since < params.gapTimeoutMs) return false
        params.logger.warn({ from_seq: expected.toString(), to_seq: (seq - 1n).toString(), settled }, 'Journal gap skipped')
      }
      gap = undefined
      return true
    },
  }
}
