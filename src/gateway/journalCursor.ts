/**
 * `after` cursors must come from this journal. A cursor beyond the journal's end used to be accepted and the
 * subscription waited silently until the journal grew past it (a client holding a cursor of another database, or
 * a typo, saw nothing, forever). It is refused instead.
 */
import type { PrismaClient } from '../generated/prisma/client.js'
import { BadUserInputError } from './errors.js'

/**
 * Checks that `after` (a decimal seq) is at most the last seq the journal has issued. Read from the database at
 * subscribe time, not from the gateway's own tail, which may lag the indexer (another process) by a poll interval:
 * the larger of the table's highest `seq` and the `Event.seq` sequence's last value (which covers entries whose
 * transaction is still running, and entries a chain reset deleted).
 * @throws {BadUserInputError} BAD_USER_INPUT (`extensions.argument` "after", `extensions.lastCursor`) when `after` is beyond it
 */
export async function assertCursorInJournal(prisma: PrismaClient, after: string): Promise<void> {
  const last = await readLastIssuedSeq(prisma)
  if (BigInt(after) > last) {
    throw new BadUserInputError(`\`after\` ${after} is beyond the journal's last cursor ${last}: use a cursor from an event of this gateway`, {
      argument: 'after',
      lastCursor: last.toString(),
    })
  }
}

/** The highest journal seq ever issued (0 for an empty journal). */
export async function readLastIssuedSeq(prisma: PrismaClient): Promise<bigint> {
  const [row] = await prisma.$queryRaw<{ last: string }[]>`
    SELECT GREATEST(
      COALESCE((SELECT max(seq) FROM "Event"), 0),
      COALESCE(pg_sequence_last_value(pg_get_serial_sequence('"Event"', 'seq')), 0)
    )::text AS last`
  return BigInt(row!.last)
}
