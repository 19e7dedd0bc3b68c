/**
 * Time transitions: an attestation's verdict can change with no new contract event — it expires (chain clock
 * passes `validUntil`), its block gathers enough confirmations, or its block (and revocation block) becomes
 * final. The scheduler finds verdicts whose transition is due, judged on the chain's own clock and head (the
 * `Chain` row the sync loop writes each poll):
 * - expiry: `expiresAt <= head block timestamp` and the stored reasons do not say EXPIRED yet → a `RECHECK` job;
 * - confirmations: status PENDING and `blockNumber <= headBlock - confirmations` → a `RECHECK` job;
 * - finality: not finalized and the block (and the revocation block, if any) `<= finalizedBlock` → the flag is
 *   set in place (finality changes neither status nor reasons, so it needs no check and no journal entry; this
 *   saves one job per attestation).
 * A job is queued once (not while another job for the attestation exists). `Verification.nextCheckAt` (indexed)
 * narrows the scan to verdicts that have a transition ahead at all. One scheduler runs at a time across
 * processes (a transaction-scoped advisory lock; the others skip the tick).
 */
import type { PrismaClient } from '../generated/prisma/client.js'

/** Key of the scheduler's advisory lock (single-key space): "SIGNRCHK" in ASCII. */
const SCHEDULER_LOCK_KEY = '0x5349474e5243484b'

const CHAIN_NOW = `(to_timestamp(c."headTimestamp") AT TIME ZONE 'UTC')`

const SCHEDULE_SQL = `
INSERT INTO "VerificationJob" ("chainId", "attestationId", "cause")
SELECT v."chainId", v."attestationId", 'RECHECK'
FROM "Chain" c
JOIN "Verification" v ON v."chainId" = c."chainId" AND v."nextCheckAt" <= ${CHAIN_NOW}
JOIN "Attestation" a ON a."chainId" = v."chainId" AND a."attestationId" = v."attestationId"
WHERE c."headTimestamp" IS NOT NULL
  AND (
    (v."expiresAt" IS NOT NULL AND v."expiresAt" <= ${CHAIN_NOW} AND NOT (v."reasons" @> '[{"code":"EXPIRED"}]'::jsonb))
    OR (v."status" = 'PENDING' AND c."headBlock" IS NOT NULL AND a."blockNumber" <= c."headBlock" - c."confirmations")
  )
  AND NOT EXISTS (SELECT 1 FROM "VerificationJob" j WHERE j."chainId" = v."chainId" AND j."attestationId" = v."attestationId")
LIMIT $1`

// Finality in place. nextCheckAt then only serves a pending expiry (kept even when already due, so the RECHECK
// above still finds it). A worker writing an older verdict at the same time may undo the flag: the next tick
// sets it again.
const FINALIZE_SQL = `
UPDATE "Verification" v SET "finalized" = true,
  "nextCheckAt" = CASE WHEN v."expiresAt" IS NOT NULL AND NOT (v."reasons" @> '[{"code":"EXPIRED"}]'::jsonb) THEN v."expiresAt" END
FROM "Chain" c, "Attestation" a
WHERE c."chainId" = v."chainId" AND a."chainId" = v."chainId" AND a."attestationId" = v."attestationId"
  AND v."nextCheckAt" <= ${CHAIN_NOW} AND NOT v."finalized" AND v."status" <> 'PENDING'
  AND c."finalizedBlock" IS NOT NULL AND a."blockNumber" <= c."finalizedBlock"
  AND (a."revokeBlockNumber" IS NULL OR a."revokeBlockNumber" <= c."finalizedBlock")`

/** What one scheduler tick did. */
export type ScheduleResult = { rechecks: number; finalized: number }

/**
 * Queues RECHECK jobs for every verdict whose expiry or confirmations transition is due (at most `limit` per
 * call) and marks newly final verdicts finalized.
 * @returns jobs queued and verdicts finalized; zeros when nothing is due or another scheduler holds the lock
 * @throws database errors (the caller, the verifier loop, logs and retries)
 */
export async function scheduleRechecks(prisma: PrismaClient, limit = 10_000): Promise<ScheduleResult> {
  return prisma.$transaction(async (tx) => {
    const [row] = await tx.$queryRawUnsafe<{ locked: boolean }[]>(`SELECT pg_try_advisory_xact_lock(${BigInt(SCHEDULER_LOCK_KEY)}) AS locked`)
    if (!row?.locked) return { rechecks: 0, finalized: 0 }
    const rechecks = await tx.$executeRawUnsafe(SCHEDULE_SQL, limit)
    const finalized = await tx.$executeRawUnsafe(FINALIZE_SQL)
    return { rechecks, finalized }
  })
}
