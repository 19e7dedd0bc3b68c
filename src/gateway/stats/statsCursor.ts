/**
 * Cursors of the statistics connections: a group's position in the order `count DESC, kc, ki, kt` (see
 * ./statsGroup.ts), tagged with the connection and grouping it came from, so a cursor of another list — or of the
 * same list grouped otherwise — is refused instead of silently starting somewhere else.
 *
 * Format: `stats:` + base64url of the JSON array `[tag, count, kc, ki (decimal string), kt]`.
 */
import { BadUserInputError } from '../errors.js'
import { INT64_MAX } from '../ids.js'
import { assertCursorLength } from '../inputLimits.js'
import type { StatsGroup } from './statsGroup.js'

const PREFIX = 'stats:'
const INT32_MAX = 2 ** 31 - 1

/** A group's position: the columns of the order. */
export type StatsPosition = { count: number; chainId: number; id: bigint; text: string }

/**
 * Formats the cursor of a group.
 * @param tag the connection and grouping, e.g. `attestationStats:DAY` or `schemaStats`
 */
export function formatStatsCursor(tag: string, group: StatsGroup): string {
  const json = JSON.stringify([tag, group.count, group.chainId, group.id.toString(), group.text])
  return PREFIX + Buffer.from(json, 'utf8').toString('base64url')
}

/**
 * Reads a cursor made by {@link formatStatsCursor} for the same tag.
 * @param argument the argument's name (`after` / `before`), for the error
 * @throws {BadUserInputError} when the cursor is too long, does not parse, or belongs to another list or grouping
 */
export function parseStatsCursor(cursor: string, tag: string, argument: string): StatsPosition {
  assertCursorLength(cursor, argument)
  const foreign = () => new BadUserInputError(`Invalid cursor: not from this connection (${tag})`, { argument })
  if (!cursor.startsWith(PREFIX)) throw foreign()
  let value: unknown
  try {
    value = JSON.parse(Buffer.from(cursor.slice(PREFIX.length), 'base64url').toString('utf8'))
  } catch {
    throw foreign()
  }
  if (!Array.isArray(value) || value.length !== 5) throw foreign()
  const [t, count, chainId, id, text] = value as unknown[]
  if (
    t !== tag ||
    !Number.isSafeInteger(count) ||
    (count as number) < 0 ||
    !Number.isInteger(chainId) ||
    (chainId as number) < 0 ||
    (chainId as number) > INT32_MAX ||
    typeof id !== 'string' ||
    !/^\d{1,19}$/.test(id) ||
    BigInt(id) > INT64_MAX ||
    typeof text !== 'string'
  ) {
    throw foreign()
  }
  return { count: count as number, chainId: chainId as number, id: BigInt(id), text }
}
