/**
 * The one bag of shared dependencies every stage is handed (like Ponder's `Common`): made once per process by the
 * CLI's composition root (src/cli/commands.ts) and passed explicitly, top down — indexer (sync), ingest commit,
 * chain client and its RPC governor, verifier, gateway (with `/metrics`) and the REST routes inside it. Nothing in
 * `src/` keeps a process-wide logger, metrics set, clock or shutdown flag of its own (README "Architecture" lists
 * what module state remains and why). Tests build their own bag (test/helpers/common.ts: `createTestCommon`).
 */
import type { Logger } from './logger.js'
import { createMetrics, type Metrics } from './metrics.js'

/** Wall-clock time in ms since the epoch; a test may hand a stage a clock it moves by hand. */
export type Clock = { now(): number }

/** `Date.now`. */
const systemClock: Clock = { now: () => Date.now() }

export type Common = {
  /** pino, JSON lines; stages derive children (`logger.child({ chain_id })`) */
  readonly logger: Logger
  /** the process's Prometheus metrics (one registry, served on `/metrics`) */
  readonly metrics: Metrics
  /** aborted once, when the process starts shutting down (SIGINT/SIGTERM or a fatal error) */
  readonly signal: AbortSignal
  readonly clock: Clock
}

export type CreateCommonParameters = {
  logger: Logger
  /** default: a new set (`createMetrics()`), for the process */
  metrics?: Metrics
  /** default: a signal that never aborts (a caller that stops its stages by hand) */
  signal?: AbortSignal
  /** default {@link systemClock} */
  clock?: Clock
}

/** Makes the bag (frozen). Call once per process; a second call makes a second, independent metrics registry. */
export function createCommon(params: CreateCommonParameters): Common {
  return Object.freeze({
    logger: params.logger,
    metrics: params.metrics ?? createMetrics(),
    signal: params.signal ?? new AbortController().signal,
    clock: params.clock ?? systemClock,
  })
}
