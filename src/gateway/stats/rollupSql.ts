/**
 * The rollups of `attestationStats` and how a filter and a grouping pick one. Eight counter tables, each kept exact by
 * statement-level triggers in every writing transaction (migrations 20261202041916_attestation_rollup,
 * 20261207030000_coarser_rollups, 20261207060000_ordered_rollups and 20261207070000_attester_recipient_rollup), each
 * row `count, revokedCount, firstAt, lastAt` of a key (`AttesterRecipientRollup`: no times, see `hasGroupTimes`):
 *
 * | table                  | key                                   | answers                                            |
 * |------------------------|---------------------------------------|----------------------------------------------------|
 * | `RecipientTotalRollup` | recipient key (every chain)           | RECIPIENT without a filter                         |
 * | `SchemaRollup`         | chainId × schemaId                    | SCHEMA / CHAIN without an attester or a time       |
 * | `AttesterRollup`       | chainId × attester                    | ATTESTER / CHAIN without a schema or a time        |
 * | `RecipientRollup`      | chainId × recipient key               | RECIPIENT filtered by `chainId` only               |
 * | `AttesterRecipientRollup` | chainId × attester × recipient key | RECIPIENT of one attester on one chain (no times)  |
 * | `SchemaAttesterRollup` | chainId × schemaId × attester         | no time filter, schema and attester together       |
 * | `SchemaDayRollup`      | chainId × schemaId × UTC day          | DAY, or whole-day ranges, without an attester      |
 * | `AttestationRollup`    | chainId × schemaId × attester × day   | DAY or whole-day ranges with an attester           |
 *
 * The smallest table holding every column the filter and the grouping name is chosen (`chooseRollup`). When each of
 * its rows the filter selects is one group (`isRowPerGroup`: SCHEMA over `SchemaRollup`, ATTESTER of one chain over
 * `AttesterRollup` or of one schema over `SchemaAttesterRollup`, RECIPIENT over `RecipientTotalRollup` or, for one
 * chain, `RecipientRollup` or, for one attester, `AttesterRecipientRollup`), a page reads its rows in page order from an order index (`-count` after the fixed
 * columns, migration 20261207060000): `first` + 1 rows, whatever the number of groups. Otherwise the selected rows
 * are grouped and sorted: with the bench's data (1,000,000 attestations) 12,000 rows for every attester of every
 * schema, 18,000 for every schema-day, 4,000 attesters of both chains, against 551,008 rows of the finest one.
 */
import { Prisma } from '../../generated/prisma/client.js'
import { isStorableUint64, parseIdFilter, parseUint64 } from '../ids.js'
import { assertFilterText } from '../inputLimits.js'
import { type AttestationFilter, parseAddress } from '../types/attestationWhere.js'
import type { StatsPosition } from './statsCursor.js'
import { SECONDS_PER_DAY, type StatsGroupBy } from './statsGroup.js'

/**
 * Filter fields a rollup can answer (others — recipient, indexingKey, linkedAttestationId, inLineageOf — need the
 * attestations). `revoked` counts from `revokedCount` (true) or `count - revokedCount` (false); the groups'
 * firstAt / lastAt then come from the attestations, for the page's groups only (./attestationStatsSql.ts).
 */
const ROLLUP_FIELDS = new Set(['chainId', 'schemaId', 'attester', 'attestTimestampGte', 'attestTimestampLte', 'revoked'])

/** A filter the rollups can answer, parsed: null fields are unconstrained; `empty` when nothing can match. */
export type RollupFilter = {
  chainId: number | null
  schemaId: bigint | null
  attester: string | null
  /** first and last UTC day (unix seconds of its 00:00), inclusive */
  dayGte: bigint | null
  dayLte: bigint | null
  /** only revoked (true) or only unrevoked (false) attestations: counts derived from revokedCount, no firstAt / lastAt */
  revoked: boolean | null
  empty: boolean
}

export type RollupTable =
  | 'RecipientTotalRollup'
  | 'SchemaRollup'
  | 'AttesterRollup'
  | 'RecipientRollup'
  | 'AttesterRecipientRollup'
  | 'SchemaAttesterRollup'
  | 'SchemaDayRollup'
  | 'AttestationRollup'

/**
 * The filter as the rollups read it, or null when only the attestations can answer it exactly: a field outside
 * `chainId`, `schemaId`, `attester`, `attestTimestampGte` / `attestTimestampLte`, or a time that is not a whole UTC
 * day (`Gte` at 00:00:00, `Lte` at 23:59:59).
 * @throws {BadUserInputError} when an id, address or timestamp does not parse
 */
export function toRollupFilter(where: AttestationFilter | null | undefined): RollupFilter | null {
  const filter: RollupFilter = { chainId: null, schemaId: null, attester: null, dayGte: null, dayLte: null, revoked: null, empty: false }
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
  if (where.revoked != null) filter.revoked = where.revoked
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

/** A key column of the rollups. */
type RollupColumn = 'chainId' | 'schemaId' | 'attester' | 'day' | 'recipientKey'

/** Each rollup's key (its primary key): one row per distinct value of these columns. */
const ROLLUP_COLUMNS: Record<RollupTable, readonly RollupColumn[]> = {
  RecipientTotalRollup: ['recipientKey'],
  SchemaRollup: ['chainId', 'schemaId'],
  AttesterRollup: ['chainId', 'attester'],
  RecipientRollup: ['chainId', 'recipientKey'],
  AttesterRecipientRollup: ['chainId', 'attester', 'recipientKey'],
  SchemaAttesterRollup: ['chainId', 'schemaId', 'attester'],
  SchemaDayRollup: ['chainId', 'schemaId', 'day'],
  AttestationRollup: ['chainId', 'schemaId', 'attester', 'day'],
}

/** The rollups from the coarsest (fewest rows) to the finest: the first holding every needed column is chosen. */
const ROLLUPS = Object.keys(ROLLUP_COLUMNS) as RollupTable[]

/** The columns of a grouping's key. */
const GROUP_COLUMNS: Record<StatsGroupBy, readonly RollupColumn[]> = {
  SCHEMA: ['chainId', 'schemaId'],
  ATTESTER: ['attester'],
  RECIPIENT: ['recipientKey'],
  DAY: ['day'],
  CHAIN: ['chainId'],
}

/** The columns a filter fixes to one value (equalities). */
function fixedColumns(filter: RollupFilter): RollupColumn[] {
  return [
    ...(filter.chainId != null ? (['chainId'] as const) : []),
    ...(filter.schemaId != null ? (['schemaId'] as const) : []),
    ...(filter.attester != null ? (['attester'] as const) : []),
  ]
}

/**
 * The smallest rollup holding every column the filter and the grouping use (`ROLLUPS` order), or null (then: the
 * attestations): RECIPIENT with a schema, an attester or a time has none.
 */
export function chooseRollup(filter: RollupFilter, groupBy: StatsGroupBy): RollupTable | null {
  const needed = new Set<RollupColumn>([...fixedColumns(filter), ...GROUP_COLUMNS[groupBy]])
  if (filter.dayGte != null || filter.dayLte != null) needed.add('day')
  return ROLLUPS.find((table) => [...needed].every((column) => ROLLUP_COLUMNS[table].includes(column))) ?? null
}

/**
 * Whether each row of the table the filter selects is one group: every key column the filter does not fix is a
 * column of the grouping's key (e.g. ATTESTER of one chain over `AttesterRollup`, SCHEMA over `SchemaRollup`). Then
 * a page is the rows themselves in page order (`buildRollupRowsPageSql`), read from the table's order index where it
 * has one, instead of every selected row grouped and sorted (with `revoked`, a derived count: the selected rows are
 * sorted, not grouped).
 */
export function isRowPerGroup(table: RollupTable, filter: RollupFilter, groupBy: StatsGroupBy): boolean {
  const fixed = fixedColumns(filter)
  return ROLLUP_COLUMNS[table].every((column) => fixed.includes(column) || GROUP_COLUMNS[groupBy].includes(column))
}

/** Key columns `kc, ki, kt` of a grouping over a rollup (alias `r`). */
const ROLLUP_KEYS: Record<StatsGroupBy, Prisma.Sql> = {
  SCHEMA: Prisma.sql`r."chainId" AS kc, r."schemaId" AS ki, ''::text AS kt`,
  ATTESTER: Prisma.sql`0 AS kc, 0::bigint AS ki, r."attester" AS kt`,
  RECIPIENT: Prisma.sql`0 AS kc, 0::bigint AS ki, r."recipientKey" AS kt`,
  DAY: Prisma.sql`0 AS kc, r."day" AS ki, ''::text AS kt`,
  CHAIN: Prisma.sql`r."chainId" AS kc, 0::bigint AS ki, ''::text AS kt`,
}

/** The filter's conditions on a rollup (alias `r`). */
function rollupWhere(filter: RollupFilter): Prisma.Sql {
  const conditions: Prisma.Sql[] = []
  if (filter.empty) conditions.push(Prisma.sql`FALSE`)
  if (filter.chainId != null) conditions.push(Prisma.sql`r."chainId" = ${filter.chainId}::int`)
  if (filter.schemaId != null) conditions.push(Prisma.sql`r."schemaId" = ${filter.schemaId.toString()}::bigint`)
  if (filter.attester != null) conditions.push(Prisma.sql`r."attester" = ${filter.attester}`)
  if (filter.dayGte != null) conditions.push(Prisma.sql`r."day" >= ${filter.dayGte.toString()}::bigint`)
  if (filter.dayLte != null) conditions.push(Prisma.sql`r."day" <= ${filter.dayLte.toString()}::bigint`)
  return conditions.length ? Prisma.join(conditions, ' AND ') : Prisma.sql`TRUE`
}

/** Rollups without firstAt / lastAt (their groups' times are read for a page: `buildTimesOfPageSql`). */
const UNTIMED: ReadonlySet<RollupTable> = new Set(['AttesterRecipientRollup'])

/**
 * Whether the rollup's groups carry firstAt / lastAt for this filter: not with `revoked` (the times of the revoked or
 * unrevoked attestations alone are not kept) nor from an untimed rollup.
 */
export function hasGroupTimes(table: RollupTable, filter: RollupFilter): boolean {
  return filter.revoked == null && !UNTIMED.has(table)
}

/**
 * Whether the groups of a page can take their firstAt / lastAt from the attestations, each group an index range
 * that starts with the chain (`buildTimesOfPageSql`): SCHEMA and CHAIN (the chain is in the key), ATTESTER, DAY and
 * RECIPIENT of one chain. Else (an attester, a day or a recipient over every chain) the attestations answer the whole
 * filter when the rollup does not carry the times (`hasGroupTimes`).
 */
export function canTimeGroups(filter: RollupFilter, groupBy: StatsGroupBy): boolean {
  return groupBy === 'SCHEMA' || groupBy === 'CHAIN' || filter.chainId != null
}

/**
 * The groups from a rollup chosen by `chooseRollup` for this filter and grouping: `kc, ki, kt, count,
 * revokedCount, firstAt, lastAt`. With `revoked`, the counts are those of the revoked (or unrevoked) attestations,
 * groups without any are left out, and firstAt / lastAt are null (`buildTimesOfPageSql` reads them).
 */
export function buildRollupGroupsSql(groupBy: StatsGroupBy, filter: RollupFilter, table: RollupTable): Prisma.Sql {
  const times = UNTIMED.has(table)
    ? Prisma.sql`NULL::bigint AS "firstAt", NULL::bigint AS "lastAt"`
    : Prisma.sql`min(r."firstAt") AS "firstAt", max(r."lastAt") AS "lastAt"`
  const from = Prisma.sql`FROM ${Prisma.raw(`"${table}"`)} r WHERE ${rollupWhere(filter)} GROUP BY 1, 2, 3`
  if (filter.revoked === true)
    return Prisma.sql`SELECT ${ROLLUP_KEYS[groupBy]}, sum(r."revokedCount")::bigint AS "count", sum(r."revokedCount")::bigint AS "revokedCount",
        NULL::bigint AS "firstAt", NULL::bigint AS "lastAt" ${from} HAVING sum(r."revokedCount") > 0`
  if (filter.revoked === false)
    return Prisma.sql`SELECT ${ROLLUP_KEYS[groupBy]}, sum(r."count" - r."revokedCount")::bigint AS "count", 0::bigint AS "revokedCount",
        NULL::bigint AS "firstAt", NULL::bigint AS "lastAt" ${from} HAVING sum(r."count" - r."revokedCount") > 0`
  return Prisma.sql`SELECT ${ROLLUP_KEYS[groupBy]}, sum(r."count")::bigint AS "count", sum(r."revokedCount")::bigint AS "revokedCount",
      ${times} ${from}`
}

/**
 * A row's count and revokedCount under the filter's `revoked`: as kept, or those of its revoked attestations
 * (revokedCount, revokedCount), or of its unrevoked ones (count - revokedCount, 0). A row with a count of 0 is no group.
 */
function rowCounts(filter: RollupFilter): { count: Prisma.Sql; revokedCount: Prisma.Sql } {
  if (filter.revoked === true) return { count: Prisma.sql`r."revokedCount"`, revokedCount: Prisma.sql`r."revokedCount"` }
  if (filter.revoked === false) return { count: Prisma.sql`(r."count" - r."revokedCount")`, revokedCount: Prisma.sql`0::bigint` }
  return { count: Prisma.sql`r."count"`, revokedCount: Prisma.sql`r."revokedCount"` }
}

/** The number of groups when `isRowPerGroup`: the rows the filter selects (with a count above 0). */
export function buildRollupRowsCountSql(filter: RollupFilter, table: RollupTable): Prisma.Sql {
  return Prisma.sql`SELECT count(*)::int AS n FROM ${Prisma.raw(`"${table}"`)} r WHERE ${rollupWhere(filter)} AND ${rowCounts(filter).count} > 0`
}

/** A rollup key column in the page order, and the part of a cursor position it compares with. */
const ORDER_COLUMNS: Record<RollupColumn, { sql: Prisma.Sql; position: (p: StatsPosition) => Prisma.Sql }> = {
  chainId: { sql: Prisma.raw('r."chainId"'), position: (p) => Prisma.sql`${p.chainId}::int` },
  schemaId: { sql: Prisma.raw('r."schemaId"'), position: (p) => Prisma.sql`${p.id.toString()}::bigint` },
  day: { sql: Prisma.raw('r."day"'), position: (p) => Prisma.sql`${p.id.toString()}::bigint` },
  attester: { sql: Prisma.raw('r."attester" COLLATE "C"'), position: (p) => Prisma.sql`${p.text}::text COLLATE "C"` },
  recipientKey: { sql: Prisma.raw('r."recipientKey" COLLATE "C"'), position: (p) => Prisma.sql`${p.text}::text COLLATE "C"` },
}

/**
 * A page of groups when `isRowPerGroup`: the rows in the order `count DESC`, then the key columns the filter does not
 * fix (`kc, ki, kt` order, text in byte order), cut by one row comparison `(-count, key…) > / < cursor` and `LIMIT`:
 * the order indexes of migration 20261207060000 (`-count` after the fixed columns) serve it as an index range, so a
 * page reads `take` rows whatever the number of groups. Same columns and order as `buildStatsPageSql` over
 * `buildRollupGroupsSql` (the fixed columns are the same on every row), for the cursors it makes.
 */
export function buildRollupRowsPageSql(
  groupBy: StatsGroupBy,
  filter: RollupFilter,
  table: RollupTable,
  page: { after: StatsPosition | null; before: StatsPosition | null; backward: boolean; take: number },
): Prisma.Sql {
  const fixed = fixedColumns(filter)
  const free = ROLLUP_COLUMNS[table].filter((column) => !fixed.includes(column)).map((column) => ORDER_COLUMNS[column])
  const counts = rowCounts(filter)
  const columns = Prisma.sql`(${Prisma.join([Prisma.sql`-${counts.count}`, ...free.map((c) => c.sql)], ', ')})`
  const position = (p: StatsPosition) => Prisma.sql`(${Prisma.join([Prisma.sql`${-p.count}::bigint`, ...free.map((c) => c.position(p))], ', ')})`
  const conditions = [rollupWhere(filter)]
  if (filter.revoked != null) conditions.push(Prisma.sql`${counts.count} > 0`)
  if (page.after) conditions.push(Prisma.sql`${columns} > ${position(page.after)}`)
  if (page.before) conditions.push(Prisma.sql`${columns} < ${position(page.before)}`)
  const dir = Prisma.raw(page.backward ? 'DESC' : 'ASC')
  const order = [Prisma.sql`-${counts.count} ${dir}`, ...free.map((c) => Prisma.sql`${c.sql} ${dir}`)]
  // with revoked the rollup's times are those of every attestation of the key: the caller reads the page's
  const times = hasGroupTimes(table, filter) ? Prisma.sql`r."firstAt", r."lastAt"` : Prisma.sql`NULL::bigint AS "firstAt", NULL::bigint AS "lastAt"`
  return Prisma.sql`SELECT ${ROLLUP_KEYS[groupBy]}, ${counts.count}::bigint AS "count", ${counts.revokedCount}::bigint AS "revokedCount", ${times}
    FROM ${Prisma.raw(`"${table}"`)} r WHERE ${Prisma.join(conditions, ' AND ')}
    ORDER BY ${Prisma.join(order, ', ')} LIMIT ${page.take}`
}

/**
 * A filter the rollups could answer but for a time bound inside a UTC day, split into the whole days in between
 * (a filter `toRollupFilter` accepts) and the part days at its ends (one or two filters of at most a day each, for the
 * attestations: an index range on attestTimestamp). "The last 7 days" at any hour is such a filter: grouped from
 * the whole days' rollup rows plus at most two days of attestations, instead of every attestation of the range.
 * The three filters select disjoint attestations whose union is the filter's. Null when there is nothing to split:
 * a field no rollup holds, bounds on whole days already, a bound that does not parse (the caller's path reports it)
 * or no whole day between the bounds.
 */
export function splitPartDays(where: AttestationFilter | null | undefined): { whole: AttestationFilter; partDays: AttestationFilter[] } | null {
  if (!where) return null
  for (const [name, value] of Object.entries(where)) if (value != null && !ROLLUP_FIELDS.has(name)) return null
  /** the bound, null when absent or above every stored timestamp, undefined when it does not parse */
  const bound = (text: string | null | undefined): bigint | null | undefined => {
    if (text == null) return null
    try {
      const value = parseUint64(text, 'attestTimestamp')
      return isStorableUint64(value) ? value : null
    } catch {
      return undefined
    }
  }
  const lower = bound(where.attestTimestampGte)
  const upper = bound(where.attestTimestampLte)
  if (lower === undefined || upper === undefined) return null
  if (lower == null && where.attestTimestampGte != null) return null // above every stored timestamp: nothing matches
  const day = SECONDS_PER_DAY
  const lowerPart = lower != null && lower % day !== 0n
  const upperPart = upper != null && (upper + 1n) % day !== 0n
  if (!lowerPart && !upperPart) return null
  const wholeFrom = lower == null ? null : lower + ((day - (lower % day)) % day) // the first 00:00 at or after the bound
  const wholeTo = upper == null ? null : upper + 1n - ((upper + 1n) % day) // the last 00:00 at or before upper + 1 (exclusive end)
  if (wholeTo != null && wholeTo <= 0n) return null // the range ends within the first day of the epoch: no whole day
  if (wholeFrom != null && wholeTo != null && wholeFrom >= wholeTo) return null // no whole day in between
  const partDays: AttestationFilter[] = []
  if (lowerPart) partDays.push({ ...where, attestTimestampGte: lower!.toString(), attestTimestampLte: (wholeFrom! - 1n).toString() })
  if (upperPart) partDays.push({ ...where, attestTimestampGte: wholeTo!.toString(), attestTimestampLte: upper!.toString() })
  const whole: AttestationFilter = {
    ...where,
    attestTimestampGte: wholeFrom == null ? null : wholeFrom.toString(),
    attestTimestampLte: wholeTo == null ? null : (wholeTo - 1n).toString(),
  }
  return { whole, partDays }
}
