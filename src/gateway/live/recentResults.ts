/**
 * The last results a shared execution handed over, with their journal cursors. A subscription resuming `after` a
 * cursor they cover joins the shared execution at once, its queue filled from them; a live resumed execution a
 * hand-over behind joins through them (useSharedSubscriptions.ts).
 */
import type { ExecutionResult } from 'graphql'

/** A result and the journal cursor of its execution's source right after it (undefined: unknown). */
export type CursoredResult = { result: ExecutionResult; cursor: string | undefined }

export type RecentResults = {
  /** keeps `results` (handed over, in order), forgetting the oldest beyond the limit */
  add(results: CursoredResult[]): void
  /**
   * The results with a cursor after `after` (a decimal journal cursor), when every one of them is still held;
   * undefined when some may be missing (`after` is before what is held, a result had no cursor, or the limit is 0).
   */
  after(after: string): CursoredResult[] | undefined
}

/**
 * @param limit results kept (0: none, `after` always answers undefined)
 * @param floor the cursor through which results may be missing: the execution's start point (undefined: unknown)
 */
export function createRecentResults(limit: number, floor: string | undefined): RecentResults {
  const recent: CursoredResult[] = []
  return {
    add(results) {
      for (const entry of results) {
        if (entry.cursor === undefined) floor = undefined // cannot tell what a resume would miss
        recent.push(entry)
      }
      if (recent.length > limit) floor = recent.splice(0, recent.length - limit).at(-1)?.cursor ?? floor
    },
    after(after) {
      if (limit === 0 || floor === undefined || !/^\d+$/.test(after) || BigInt(after) < BigInt(floor)) return undefined
      const from = BigInt(after)
      return recent.filter((entry) => entry.cursor !== undefined && BigInt(entry.cursor) > from)
    },
  }
}
