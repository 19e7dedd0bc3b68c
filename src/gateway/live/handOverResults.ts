/**
 * A shared execution hands a batch of results to its subscribers: after the overflow grace for full queues
 * (overflowGrace.ts), and after taking in the resumed executions waiting to merge (its mergers).
 */
import type { OverflowGrace } from '../../journal/overflowGrace.js'
import type { CursoredResult } from './recentResults.js'
import type { ExecutionSubscriber, SharedExecution } from './sharedExecution.js'

/**
 * Hands `results` to every subscriber of `execution` (each queues them or overflows) and records them as handed over.
 * Waits first, up to the grace, for full subscriber queues to have room (not once the execution is stopped).
 */
export async function handOverResults(execution: SharedExecution, results: CursoredResult[], grace: OverflowGrace<ExecutionSubscriber>): Promise<void> {
  await grace.waitForRoom(
    execution.subscribers,
    (subscriber) => subscriber.room(),
    results.length,
    () => execution.stopped,
  )
  absorbMergers(execution, results.length)
  for (const subscriber of [...execution.subscribers]) for (const { result, cursor } of results) subscriber.push(result, cursor)
  execution.recordHandOver(results)
}

/**
 * A live resumed execution close behind joins before the next results. In lockstep with `execution` it stays a
 * hand-over behind (its own check, after each of its hand-overs, always finds this one further on), so its
 * subscribers first get what `execution` handed over after them, from its recent results. One whose missing results
 * are gone from them, or whose subscribers lack room for those and the `incoming` ones, goes on alone.
 */
function absorbMergers(execution: SharedExecution, incoming: number): void {
  const at = execution.cursor()
  for (const merger of [...execution.mergers]) {
    const through = merger.handedOverCursor()
    if (at === undefined || through === undefined) continue
    if (BigInt(through) >= BigInt(at)) absorb(merger, execution, through)
    else {
      const missing = execution.recentAfter(through)
      if (!missing || [...merger.subscribers].some((s) => s.room() < missing.length + incoming)) continue
      for (const subscriber of [...merger.subscribers]) for (const { result, cursor } of missing) subscriber.push(result, cursor)
      absorb(merger, execution, at)
    }
  }
}

/** Moves every subscriber of `merger` into `base` (skipping results up to `through`, which they have) and stops it. */
export function absorb(merger: SharedExecution, base: SharedExecution, through: string): void {
  base.mergers.delete(merger)
  for (const subscriber of [...merger.subscribers]) subscriber.moveTo(base, through)
  merger.stop()
}
