/**
 * The health of one chain's sync loop: whether it is ready (near the head, and recently so), and whether it is
 * stalled (the same step has failed `stallAfterFailures` times in a row, or the node is on another chain).
 *
 * runChainSync reports to it (head seen, progress, failures); it keeps the `/readyz` answer, sets the
 * `sign_indexer_chain_*` gauges, decides what a failure logs (a warning line below the limit, ONE error with the
 * cause when the limit is crossed, then debug lines and a reminder every few minutes), and writes the failure state
 * to the chain's `Chain` row so a gateway in another process shows it in `indexerStatus`.
 */
import { BaseError as ViemBaseError } from 'viem'
import type { Logger } from '../common/logger.js'
import type { Metrics } from '../common/metrics.js'
import { redactText } from '../common/redactUrl.js'
import { BaseError, ChainIdMismatchError } from '../errors/baseError.js'
import type { PrismaClient } from '../generated/prisma/client.js'

/** While stalled, a warning repeats the error at most this often (the failures in between log at debug). */
const STALL_REMINDER_MS = 5 * 60_000
/** Stored and exposed error messages are cut to this many characters. */
const MAX_ERROR_CHARS = 1_000

export type ChainHealthParameters = {
  chainId: number
  logger: Logger
  /** most blocks the indexed block may trail the last head seen and still be ready */
  readyLagBlocks: number
  /** ms since the last completed step (or commit) after which the chain is not ready, whatever its lag */
  readyStaleMs: number
  /** failures in a row after which the chain is stalled (≥ 1) */
  stallAfterFailures: number
  /** the failure state is written to this database's `Chain` row (absent: kept in memory only) */
  prisma?: PrismaClient
  /** sets `sign_indexer_chain_stalled` and `sign_indexer_chain_consecutive_failures` */
  metrics: Metrics
  /** clock in ms (default `Date.now`) */
  now?: () => number
}

/** The most recent failed step: `code` is the BaseError code, else RPC, DATABASE or INTERNAL by origin. */
export type ChainSyncFailure = { code: string; message: string; at: Date }

export type ChainHealthStatus = {
  chainId: number
  /** last head read from the node */
  headBlock: bigint | null
  /** last block committed (or found committed) */
  indexedBlock: bigint | null
  /** when a step last completed or a range was last committed, ms since the epoch */
  lastProgressAt: number | null
  consecutiveFailures: number
  stalled: boolean
  stalledSince: Date | null
  lastError: ChainSyncFailure | null
}

export type ChainHealth = {
  /** The step read the chain's head (block number). */
  recordHead(head: bigint): void
  /** A step completed at the head, or a range was committed: `indexedBlock` is the checkpoint now. Clears failures. */
  recordProgress(indexedBlock: bigint): void
  /** A reorg moved the checkpoint back to `indexedBlock` (not a completed step: failures are kept). */
  recordRollback(indexedBlock: bigint): void
  /** A step failed with `error` (the loop then waits `backoffMs`); logs by the policy above and persists. */
  recordFailure(error: unknown, opts?: { backoffMs?: number }): void
  /**
   * Ready: not stalled, a step completed within `readyStaleMs`, and the indexed block is within `readyLagBlocks` of
   * the last head seen.
   */
  isReady(): boolean
  status(): ChainHealthStatus
  /** Resolves once every queued `Chain` row write has been attempted. */
  flush(): Promise<void>
}

/** @see ChainHealth */
export function createChainHealth(params: ChainHealthParameters): ChainHealth {
  const { chainId, prisma } = params
  const log = params.logger.child({ chain_id: chainId })
  const now = params.now ?? Date.now
  const { chainConsecutiveFailures, chainStalled } = params.metrics
  const limit = Math.max(1, params.stallAfterFailures)
  const label = { chain_id: String(chainId) }
  let headBlock: bigint | null = null
  let indexedBlock: bigint | null = null
  let lastProgressAt: number | null = null
  let failures = 0
  let stalledSince: Date | null = null
  let lastError: ChainSyncFailure | null = null
  let remindedAt = 0
  // true until the row is known to hold no failure: a previous process may have left one behind
  let rowDirty = true
  let writes: Promise<void> = Promise.resolve()
  chainConsecutiveFailures.set(label, 0)
  chainStalled.set(label, 0)

  const persist = (data: { consecutiveFailures: number; stalledSince: Date | null; lastError?: ChainSyncFailure }) => {
    if (!prisma) return
    const failure = data.lastError
    writes = writes
      .then(() =>
        prisma.chain.updateMany({
          where: { chainId },
          data: {
            consecutiveFailures: data.consecutiveFailures,
            stalledSince: data.stalledSince,
            ...(failure && { lastError: failure.message, lastErrorCode: failure.code, lastErrorAt: failure.at }),
          },
        }),
      )
      .then(
        () => undefined,
        (error: unknown) => log.debug({ reason: describeError(error) }, 'Could not write the chain status'),
      )
  }

  return {
    recordHead(head) {
      headBlock = head
    },
    recordProgress(block) {
      indexedBlock = block
      lastProgressAt = now()
      if (failures === 0 && !rowDirty) return
      if (stalledSince)
        log.info({ consecutive_failures: failures, stalled_for_ms: now() - stalledSince.getTime() }, 'Chain recovered: a sync step succeeded again')
      else if (failures > 0) log.debug({ consecutive_failures: failures }, 'Sync step succeeded after failures')
      failures = 0
      stalledSince = null
      rowDirty = false
      chainConsecutiveFailures.set(label, 0)
      chainStalled.set(label, 0)
      persist({ consecutiveFailures: 0, stalledSince: null })
    },
    recordRollback(block) {
      indexedBlock = block
    },
    recordFailure(error, opts = {}) {
      failures++
      const previous = lastError
      lastError = { code: errorCode(error), message: describeError(error), at: new Date(now()) }
      rowDirty = true
      const fields = { reason: lastError.message, attempt: failures, backoff_ms: opts.backoffMs === undefined ? undefined : Math.round(opts.backoffMs) }
      if (!stalledSince && (failures >= limit || error instanceof ChainIdMismatchError)) {
        stalledSince = lastError.at
        remindedAt = now()
        const why =
          error instanceof ChainIdMismatchError
            ? 'the RPC node is on another chain; nothing is committed until it is back on this one'
            : `the same sync step failed ${failures} time${failures === 1 ? '' : 's'} in a row; retrying with backoff`
        log.error({ error, consecutive_failures: failures, backoff_ms: fields.backoff_ms }, `Chain stalled: ${why}`)
      } else if (!stalledSince) {
        log.warn(fields, 'Sync step failed; resuming from the checkpoint')
      } else if (now() - remindedAt >= STALL_REMINDER_MS || previous?.code !== lastError.code) {
        remindedAt = now()
        log.warn({ ...fields, stalled_for_ms: now() - stalledSince.getTime() }, 'Chain still stalled')
      } else {
        log.debug(fields, 'Sync step failed again (chain stalled)')
      }
      chainConsecutiveFailures.set(label, failures)
      chainStalled.set(label, stalledSince ? 1 : 0)
      persist({ consecutiveFailures: failures, stalledSince, lastError })
    },
    isReady() {
      if (stalledSince || headBlock === null || indexedBlock === null || lastProgressAt === null) return false
      if (now() - lastProgressAt > params.readyStaleMs) return false
      const lag = headBlock > indexedBlock ? headBlock - indexedBlock : 0n
      return lag <= BigInt(params.readyLagBlocks)
    },
    status: () => ({
      chainId,
      headBlock,
      indexedBlock,
      lastProgressAt,
      consecutiveFailures: failures,
      stalled: stalledSince !== null,
      stalledSince,
      lastError,
    }),
    flush: () => writes,
  }
}

/**
 * `code` of a failure: the BaseError's code (the first in the cause chain), else RPC for viem errors, DATABASE for
 * Prisma / driver adapter / pg errors, INTERNAL otherwise.
 */
export function errorCode(error: unknown): string {
  let origin: string | undefined
  for (
    let e = error as Record<string, unknown> | undefined, depth = 0;
    e && typeof e === 'object' && depth < 8;
    e = e.cause as Record<string, unknown> | undefined, depth++
  ) {
    if (e instanceof BaseError) return e.code
    const name = String(e.name ?? '')
    if (!origin && e instanceof ViemBaseError) origin = 'RPC'
    if (!origin && (/^Prisma|DriverAdapter/.test(name) || typeof e.severity === 'string')) origin = 'DATABASE'
  }
  return origin ?? 'INTERNAL'
}

/**
 * One line for a failure, cause chain included (`DatabaseError: Committing blocks 5-5 failed ← caused by …`), URLs
 * redacted, at most 1,000 characters: what logs below the stall limit and what `indexerStatus` shows.
 */
export function describeError(error: unknown): string {
  const parts: string[] = []
  for (
    let e = error as Record<string, unknown> | undefined, depth = 0;
    e !== undefined && e !== null && depth < 5;
    e = e.cause as Record<string, unknown> | undefined, depth++
  ) {
    if (typeof e !== 'object') {
      parts.push(String(e))
      break
    }
    const name = String(e.name ?? 'Error')
    let text = String(e.shortMessage ?? e.message ?? '')
    // Prisma puts the call site and a code excerpt first; the database's own message is the last line
    if (name.startsWith('PrismaClient'))
      text =
        text
          .split('\n')
          .filter((l) => l.trim())
          .at(-1) ?? text
    // viem's HTTP errors: which endpoint answered what (the URL is redacted below)
    const extras = [typeof e.status === 'number' ? `HTTP ${e.status}` : '', typeof e.url === 'string' ? e.url : ''].filter(Boolean)
    const details = typeof e.details === 'string' && e.details && !text.includes(e.details) ? `: ${e.details}` : ''
    parts.push(`${name}: ${text.replace(/\s+/g, ' ').trim()}${extras.length ? ` (${extras.join(', ')})` : ''}${details.replace(/\s+/g, ' ')}`)
  }
  const line = redactText(parts.join(' ← caused by '))
  return line.length > MAX_ERROR_CHARS ? `${line.slice(0, MAX_ERROR_CHARS - 1)}…` : line
}
