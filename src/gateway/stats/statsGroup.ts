/**
 * One group of the explorer statistics (`attestationStats`, `schemaStats`) as the SQL of ./attestationStatsSql.ts
 * and ./schemaStatsSql.ts returns it, and its printed key.
 *
 * Every group query returns the same columns, so one order and one cursor serve every grouping:
 * `kc` (int), `ki` (bigint) and `kt` (text) are the group's key — the columns a grouping does not use are 0 / '' —
 * and the order is `count DESC, kc, ki, kt COLLATE "C"` (ties broken by the key, byte order of the text, so a
 * cursor is stable and the same on PostgreSQL and PGlite).
 */
import { toFullId } from '../ids.js'

/** How `attestationStats` groups attestations (GraphQL enum `AttestationStatsGroupBy`). */
export type StatsGroupBy = 'SCHEMA' | 'ATTESTER' | 'RECIPIENT' | 'DAY' | 'CHAIN'

/** A group as the SQL returns it (bigints as the driver gives them: bigint or a decimal string). */
export type StatsGroupRow = {
  kc: number
  ki: bigint | string | number
  kt: string
  count: bigint | string | number
  revokedCount: bigint | string | number
  firstAt: bigint | string | number | null
  lastAt: bigint | string | number | null
}

/** A group of attestations: its key columns, counts and the range of its attestTimestamps (unix seconds). */
export type StatsGroup = {
  groupBy: StatsGroupBy
  chainId: number
  id: bigint
  text: string
  count: number
  revokedCount: number
  /** smallest / largest attestTimestamp of the group, unix seconds; null for a schema without attestations */
  firstAt: bigint | null
  lastAt: bigint | null
}

/** Seconds per UTC day: a DAY group starts at a multiple of it. */
export const SECONDS_PER_DAY = 86_400n

/** Converts a row of a group query. */
export function toStatsGroup(groupBy: StatsGroupBy, row: StatsGroupRow): StatsGroup {
  return {
    groupBy,
    chainId: Number(row.kc),
    id: BigInt(row.ki),
    text: row.kt,
    count: Number(row.count),
    revokedCount: Number(row.revokedCount),
    firstAt: row.firstAt == null ? null : BigInt(row.firstAt),
    lastAt: row.lastAt == null ? null : BigInt(row.lastAt),
  }
}

/**
 * The group's key as `attestationStats` prints it:
 * - SCHEMA: the schema's SignScan full id, `onchain_evm_<chainId>_<0x hex id>` (schema ids are per chain);
 * - ATTESTER: the attester address, lower-case (one group per address over every chain the filter allows);
 * - RECIPIENT: the recipient — a lower-case address when it is one (address-encoded, or a string that is an
 *   address, as the `recipient` filter matches both), else its text, else its raw bytes (0x hex);
 * - DAY: the UTC date of the attestTimestamp, ISO 8601 `YYYY-MM-DD` (a year beyond 9999 as `+YYYYYY-MM-DD`; a day
 *   beyond the DateTime range as its unix seconds);
 * - CHAIN: the chain id, decimal.
 */
export function toStatsKey(group: StatsGroup): string {
  switch (group.groupBy) {
    case 'SCHEMA':
      return toFullId(group.chainId, group.id)
    case 'ATTESTER':
    case 'RECIPIENT':
      return group.text
    case 'DAY': {
      const date = toDateOrNull(group.id)
      if (!date) return group.id.toString()
      const iso = date.toISOString()
      return iso.slice(0, iso.indexOf('T'))
    }
    case 'CHAIN':
      return String(group.chainId)
  }
}

/** Largest unix time in seconds a JS `Date` holds. */
const MAX_DATE_SECONDS = 8_640_000_000_000n

/** Unix seconds as a `Date`; null for null or beyond the `Date` range (0 is 1970-01-01, a real time here). */
export function toDateOrNull(seconds: bigint | null): Date | null {
  if (seconds == null || seconds < 0n || seconds > MAX_DATE_SECONDS) return null
  return new Date(Number(seconds) * 1000)
}
