/**
 * The rollups of `attestationStats` and how a filter and a grouping pick one. Four counter tables, each kept exact by
 * statement-level triggers in every writing transaction (migrations 20261202041916_attestation_rollup and
 * 20261207030000_coarser_rollups), each row `count, revokedCount, firstAt, lastAt` of a key:
 *
 * | table                  | key                                   | answers                                            |
 * |------------------------|---------------------------------------|----------------------------------------------------|
 * | `SchemaAttesterRollup` | chainId × schemaId × attester         | no time filter, grouping SCHEMA / ATTESTER / CHAIN |
 * | `SchemaDayRollup`      | chainId × schemaId × UTC day          | DAY, or whole-day ranges, without an attester      |
 * | `AttestationRollup`    | chainId × schemaId × attester × day   | DAY or whole-day ranges with an attester           |
 * | `RecipientRollup`      | chainId × recipient key               | RECIPIENT filtered by `chainId` only (or nothing)  |
 *
 * The smallest table holding every column the filter and the grouping name is chosen (`chooseRollup`), so a query's
 * cost is the rows of that table the filter selects: with the bench's data (1,000,000 attestations) 12,000 rows for
 * every attester of every schema, 18,000 for every schema-day, 100,000 recipient keys, against 551,008 rows of
 * the finest one.
 */
import { Prisma } from '../../generated/prisma/client.js'
import { isStorableUint64, parseIdFilter, parseUint64 } from '../ids.js'
import { assertFilterText } from '../inputLimits.js'
import { type AttestationFilter, parseAddress } from '../types/attestationWhere.js'
import { SECONDS_PER_DAY, type StatsGroupBy } from './statsGroup.js'

/** Filter fields a rollup can answer (others — recipient, indexingKey, revoked, linkedAttestationId, inLineageOf — need the attestations). */
const ROLLUP_FIELDS = new Set(['chainId', 'schemaId', 'attester', 'attestTimestampGte', 'attestTimestampLte'])

/** A filter the rollups can answer, parsed: null fields are unconstrained; `empty` when nothing can match. */
export type RollupFilter = {
  chainId: number | null
  schemaId: bigint | null
  attester: string | null
  /** first and last UTC day (unix seconds of its 00:00), inclusive */
  dayGte: bigint | null
  dayLte: bigint | null
  empty: boolean
}

export type RollupTable = 'SchemaAttesterRollup' | 'SchemaDayRollup' | 'AttestationRollup' | 'RecipientRollup'

/**
 * The filter as the rollups read it, or null when only the attestations can answer it exactly: a field outside
 * `chainId`, `schemaId`, `attester`, `attestTimestampGte` / `attestTimestampLte`, or a time that is not a whole UTC
 * day (`Gte` at 00:00:00, `Lte` at 23:59:59).
 * @throws {BadUserInputError} when an id, address or timestamp does not parse
 */
export function toRollupFilter(where: AttestationFilter | null | undefined): RollupFilter | null {
  const filter: RollupFilter = { chainId: null, schemaId: null, attester: null, dayGte: null, dayLte: null, empty: false }
  if (!where) return filter
  for (const [name, value] of Object.entries(where)) if (value != null && !ROLLUP_FIELDS.has(name)) return null
  const chains = new Set<number>()
  if (where.chainId != null) chains.add(where.chainId)
  if (where.schemaId != null) {
    const { chainId, id } = parseIdFilter(assertFilterText(String(where.schemaId), 'schemaId'), 'schemaId')
    if (chainId != null) chains.add(chainId)
    if (isStorableUint64(id)) filter.schemaId = id
    else filter.empty = true
  }
  if (where.attester != null) filter.attester = parseAddress(assertFilterText(where.attester, 'attester'), 'attester')
  if (where.attestTimestampGte != null) {
    const gte = parseUint64(assertFilterText(where.attestTimestampGte, 'attestTimestampGte'), 'attestTimestampGte')
    if (!isStorableUint64(gte))
      filter.empty = true // every stored timestamp is below it
    else if (gte % SECONDS_PER_DAY !== 0n)
      return null // part of a day: only the attestations can tell
    else filter.dayGte = gte
  }
  if (where.attestTimestampLte != null) {
    const lte = parseUint64(assertFilterText(where.attestTimestampLte, 'attestTimestampLte'), 'attestTimestampLte')
    if (isStorableUint64(lte)) {
      if ((lte + 1n) % SECONDS_PER_DAY !== 0n) return null
      filter.dayLte = lte + 1n - SECONDS_PER_DAY
    } // else every stored timestamp is below it: no condition
  }
  if (chains.size > 1)
    filter.empty = true // two different chains: nothing matches both
  else if (chains.size === 1) filter.chainId = [...chains][0]!
  return filter
}

/** The smallest rollup holding every column the filter and the grouping use, or null (then: the attestations). */
export function chooseRollup(filter: RollupFilter, groupBy: StatsGroupBy): RollupTable | null {
  if (groupBy === 'RECIPIENT')
    return filter.schemaId == null && filter.attester == null && filter.dayGte == null && filter.dayLte == null ? 'RecipientRollup' : null
  const byDay = groupBy === 'DAY' || filter.dayGte != null || filter.dayLte != null
  const byAttester = groupBy === 'ATTESTER' || filter.attester != null
  if (byDay) return byAttester ? 'AttestationRollup' : 'SchemaDayRollup'
  return 'SchemaAttesterRollup'
}

/** Key columns `kc, ki, kt` of a grouping over a rollup (alias `r`). */
const ROLLUP_KEYS: Record<StatsGroupBy, Prisma.Sql> = {
  SCHEMA: Prisma.sql`r."chainId" AS kc, r."schemaId" AS ki, ''::text AS kt`,
  ATTESTER: Prisma.sql`0 AS kc, 0::bigint AS ki, r."attester" AS kt`,
  RECIPIENT: Prisma.sql`0 AS kc, 0::bigint AS ki, r."recipientKey" AS kt`,
  DAY: Prisma.sql`0 AS kc, r."day" AS ki, ''::text AS kt`,
  CHAIN: Prisma.sql`r."chainId" AS kc, 0::bigint AS ki, ''::text AS kt`,
}

/**
 * The groups from a rollup chosen by `chooseRollup` for this filter and grouping: `kc, ki, kt, count,
 * revokedCount, firstAt, lastAt`.
 */
export function buildRollupGroupsSql(groupBy: StatsGroupBy, filter: RollupFilter, table: RollupTable): Prisma.Sql {
  const conditions: Prisma.Sql[] = []
  if (filter.empty) conditions.push(Prisma.sql`FALSE`)
  if (filter.chainId != null) conditions.push(Prisma.sql`r."chainId" = ${filter.chainId}::int`)
  if (filter.schemaId != null) conditions.push(Prisma.sql`r."schemaId" = ${filter.schemaId.toString()}::bigint`)
  if (filter.attester != null) conditions.push(Prisma.sql`r."attester" = ${filter.attester}`)
  if (filter.dayGte != null) conditions.push(Prisma.sql`r."day" >= ${filter.dayGte.toString()}::bigint`)
  if (filter.dayLte != null) conditions.push(Prisma.sql`r."day" <= ${filter.dayLte.toString()}::bigint`)
  const where = conditions.length ? Prisma.join(conditions, ' AND ') : Prisma.sql`TRUE`
  return Prisma.sql`SELECT ${ROLLUP_KEYS[groupBy]}, sum(r."count")::bigint AS "count", sum(r."revokedCount")::bigint AS "revokedCount",
      min(r."firstAt") AS "firstAt", max(r."lastAt") AS "lastAt"
    FROM ${Prisma.raw(`"${table}"`)} r WHERE ${where} GROUP BY 1, 2, 3`
}
