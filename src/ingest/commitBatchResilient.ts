/**
 * Defence in depth behind `toStorable.ts`: a commit that the database refuses because of the VALUES it carries
 * (SQLSTATE class 22/23/54, e.g. text it cannot read, a key that two distinct chain strings collapse into, an index
 * row too big) fails again on every retry, and the stage loop would retry from the checkpoint forever — one hostile
 * transaction halting the chain. Here such a batch is taken apart: the logs the database refuses are found by
 * bisection (trial transactions that are rolled back), each is stored raw as a SkippedLog with the database's reason,
 * and the rest of the range commits with the same checkpoint in one transaction. The chain moves on.
 *
 * Connection, timeout and checkpoint errors are not touched: they are thrown as they are, for the stage loop to
 * retry. Isolation rebuilds batches with `build` from the fetched range (pure, in log order), so a batch without a
 * log is exactly what ingest would have built had the log never been there (a schema left out is unknown to the
 * attestations after it, a revocation of a left-out attestation updates nothing).
 */
import type { Logger } from '../common/logger.js'
import type { Metrics } from '../common/metrics.js'
import { getSqlState, isDataError } from '../db/getSqlState.js'
import { forgetQueryArguments } from '../db/forgetQueryArguments.js'
import { toStorableText } from '../db/toStorable.js'
import { DatabaseError } from '../errors/baseError.js'
import { prismaRawWriter, type RawWriter } from '../db/rawWriter.js'
import type { PrismaClient } from '../generated/prisma/client.js'
import type { Batch } from './buildBatch.js'
import { type CommitResult, commitBatch, writeBatch } from './commitBatch.js'
import type { SkippedLog } from './decodeLogs.js'
import type { FetchedRange } from './fetchRange.js'

export type CommitBatchResilientParameters = {
  prisma: PrismaClient
  /** the commit's connection (src/db/rawWriter.ts; default: Prisma's transactions on `prisma`) */
  writer?: RawWriter
  /** the range the batch was built from */
  fetched: FetchedRange
  /** `buildBatch` for this chain: fetched range → rows (called again for every trial while isolating) */
  build: (fetched: FetchedRange) => Promise<Batch>
  /** the batch `build(fetched)` returned, when the caller already has it */
  batch?: Batch
  logger?: Logger
  /** the commit's duration metric (commitBatch) */
  metrics: Metrics
}

export type CommitBatchResilientReturnType = CommitResult & {
  /** the batch that was committed: `batch` itself, or the one rebuilt without the refused logs */
  batch: Batch
  /** the logs the database refused, as stored (SkippedLog rows of this commit), in log order */
  rejected: SkippedLog[]
}

/** Most characters of the database's message kept in a SkippedLog reason. */
const MAX_REASON_CHARS = 500

class ProbeRollback extends Error {}

/**
 * Commits one range like {@link commitBatch}; when the database refuses the batch's values, commits it without
 * the logs it refuses (each kept as a SkippedLog: raw topic0 and data, reason `COMMIT_REJECTED: <SQLSTATE> <message>`).
 * Cost when isolating: about 2·k·log2(n) rolled-back trial transactions for k refused logs among n, each trial
 * writing the logs accepted so far plus the half under test.
 * @returns the commit's journal seqs, the batch committed and the refused logs.
 * @throws {DatabaseError} from commitBatch for anything that is not a data error (retryable: connection, timeout,
 *   checkpoint moved), also when one happens while isolating; the original refusal when the range fails even without
 *   any of its logs (not a log's fault: its blocks or the fetch's skipped logs).
 */
export async function commitBatchResilient(params: CommitBatchResilientParameters): Promise<CommitBatchResilientReturnType> {
  const { fetched, build } = params
  const writer = params.writer ?? prismaRawWriter(params.prisma)
  const batch = params.batch ?? (await build(fetched))
  let refusal: unknown
  try {
    return { ...(await commitBatch(writer, batch, params.metrics)), batch, rejected: [] }
  } catch (error) {
    if (!isDataError(error)) throw error
    refusal = error
    params.logger?.warn(
      { from_block: Number(batch.fromBlock), to_block: Number(batch.toBlock), error },
      'The database refused the values of a range; isolating the logs it refuses',
    )
  }

  const events = fetched.events
  const only = (keep: (i: number) => boolean): FetchedRange => ({ ...fetched, events: events.filter((_, i) => keep(i)) })
  /** @returns null when the batch of `included` logs would commit, else the database's refusal */
  const probe = async (included: ReadonlySet<number>): Promise<string | null> => {
    const trial = await build(only((i) => included.has(i)))
    try {
      await writer.transaction(async (tx) => {
        await writeBatch(tx, trial)
        throw new ProbeRollback('trial only')
      })
      return null
    } catch (error) {
      if (error instanceof ProbeRollback) return null
      if (!isDataError(error))
        throw new DatabaseError(`Trial commit of blocks ${fetched.fromBlock}-${fetched.toBlock} failed`, {
          cause: error,
          retryable: true,
          details: (error as Error)?.message,
        })
      const state = getSqlState(error)!
      return `COMMIT_REJECTED: ${state.sqlState} ${state.message}`
    } finally {
      forgetQueryArguments()
    }
  }

  if ((await probe(new Set())) !== null) throw refusal // not a log's fault (blocks, the fetch's skipped logs)

  // Greedy bisection in log order: a chunk that commits together with everything accepted before it is accepted
  // whole; one that does not is halved; a single log that does not is refused. A refusal that only arises between
  // two logs (a duplicate key) refuses the later one. Every log ends up accepted or refused.
  const accepted = new Set<number>()
  const refused = new Map<number, string>()
  const halve = async (from: number, to: number) => {
    const mid = from + Math.floor((to - from) / 2)
    await visit(from, mid)
    await visit(mid, to)
  }
  const visit = async (from: number, to: number): Promise<void> => {
    if (from >= to) return
    const reason = await probe(new Set([...accepted, ...range(from, to)]))
    if (reason === null) for (const i of range(from, to)) accepted.add(i)
    else if (to - from === 1) refused.set(from, reason)
    else await halve(from, to)
  }
  if (events.length > 1)
    await halve(0, events.length) // the whole range is known to be refused
  else await visit(0, events.length)

  const rejected: SkippedLog[] = [...refused].map(([i, reason]) => {
    const e = events[i]!
    return {
      blockNumber: e.blockNumber,
      blockHash: e.blockHash,
      logIndex: e.logIndex,
      txHash: e.txHash,
      address: e.address,
      topic0: e.topic0,
      data: e.data,
      reason: toStorableText(reason.length > MAX_REASON_CHARS ? `${reason.slice(0, MAX_REASON_CHARS)}…` : reason),
    }
  })
  const rest = await build({ ...only((i) => !refused.has(i)), skipped: [...fetched.skipped, ...rejected] })
  const result = await commitBatch(writer, rest, params.metrics)
  for (const r of rejected) {
    params.logger?.error(
      { block_number: Number(r.blockNumber), log_index: r.logIndex, reason: r.reason },
      'The database refused a log; stored it raw as a skipped log',
    )
  }
  return { ...result, batch: rest, rejected }
}

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from }, (_, i) => from + i)
}
