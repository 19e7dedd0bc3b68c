/**
 * Drops the query arguments Prisma keeps in memory for crash reports. Both `@prisma/debug` (used by the pg driver
 * adapter, which debug-logs every query with its parameters) and the copy bundled in `@prisma/client`'s runtime
 * keep the arguments of their last 100 debug calls, even when DEBUG is off. Our bulk inserts pass a few megabytes of
 * JSON per query, so those histories held ~80 MB of old parameters during a 100,000-attestation backfill and ran a
 * 256 MB heap out of memory (heap snapshot: the strings were retained only by these arrays).
 *
 * The adapter's history is cleared with `clearLogs()`; the runtime's bundled copy exports only `Debug`, so its
 * history is pushed out with 101 empty entries (its cap is 100). Cheap enough to call after every commit.
 */
import { clearLogs } from '@prisma/debug'
import { Debug } from '@prisma/client/runtime/client'

const RUNTIME_HISTORY = 100
const filler = Debug('sign-indexer:forget-query-arguments')

/** Empties both debug histories (synchronous, never throws); call after a transaction that passed large parameters. */
export function forgetQueryArguments(): void {
  clearLogs()
  for (let i = 0; i <= RUNTIME_HISTORY; i++) filler('')
}
