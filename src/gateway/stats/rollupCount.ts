/**
 * `totalCount` of `attestations(where)` from a rollup when the filter is one a rollup answers exactly (rollupSql.ts:
 * `chainId`, `schemaId`, `attester`, whole-UTC-day `attestTimestampGte` / `attestTimestampLte`, plus `revoked`, read
 * as `revokedCount` or `count - revokedCount`): the sum of the rollup rows the filter selects, in the reading
 * statement's snapshot, which the ingest transaction keeps equal to a count of the rows (triggers in the same
 * transaction). A count by attester reads its rollup rows (one per schema and chain) instead of every attestation of
 * the attester: at 1,000,000 rows, 55,000 index entries per count became a few dozen rollup rows.
 */
import { Prisma } from '../../generated/prisma/client.js'
import type { AttestationFilter } from '../types/attestationWhere.js'
import { buildRollupGroupsSql, chooseRollup, toRollupFilter } from './rollupSql.js'

/**
 * @param where the `attestations` filter (already parsed once by the page: bad input has been refused)
 * @returns SQL returning one row `{ count: bigint }`, or null when only the attestations can answer the filter
 * @throws {BadUserInputError} when an id, address or timestamp does not parse
 */
export function buildRollupCountSql(where: AttestationFilter | null | undefined): Prisma.Sql | null {
  const { revoked, ...rest } = where ?? {}
  const filter = toRollupFilter(rest)
  if (!filter) return null
  const table = chooseRollup(filter, 'CHAIN')
  if (!table) return null
  const counted = revoked == null ? Prisma.sql`g."count"` : revoked ? Prisma.sql`g."revokedCount"` : Prisma.sql`g."count" - g."revokedCount"`
  return Prisma.sql`SELECT COALESCE(sum(${counted}), 0)::bigint AS count FROM (${buildRollupGroupsSql('CHAIN', filter, table)}) g`
}
