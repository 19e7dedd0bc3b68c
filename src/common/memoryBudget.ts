/**
 * Keeps the process's resident memory near a budget by collecting V8's garbage early. A backfill's live heap is
 * bounded (the log budget and byte bound of src/sync/fetchPipeline.ts: ~100–180 MB at 5,000 attestations per block),
 * but what it throws away — eth_getLogs and aggregate3 bodies, bulk-insert JSON, decoded rows, most of them strings
 * large enough to live in V8's large-object space — is only freed by a full collection, and V8 sizes its heap by the
 * machine (a 4 GB limit here), so it let ~550 MB of garbage pile up before one: 881–921 MiB peak RSS for 100,000
 * attestations with 90–175 MB live (`--trace-gc`).
 *
 * V8's own cap (`--max-old-space-size`) can only be set when the process starts, and a live heap above it is a
 * crash. Here a timer reads the process's RSS (with PGlite in the process: V8's heap + ArrayBuffers, see
 * `wasmDatabase`); above {@link COLLECT_AT} of the budget, and only when the heap holds at
 * least as much garbage as {@link MIN_GARBAGE_SHARE} of what the last collection kept (so a live heap near the budget
 * never turns into back-to-back collections), it runs a full collection. Nothing is ever refused: over the budget with
 * live data the process goes on as V8 would (a warning once), it never runs out of memory because of the budget.
 *
 * The collector is V8's `gc()`, exposed at run time (`--expose-gc` set by `v8.setFlagsFromString`, then read from a new
 * context: what jest's leak detector does); when that fails the budget is off (a warning).
 */
import v8 from 'node:v8'
import { runInNewContext } from 'node:vm'
import type { Logger } from './logger.js'

/** RSS, as a share of the budget, from which garbage is collected (the rest is headroom for one tick's allocations) */
const COLLECT_AT = 0.85
/** garbage (heap used beyond what the last collection kept) worth a collection, as a share of that live heap */
const MIN_GARBAGE_SHARE = 0.5
/** and at least this much garbage, bytes */
const MIN_GARBAGE_BYTES = 32 * 2 ** 20
/** how often the RSS is read, ms */
const CHECK_EVERY_MS = 100

/** What the budget reads and does; tests hand in their own. */
export type MemoryProbe = {
  /** resident set size, bytes */
  rss(): number
  /** V8 heap in use (every space, large objects included), bytes */
  heapUsed(): number
  /** a full, synchronous garbage collection */
  collect(): void
}

export type MemoryBudget = {
  /** one reading of the probe, collecting when due (the timer calls it; exposed for tests). @returns whether it collected */
  check(): boolean
  /** full collections run so far */
  collections(): number
  /** stops the timer */
  stop(): void
}

export type CreateMemoryBudgetParameters = {
  /** resident memory to stay under, MiB; 0 turns the budget off */
  budgetMiB: number
  logger: Logger
  /**
   * `true` when PGlite runs in this process. Its PostgreSQL is WebAssembly memory (189 MiB for an instance, counted in
   * `process.memoryUsage().external`), resident for the whole run and beyond any collection: the embedded `start` sat
   * at 546–580 MiB of RSS with 86–107 MiB of V8 heap and 8–14 MiB of ArrayBuffers, so measured by the RSS it was always
   * over its budget, warned at every start and ran a full collection for every 32 MiB of garbage. The default probe
   * then reads V8's heap plus ArrayBuffers (Buffers: RPC bodies, COPY data) instead of the RSS. (While PGlite creates a
   * directory, its ArrayBuffers reach ~300 MiB for a moment: a first start may still warn once.)
   */
  wasmDatabase?: boolean
  /** default: this process (RSS, V8 heap, V8's gc) */
  probe?: MemoryProbe
  /** default {@link CHECK_EVERY_MS}; 0: no timer (the caller calls `check`) */
  checkEveryMs?: number
}

/** @returns the budget, its timer started (unref'd: it never keeps the process alive) */
export function createMemoryBudget(params: CreateMemoryBudgetParameters): MemoryBudget {
  const { logger } = params
  const budget = params.budgetMiB * 2 ** 20
  const probe = params.budgetMiB > 0 ? (params.probe ?? processProbe(logger, params.wasmDatabase ?? false)) : undefined
  let live = probe?.heapUsed() ?? 0
  let collections = 0
  let warned = false
  // what `rss_mib` in the log lines is: the process's RSS, or (PGlite in the process) V8's heap + ArrayBuffers
  const measure = params.wasmDatabase && !params.probe ? 'heap+arrayBuffers' : 'rss'
  const check = () => {
    if (!probe || probe.rss() < budget * COLLECT_AT) return false
    const garbage = probe.heapUsed() - live
    if (garbage < Math.max(MIN_GARBAGE_BYTES, live * MIN_GARBAGE_SHARE)) {
      if (!warned && probe.rss() > budget) {
        warned = true
        logger.warn(
          { budget_mib: params.budgetMiB, measure, rss_mib: Math.round(probe.rss() / 2 ** 20), heap_used_mib: Math.round(probe.heapUsed() / 2 ** 20) },
          `${measure === 'rss' ? 'Resident memory' : 'JavaScript memory (V8 heap + ArrayBuffers)'} is over the memory budget with little garbage to collect (limits.memoryBudgetMiB)`,
        )
      }
      return false
    }
    const rss = probe.rss()
    const started = performance.now()
    probe.collect()
    collections++
    live = probe.heapUsed()
    logger.debug(
      {
        measure,
        rss_mib: Math.round(rss / 2 ** 20),
        garbage_mib: Math.round(garbage / 2 ** 20),
        live_mib: Math.round(live / 2 ** 20),
        rss_after_mib: Math.round(probe.rss() / 2 ** 20),
        duration_ms: Math.round(performance.now() - started),
      },
      'Collected garbage (memory budget)',
    )
    return true
  }
  const every = params.checkEveryMs ?? CHECK_EVERY_MS
  const timer = probe && every > 0 ? setInterval(check, every) : undefined
  timer?.unref()
  return { check, collections: () => collections, stop: () => clearInterval(timer) }
}

/**
 * This process: RSS (`wasmDatabase`: V8's heap + ArrayBuffers, without WebAssembly memory), V8's heap in use, and
 * V8's `gc()` (undefined when it cannot be exposed: no budget).
 */
function processProbe(logger: Logger, wasmDatabase: boolean): MemoryProbe | undefined {
  let gc: () => void
  try {
    v8.setFlagsFromString('--expose-gc')
    gc = runInNewContext('gc') as () => void
    if (typeof gc !== 'function') throw new Error(`gc is ${typeof gc}`)
  } catch (error) {
    logger.warn({ error }, 'The memory budget is off: V8 did not expose its garbage collector')
    return undefined
  }
  return { rss: wasmDatabase ? jsMemoryBytes : () => process.memoryUsage.rss(), heapUsed: () => v8.getHeapStatistics().used_heap_size, collect: gc }
}

/**
 * This process's JavaScript memory, bytes: V8's heap (large strings included) plus ArrayBuffers (Buffers), without
 * WebAssembly memory — `process.memoryUsage().external` counts a WebAssembly.Memory, `arrayBuffers` does not (Node 20).
 */
export function jsMemoryBytes(): number {
  const { heapTotal, arrayBuffers } = process.memoryUsage()
  return heapTotal + arrayBuffers
}
