/**
 * One verifier step: claim a batch of `VerificationJob` rows, check their attestations, write the verdicts, and
 * delete the jobs — in ONE transaction. What that buys:
 * - The claim is the row lock of `SELECT … FOR UPDATE SKIP LOCKED`: other workers skip the batch until COMMIT or
 *   ROLLBACK. A worker that crashes (process killed, connection lost) loses its transaction and with it the
 *   claim: the jobs are claimable again at once, nothing half-written is visible. The claim is bounded by
 *   `lockMs` (Prisma transaction timeout + `lock_timeout`).
 * - Idempotent: the verdict is an upsert; a journal `STATUS_CHANGED` entry is written only when status or
 *   reasons differ from the stored row, read after a per-attestation advisory lock (so two workers holding jobs
 *   for the same attestation serialise, and the second sees the first one's verdict). A batch repeated after a
 *   crash therefore writes no second entry.
 * - Other visible jobs for the same attestations are claimed and deleted too: the facts they announce were
 *   committed before this transaction read the facts.
 * - When a verdict changes, the attestation's children get `LINEAGE` jobs (unless one is already queued), so
 *   LINEAGE_* reasons propagate down the lineage one generation per step.
 * A batch that fails (an exception, a lock timeout) rolls back; its jobs are parked with exponential backoff
 * (`attempts`, `lockedUntil`), and a job that failed before is retried alone, so one poison job cannot hold
 * others back.
 */
import type { PrismaClient } from '../generated/prisma/client.js'
import { appendJournalEntries } from '../journal/journalWriter.js'
import { checkAttestation, type VerificationResult } from './checkAttestation.js'
import { type AttestationKey, keyOf, loadVerificationInputs } from './loadVerificationInputs.js'
import { parseReasons, sameReasons } from './reasons.js'

/** Seed of the per-attestation advisory lock keys (single-key space; the writer lock uses the two-key space). */
const ATTESTATION_LOCK_SEED = 0x5349474e
/** Upper bound of the backoff of a failing job, in seconds. */
const MAX_BACKOFF_S = 30

export type VerificationBatchHooks = {
  /**
   * Called inside the transaction after every write and before the jobs are deleted and COMMIT. A throw rolls
   * the whole batch back (tests use it to simulate a crash mid-batch); an await stalls the worker.
   */
  beforeCommit?: (info: { jobs: number; verified: number; changed: number }) => void | Promise<void>
}

export type RunVerificationBatchParameters = {
  prisma: PrismaClient
  /** most jobs claimed per transaction */
  batchSize: number
  /**
   * a claim takes at most ⌈claimable jobs / claimShare⌉ (default 1: up to `batchSize`); the verifier passes
   * its `VERIFY_CLAIM_SHARE` so a small queue is spread over that many workers
   */
  claimShare?: number
  /** longest a claim may be held, in ms: transaction timeout and lock wait limit */
  lockMs: number
  hooks?: VerificationBatchHooks
}

export type VerificationBatchResult = {
  /** jobs deleted (done) */
  jobs: number
  /** attestations checked (jobs of attestations removed by a reorg are just deleted) */
  verified: number
  /** verdicts whose status or reasons changed (= STATUS_CHANGED entries written) */
  changed: number
  /** seq of the last journal entry written, null when none */
  lastSeq: bigint | null
  /** status of each changed verdict, for metrics */
  statuses: string[]
}

type JobRow = { id: string; chainId: number; attestationId: string; attempts: number }

const CLAIMABLE = `j."runAfter" <= LOCALTIMESTAMP AND (j."lockedUntil" IS NULL OR j."lockedUntil" <= LOCALTIMESTAMP)`

// A fair share: at most ⌈claimable / $2⌉ jobs (at least 1, at most $1), the claimable jobs counted up to $1 × $2 (a
// queue that deep gets full batches). Jobs other transactions hold are counted too, so a small queue is cut into
// pieces while the first claims are still open: $2 workers anywhere (processes included) each get some of it,
// where one full-size claim took it all and left them idle.
const CLAIM_SQL = `
WITH depth AS (SELECT count(*) AS n FROM (SELECT 1 FROM "VerificationJob" j WHERE ${CLAIMABLE} LIMIT $1::int * $2::int) q)
SELECT j.id::text AS id, j."chainId", j."attestationId"::text AS "attestationId", j.attempts FROM "VerificationJob" j
WHERE ${CLAIMABLE}
ORDER BY j.id LIMIT (SELECT greatest(1, least($1::int, ceil(n::numeric / $2::int)))::int FROM depth) FOR UPDATE SKIP LOCKED`

const CLAIM_DUPLICATES_SQL = `
SELECT j.id::text AS id FROM "VerificationJob" j
JOIN unnest($1::int[], $2::text[]) AS k(chain_id, id) ON j."chainId" = k.chain_id AND j."attestationId" = k.id::bigint
WHERE NOT (j.id = ANY($3::text[]::bigint[]))
FOR UPDATE OF j SKIP LOCKED`

const LOCK_ATTESTATIONS_SQL = `
SELECT pg_advisory_xact_lock(s.k) FROM (
  SELECT DISTINCT hashtextextended(u.chain_id::text || ':' || u.id, ${ATTESTATION_LOCK_SEED}) AS k
  FROM unnest($1::int[], $2::text[]) AS u(chain_id, id) ORDER BY 1
) s`

/**
 * Children of changed attestations, unless a job for the child is queued and not in flight (SKIP LOCKED makes a job
 * claimed by another transaction count as absent: that transaction may have read the old facts). On a first verdict
 * only children with a LOWER id are queued: higher ones were checked against the same facts already. It finds them
 * by (chainId, linkedAttestationId): exported for test/deferredIndexes.test.ts, which checks that a backfill with
 * deferred indexes keeps that index.
 */
export const ENQUEUE_CHILDREN_SQL = `
INSERT INTO "VerificationJob" ("chainId", "attestationId", "cause")
SELECT c."chainId", c."attestationId", 'LINEAGE'
FROM unnest($1::int[], $2::text[], $3::bool[]) AS p(chain_id, id, all_children)
JOIN "Attestation" c ON c."chainId" = p.chain_id AND c."linkedAttestationId" = p.id::bigint
WHERE (p.all_children OR c."attestationId" < p.id::bigint)
  AND NOT EXISTS (
    SELECT 1 FROM "VerificationJob" j WHERE j."chainId" = c."chainId" AND j."attestationId" = c."attestationId" FOR UPDATE SKIP LOCKED
  )`

const UPSERT_SQL = `
INSERT INTO "Verification" ("chainId", "attestationId", "status", "reasons", "finalized", "delegated", "checkedAt", "expiresAt", "nextCheckAt")
SELECT "chainId", "attestationId", "status", "reasons", "finalized", "delegated", "checkedAt", "expiresAt", "nextCheckAt"
FROM json_populate_recordset(NULL::"Verification", $1::json)
ON CONFLICT ("chainId", "attestationId") DO UPDATE SET
  "status" = EXCLUDED."status", "reasons" = EXCLUDED."reasons", "finalized" = EXCLUDED."finalized", "delegated" = EXCLUDED."delegated",
  "checkedAt" = EXCLUDED."checkedAt", "expiresAt" = EXCLUDED."expiresAt", "nextCheckAt" = EXCLUDED."nextCheckAt"`

/**
 * Runs one batch (see the module comment).
 * @returns what was done; `jobs: 0` when the queue had nothing claimable
 * @throws the database error or the hook's error after the transaction rolled back and the claimed jobs were
 *   parked (`attempts + 1`, `lockedUntil` = now + min(0.25 s × 2^attempts, 30 s))
 */
export async function runVerificationBatch(params: RunVerificationBatchParameters): Promise<VerificationBatchResult> {
  const { prisma, batchSize, lockMs, hooks } = params
  const claimShare = Math.max(1, Math.floor(params.claimShare ?? 1))
  let claimed: string[] = []
  try {
    return await prisma.$transaction(
      async (tx) => {
        await tx.$executeRawUnsafe(`SET LOCAL lock_timeout = ${Math.max(1, Math.floor(lockMs))}`)
        const rows = await tx.$queryRawUnsafe<JobRow[]>(CLAIM_SQL, batchSize, claimShare)
        const none: VerificationBatchResult = { jobs: 0, verified: 0, changed: 0, lastSeq: null, statuses: [] }
        if (!rows.length) return none
        // A job that failed before runs alone; the rest of the claim is left locked until COMMIT, then re-claimed.
        const jobs = rows[0]!.attempts > 0 ? [rows[0]!] : rows.filter((r) => r.attempts === 0)
        claimed = jobs.map((j) => j.id)
        const keys = uniqueKeys(jobs)
        const chainIds = keys.map((k) => k.chainId)
        const ids = keys.map((k) => k.attestationId.toString())
        const duplicates = await tx.$queryRawUnsafe<{ id: string }[]>(CLAIM_DUPLICATES_SQL, chainIds, ids, claimed)
        await tx.$executeRawUnsafe(LOCK_ATTESTATIONS_SQL, chainIds, ids)

        const inputs = await loadVerificationInputs(tx, keys)
        const checkedAt = new Date()
        const verdicts: { key: AttestationKey; result: VerificationResult }[] = []
        const changed: { key: AttestationKey; result: VerificationResult; first: boolean }[] = []
        for (const key of keys) {
          const facts = inputs.facts.get(keyOf(key.chainId, key.attestationId))
          if (!facts) continue // removed by a reorg: its Verification row went with it
          const result = checkAttestation(facts, inputs.lookup, inputs.chains.get(key.chainId) ?? null)
          verdicts.push({ key, result })
          const stored = inputs.stored.get(keyOf(key.chainId, key.attestationId))
          if (!stored || stored.status !== result.status || !sameReasons(parseReasons(stored.reasons), result.reasons)) {
            changed.push({ key, result, first: !stored })
          }
        }
        if (verdicts.length) {
          await tx.$executeRawUnsafe(
            UPSERT_SQL,
            JSON.stringify(
              verdicts.map(({ key, result }) => ({
                chainId: key.chainId,
                attestationId: key.attestationId.toString(),
                status: result.status,
                reasons: result.reasons,
                finalized: result.finalized,
                delegated: result.delegated,
                checkedAt: checkedAt.toISOString(),
                expiresAt: result.expiresAt?.toISOString() ?? null,
                nextCheckAt: result.nextCheckAt?.toISOString() ?? null,
              })),
            ),
          )
        }
        let lastSeq: bigint | null = null
        if (changed.length) {
          const journal = await appendJournalEntries(
            tx,
            changed.map(({ key }) => {
              const facts = inputs.facts.get(keyOf(key.chainId, key.attestationId))!
              return {
                chainId: key.chainId,
                kind: 'STATUS_CHANGED' as const,
                subjectType: 'ATTESTATION' as const,
                subjectId: key.attestationId.toString(),
                blockNumber: facts.blockNumber,
                blockHash: facts.blockHash,
                logIndex: facts.logIndex,
              }
            }),
          )
          lastSeq = journal.lastSeq
          await tx.$executeRawUnsafe(
            ENQUEUE_CHILDREN_SQL,
            changed.map((c) => c.key.chainId),
            changed.map((c) => c.key.attestationId.toString()),
            changed.map((c) => !c.first),
          )
        }
        await hooks?.beforeCommit?.({ jobs: jobs.length, verified: verdicts.length, changed: changed.length })
        const done = [...claimed, ...duplicates.map((d) => d.id)]
        await tx.$executeRawUnsafe('DELETE FROM "VerificationJob" WHERE id = ANY($1::text[]::bigint[])', done)
        return { jobs: done.length, verified: verdicts.length, changed: changed.length, lastSeq, statuses: changed.map((c) => c.result.status) }
      },
      { timeout: lockMs, maxWait: lockMs },
    )
  } catch (error) {
    if (claimed.length) await parkJobs(prisma, claimed).catch(() => {})
    throw error
  }
}

/** Distinct attestation keys of the jobs, in job order. */
function uniqueKeys(jobs: JobRow[]): AttestationKey[] {
  const seen = new Set<string>()
  const keys: AttestationKey[] = []
  for (const j of jobs) {
    const key = `${j.chainId}:${j.attestationId}`
    if (seen.has(key)) continue
    seen.add(key)
    keys.push({ chainId: j.chainId, attestationId: BigInt(j.attestationId) })
  }
  return keys
}

/** After a failed batch: count the attempt and hold the jobs back (exponential backoff). */
async function parkJobs(prisma: PrismaClient, ids: string[]): Promise<void> {
  await prisma.$executeRawUnsafe(
    `UPDATE "VerificationJob" SET attempts = attempts + 1,
       "lockedUntil" = LOCALTIMESTAMP + LEAST(${MAX_BACKOFF_S}, 0.25 * power(2, LEAST(attempts, 20))) * INTERVAL '1 second'
     WHERE id = ANY($1::text[]::bigint[])`,
    ids,
  )
}
