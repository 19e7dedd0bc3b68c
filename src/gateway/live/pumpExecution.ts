/**
 * The loop that reads an execution's source and hands its results over in batches: while the source still holds
 * events (each result waits for its fields to resolve, one at a time), results are collected for up to `holdMs`, so
 * a subscriber is woken once per batch instead of once per event (bench:subscribers N = 10,000: one socket write per
 * event per subscriber kept the gateway in `writev`).
 */
import type { ExecutionResult } from 'graphql'
import type { CursoredResult } from './recentResults.js'
import type { SharedExecution } from './sharedExecution.js'

/** how often an idle resumed execution checks whether it can merge, ms */
export const IDLE_MERGE_CHECK_MS = 250

export type PumpExecutionParameters = {
  execution: SharedExecution
  source: AsyncIterableIterator<ExecutionResult>
  /** the source's journal cursor now (undefined: unknown) */
  cursor(): string | undefined
  /** events the source can hand out without waiting */
  buffered(): number
  /** how long results may be collected while the source still holds events, ms */
  holdMs: number
  /** results handed over together at most */
  maxBatch: number
  /** hands a batch to the execution's subscribers (handOverResults.ts, then a merge check) */
  handOver(results: CursoredResult[]): Promise<void>
  /** a resumed execution's merge check (mergeIfCaughtUp.ts) */
  mergeIfCaughtUp(): void
}

type Batch = { results: CursoredResult[]; startedAt: number }

/**
 * Pumps until the source ends or the execution stops, then ends every subscriber; a source failure reaches each
 * subscriber (after the results resolved before it) as its last result. Retires the execution in every case.
 * Never rejects.
 */
export async function pumpExecution(params: PumpExecutionParameters): Promise<void> {
  const { execution } = params
  const batch: Batch = { results: [], startedAt: 0 }
  try {
    await pumpResults(params, batch)
    for (const subscriber of [...execution.subscribers]) subscriber.end()
  } catch (error) {
    for (const subscriber of [...execution.subscribers]) {
      for (const { result, cursor } of batch.results) subscriber.push(result, cursor) // what was resolved before the failure
      subscriber.end(error)
    }
  } finally {
    execution.retire()
  }
}

async function pumpResults(params: PumpExecutionParameters, batch: Batch): Promise<void> {
  const { execution, source } = params
  const handOver = async () => {
    const results = batch.results
    batch.results = []
    await params.handOver(results)
  }
  let pending: Promise<IteratorResult<ExecutionResult>> | undefined
  for (;;) {
    pending ??= source.next()
    let next: IteratorResult<ExecutionResult> | undefined
    if (batch.results.length) {
      // a held batch goes out after `holdMs` even if the source's next result is slow to come (its buffered
      // events may all be filtered out, and the next match be far away)
      const wait = params.holdMs - (performance.now() - batch.startedAt)
      next = wait <= 0 ? undefined : await within(pending, wait)
      if (next === undefined) {
        await handOver()
        if (execution.stopped) break
        continue
      }
    } else if (execution.baseKey !== null && execution.key === null) {
      // a resumed execution with nothing to hand over: its replay may have ended with no result, so check now and
      // then whether it can merge (or become shared) instead of waiting for the next event
      next = await within(pending, IDLE_MERGE_CHECK_MS)
      if (next === undefined) {
        params.mergeIfCaughtUp()
        continue
      }
    } else next = await pending
    pending = undefined
    if (next.done || execution.stopped) break
    if (!batch.results.length) batch.startedAt = performance.now()
    batch.results.push({ result: next.value, cursor: params.cursor() })
    if (!(params.buffered() > 0) || batch.results.length >= params.maxBatch) await handOver()
  }
  if (batch.results.length && !execution.stopped) await handOver()
}

/** What `pending` resolves to, or undefined when that takes longer than `ms`. */
async function within<T>(pending: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: ReturnType<typeof setTimeout> | undefined
  try {
    return await Promise.race([pending, new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), ms)))])
  } finally {
    clearTimeout(timer)
  }
}
