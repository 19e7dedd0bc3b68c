/**
 * The verify stage's loop: N workers draining the `VerificationJob` queue (see runVerificationBatch.ts) and one
 * scheduler queuing time-based re-checks (see scheduleRechecks.ts). Ingest only inserts jobs in its own commit
 * transaction and never waits for this stage; this stage only reads what ingest committed. The one place of the
 * stage that decides to retry and back off: failures are logged, the batch's jobs are parked, the loop goes on.
 */
import type { Common } from '../common/common.js'
import { backoffDelay, createSleeper } from '../common/retryPolicy.js'
import type { PrismaClient } from '../generated/prisma/client.js'
import { runVerificationBatch, type VerificationBatchHooks } from './runVerificationBatch.js'
import { scheduleRechecks } from './scheduleRechecks.js'

/** Idle poll interval of the workers and interval of the scheduler, in ms. */
export const VERIFY_POLL_INTERVAL_MS = 1_000
/** Jobs claimed per transaction. */
export const VERIFY_BATCH_SIZE = 250
/**
 * A claim takes at most ⌈claimable jobs / this⌉ (and at most {@link VERIFY_BATCH_SIZE}): a queue shallower than
 * 4 full batches is cut so that 4 workers, in any number of processes, each get some of it. Not more: a lone
 * worker pays a transaction per claim, and with 8 it ran 3× the batches of full-size claims (bench:verify, 1 process).
 */
export const VERIFY_CLAIM_SHARE = 4
/** Longest a worker may hold a claim (its transaction), in ms. */
export const VERIFY_LOCK_MS = 30_000

/** a failed verification batch: its worker waits 0.1–0.2 s after the first failure, doubling to the common cap */
const WORKER_BACKOFF = { baseMs: 100 } as const

export type CreateVerifierParameters = {
  prisma: PrismaClient
  /** the process's dependency bag: logger, metrics (`sign_indexer_verification_*`), shutdown signal (stops the loops like `stop()`) */
  common: Common
  /** concurrent workers (each its own transaction and connection); default 2; 0 runs only the scheduler */
  workers?: number
  /** idle poll / scheduler interval in ms (default {@link VERIFY_POLL_INTERVAL_MS}) */
  pollIntervalMs?: number
  /** jobs per transaction (default {@link VERIFY_BATCH_SIZE}) */
  batchSize?: number
  /** a claim's share of the claimable queue: at most ⌈claimable / claimShare⌉ jobs (default {@link VERIFY_CLAIM_SHARE}; 1: full batches) */
  claimShare?: number
  /** claim (transaction) limit in ms (default {@link VERIFY_LOCK_MS}) */
  lockMs?: number
  /** run the re-check scheduler in this process (default true) */
  schedule?: boolean
  /**
   * subscribes `wake` to another process's news of new jobs (`verify` passes the journal notifier, which the indexer
   * publishes to after each commit); returns the unsubscribe function, called on stop. Without it a worker in a
   * process of its own hears of new jobs only by polling.
   */
  wakeOn?: (wake: () => void) => () => void
  /** after each commit that wrote journal entries: the last seq (wake gateways with it) */
  onCommit?: (e: { lastSeq: bigint; changed: number }) => void
  /** fault injection and instrumentation inside the batch transaction (tests) */
  hooks?: VerificationBatchHooks
}

export type VerifierStats = {
  batches: number
  jobs: number
  changed: number
  failures: number
  rechecks: number
  finalized: number
  /** claims that found nothing (each followed by an idle sleep unless woken meanwhile) */
  idlePolls: number
  /** jobs done per worker, by worker index */
  workerJobs: number[]
}

export type Verifier = {
  /** Starts the workers and the scheduler; resolves when all have stopped after `stop()`. */
  run(): Promise<void>
  /** Asks every loop to stop after its current transaction. */
  stop(): void
  /** Wakes idle workers now (call after ingest commits new jobs). Cheap; safe to call often. */
  notify(): void
  /** counters since creation */
  stats(): VerifierStats
}

/**
 * Builds the verifier; nothing runs until `run()`.
 * @returns the verifier; its loops never throw (database errors are logged and retried with backoff)
 */
export function createVerifier(params: CreateVerifierParameters): Verifier {
  const { prisma, common } = params
  const logger = common.logger.child({ component: 'verifier' })
  const { verificationJobsTotal, verificationRechecksTotal, verificationStatusChangesTotal } = common.metrics
  const workers = params.workers ?? 2
  const pollIntervalMs = params.pollIntervalMs ?? VERIFY_POLL_INTERVAL_MS
  const batchSize = params.batchSize ?? VERIFY_BATCH_SIZE
  const lockMs = params.lockMs ?? VERIFY_LOCK_MS
  const claimShare = params.claimShare ?? VERIFY_CLAIM_SHARE
  const stats: VerifierStats = {
    batches: 0,
    jobs: 0,
    changed: 0,
    failures: 0,
    rechecks: 0,
    finalized: 0,
    idlePolls: 0,
    workerJobs: Array.from({ length: workers }, () => 0),
  }
  let stopped = false
  const sleeper = createSleeper()
  const { sleep } = sleeper
  // Wake-ups counted: a worker whose empty claim raced a wake-up (the jobs committed after its snapshot) claims
  // again instead of sleeping through the poll interval.
  let wakes = 0
  const wakeAll = () => {
    wakes++
    sleeper.wakeAll()
  }
  const stop = () => {
    stopped = true
    wakeAll()
  }

  async function runWorker(index: number): Promise<void> {
    let failures = 0
    while (!stopped) {
      const wakesBefore = wakes
      try {
        const result = await runVerificationBatch({ prisma, batchSize, claimShare, lockMs, hooks: params.hooks })
        failures = 0
        if (result.jobs > 0) {
          stats.batches++
          stats.jobs += result.jobs
          stats.workerJobs[index]! += result.jobs
          stats.changed += result.changed
          verificationJobsTotal.inc({ result: 'done' }, result.jobs)
          for (const status of result.statuses) verificationStatusChangesTotal.inc({ status })
          if (result.lastSeq !== null) params.onCommit?.({ lastSeq: result.lastSeq, changed: result.changed })
          logger.debug({ worker: index, jobs: result.jobs, verified: result.verified, changed: result.changed }, 'Verified a batch')
          continue
        }
        stats.idlePolls++
        if (wakes === wakesBefore) await sleep(pollIntervalMs)
      } catch (error) {
        failures++
        stats.failures++
        verificationJobsTotal.inc({ result: 'failed' })
        const backoff = backoffDelay(WORKER_BACKOFF, failures)
        logger.warn({ worker: index, error, attempt: failures, backoff_ms: Math.round(backoff) }, 'Verification batch failed; its jobs are parked and retried')
        if (!stopped) await sleep(backoff)
      }
    }
  }

  async function runScheduler(): Promise<void> {
    let failures = 0
    while (!stopped) {
      try {
        const { rechecks, finalized } = await scheduleRechecks(prisma)
        failures = 0
        stats.finalized += finalized
        if (rechecks > 0) {
          stats.rechecks += rechecks
          verificationRechecksTotal.inc(rechecks)
          logger.debug({ jobs: rechecks, finalized }, 'Queued re-checks')
          wakeAll()
        }
      } catch (error) {
        failures++
        logger.warn({ error, attempt: failures }, 'Re-check scheduling failed; retrying')
      }
      if (!stopped) await sleep(failures ? backoffDelay({ baseMs: pollIntervalMs }, failures) : pollIntervalMs)
    }
  }

  let running: Promise<void> | undefined
  return {
    run() {
      running ??= (async () => {
        if (common.signal.aborted) stopped = true
        common.signal.addEventListener('abort', stop, { once: true })
        logger.info({ workers, batch_size: batchSize, claim_share: claimShare, wake_on: params.wakeOn !== undefined }, 'Verifier running')
        const unsubscribe = params.wakeOn?.(wakeAll)
        const loops = Array.from({ length: workers }, (_, i) => runWorker(i))
        if (params.schedule !== false) loops.push(runScheduler())
        await Promise.all(loops)
        unsubscribe?.()
        common.signal.removeEventListener('abort', stop)
        logger.info(stats, 'Verifier stopped')
      })()
      return running
    },
    stop,
    notify: wakeAll,
    stats: () => ({ ...stats, workerJobs: [...stats.workerJobs] }),
  }
}
