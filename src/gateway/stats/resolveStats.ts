/**
 * Resolvers of `attestationStats` and `schemaStats`: Relay connections over groups in the order
 * `count DESC, key` (./statsGroup.ts), paged by keyset cursors (./statsCursor.ts) and capped like every page
 * (`toPageRequest`: `first` / `last` at most the page cap; `totalCount` — the number of groups — runs only when
 * selected).
 */
import type { GatewayContext } from '../builder.js'
import { toAttestationConditions } from '../attestationPage.js'
import { type ConnectionArgs, type KeysetConnection, toKeysetConnection, toPageRequest } from '../keyset.js'
import { type AttestationFilter, getLineageOf } from '../types/attestationWhere.js'
import {
  buildDirectGroupsSql,
  buildMergedGroupsSql,
  buildRecipientRowGroupsSql,
  buildStatsCountSql,
  buildStatsPageSql,
  buildTimesOfPageSql,
  type StatsPageSqlInput,
} from './attestationStatsSql.js'
import {
  buildRollupGroupsSql,
  buildRollupRowsCountSql,
  buildRollupRowsPageSql,
  canTimeGroups,
  chooseRollup,
  hasGroupTimes,
  isRowPerGroup,
  type RollupTable,
  splitPartDays,
  toRollupFilter,
} from './rollupSql.js'
import { buildSchemaGroupsSql, buildUniqueRecipientsSql, type SchemaStatsWhere } from './schemaStatsSql.js'
import { formatStatsCursor, parseStatsCursor } from './statsCursor.js'
import { type StatsGroup, type StatsGroupBy, type StatsGroupRow, toStatsGroup } from './statsGroup.js'
import type { Prisma } from '../../generated/prisma/client.js'

/** A schema's group, with its unique attesters and (read for the whole page at once, when selected) recipients. */
export type SchemaStatsGroup = StatsGroup & { uniqueAttesters: number; uniqueRecipients: () => Promise<number> }

/** What a page of groups reads: its rows (page arguments → SQL) and the number of groups. */
export type StatsSource = {
  /** the rollup read, or 'direct' (the attestations) */
  source: RollupTable | 'direct'
  /** part days read from the attestations next to the rollup's whole days (`splitPartDays`), 0 when none */
  partDays: number
  page: (page: Omit<StatsPageSqlInput, 'groups'>) => Prisma.Sql
  count: Prisma.Sql
}

/**
 * The source of `attestationStats` for a filter and a grouping: the smallest rollup that answers the filter
 * exactly (./rollupSql.ts) — its rows in page order when each row is a group; with `revoked`, counts from
 * revokedCount; when the rollup lacks the groups' firstAt / lastAt, those of the page's groups from the attestations
 * —, else the attestations themselves (see ./attestationStatsSql.ts).
 * @throws {BadUserInputError} when the filter does not parse
 * @throws {LineageTooLargeError} for an `inLineageOf` beyond the walk's cap
 */
export async function buildAttestationStatsSource(
  ctx: GatewayContext,
  where: AttestationFilter | null | undefined,
  groupBy: StatsGroupBy,
): Promise<StatsSource> {
  const filter = toRollupFilter(where)
  const table = filter && chooseRollup(filter, groupBy)
  // a rollup without the groups' times answers when the page's groups can be timed from the attestations
  if (filter && table && (hasGroupTimes(table, filter) || canTimeGroups(filter, groupBy))) {
    const conditions = hasGroupTimes(table, filter) ? null : toAttestationConditions(where, null)
    const timed = (page: Prisma.Sql, backward: boolean) => (conditions ? buildTimesOfPageSql(groupBy, conditions, page, backward) : page)
    if (isRowPerGroup(table, filter, groupBy)) {
      return {
        source: table,
        partDays: 0,
        page: (page) => timed(buildRollupRowsPageSql(groupBy, filter, table, page), page.backward),
        count: buildRollupRowsCountSql(filter, table),
      }
    }
    const groups = buildRollupGroupsSql(groupBy, filter, table)
    return { source: table, partDays: 0, page: (page) => timed(buildStatsPageSql({ ...page, groups }), page.backward), count: buildStatsCountSql(groups) }
  }
  // a time bound inside a day: the whole days from a rollup, the part days at the ends from the attestations
  const split = splitPartDays(where)
  const whole = split && toRollupFilter(split.whole)
  const wholeTable = whole && chooseRollup(whole, groupBy)
  if (split && whole && wholeTable && (hasGroupTimes(wholeTable, whole) || canTimeGroups(whole, groupBy))) {
    const conditions = hasGroupTimes(wholeTable, whole) ? null : toAttestationConditions(where, null)
    const groups = buildMergedGroupsSql([
      buildRollupGroupsSql(groupBy, whole, wholeTable),
      ...split.partDays.map((part) => buildDirectGroupsSql(groupBy, toAttestationConditions(part, null))),
    ])
    return {
      source: wholeTable,
      partDays: split.partDays.length,
      page: (page) => {
        const sql = buildStatsPageSql({ ...page, groups })
        return conditions ? buildTimesOfPageSql(groupBy, conditions, sql, page.backward) : sql
      },
      count: buildStatsCountSql(groups),
    }
  }
  // a recipient alone (with a chain or a time range): DAY and CHAIN from the recipient's Recipient rows
  if (where && (groupBy === 'DAY' || groupBy === 'CHAIN') && isRecipientOnly(where)) {
    const conditions = toAttestationConditions(where, null)
    const groups = where.attestTimestampGte == null || conditions.attestTimestampGte != null ? buildRecipientRowGroupsSql(groupBy, conditions) : null
    if (groups) return groupsSource('direct', groups)
  }
  const lineage = where?.inLineageOf != null ? await getLineageOf(ctx, where.inLineageOf) : null
  return groupsSource('direct', buildDirectGroupsSql(groupBy, toAttestationConditions(where, lineage)))
}

/** Filter fields the recipient's Recipient rows answer alone: the recipient, its chain, a time range. */
const RECIPIENT_ROW_FIELDS = new Set(['recipient', 'chainId', 'attestTimestampGte', 'attestTimestampLte'])
const isRecipientOnly = (where: AttestationFilter) =>
  where.recipient != null && Object.entries(where).every(([name, value]) => value == null || RECIPIENT_ROW_FIELDS.has(name))

/** Every group computed by a groups query, then sorted and cut (`buildStatsPageSql`). */
function groupsSource(source: RollupTable | 'direct', groups: Prisma.Sql): StatsSource {
  return { source, partDays: 0, page: (page) => buildStatsPageSql({ ...page, groups }), count: buildStatsCountSql(groups) }
}

async function pageOf<G extends StatsGroup>(
  ctx: GatewayContext,
  args: ConnectionArgs,
  tag: string,
  source: Pick<StatsSource, 'page' | 'count'>,
  toGroup: (row: StatsGroupRow & Record<string, unknown>) => G,
): Promise<KeysetConnection<G>> {
  const request = toPageRequest(args, ctx)
  const after = args.after != null ? parseStatsCursor(args.after, tag, 'after') : null
  const before = args.before != null ? parseStatsCursor(args.before, tag, 'before') : null
  const totalCount = async () => (await ctx.prisma.$queryRaw<{ n: number }[]>(source.count))[0]!.n
  if (request.size === 0) return toKeysetConnection([], request, args, () => '', totalCount)
  const rows = await ctx.prisma.$queryRaw<(StatsGroupRow & Record<string, unknown>)[]>(
    source.page({ after, before, backward: request.backward, take: request.size + 1 }),
  )
  return toKeysetConnection(rows.map(toGroup), request, args, (g) => formatStatsCursor(tag, g), totalCount)
}

/**
 * Resolves `attestationStats(where, groupBy, first, after, last, before)`.
 * @throws {BadUserInputError} for bad page arguments, a cursor of another list or grouping, or a filter that does not parse
 */
export async function resolveAttestationStats(
  args: ConnectionArgs & { where?: AttestationFilter | null; groupBy: StatsGroupBy },
  ctx: GatewayContext,
): Promise<KeysetConnection<StatsGroup>> {
  toPageRequest(args, ctx) // page arguments first: a bad page is refused before any filter work
  const source = await buildAttestationStatsSource(ctx, args.where, args.groupBy)
  return pageOf(ctx, args, `attestationStats:${args.groupBy}`, source, (row) => toStatsGroup(args.groupBy, row))
}

/**
 * Resolves `schemaStats(where, first, after, last, before)`.
 * @throws {BadUserInputError} for bad page arguments, a cursor of another list, or a registrant that is not an address
 */
export async function resolveSchemaStats(
  args: ConnectionArgs & { where?: SchemaStatsWhere | null },
  ctx: GatewayContext,
): Promise<KeysetConnection<SchemaStatsGroup>> {
  toPageRequest(args, ctx)
  const page: SchemaStatsGroup[] = []
  let recipients: Promise<Map<string, number>> | undefined
  const uniqueRecipients = (group: StatsGroup) => async () => {
    recipients ??= (async () => {
      const rows = page.length
        ? await ctx.prisma.$queryRaw<{ chainId: number; schemaId: bigint; n: number }[]>(
            buildUniqueRecipientsSql(page.map((g) => ({ chainId: g.chainId, schemaId: g.id }))),
          )
        : []
      return new Map(rows.map((r) => [`${r.chainId}:${BigInt(r.schemaId)}`, Number(r.n)]))
    })()
    return (await recipients).get(`${group.chainId}:${group.id}`) ?? 0
  }
  const groups = buildSchemaGroupsSql(args.where)
  const connection = await pageOf(ctx, args, 'schemaStats', groupsSource('SchemaAttesterRollup', groups), (row) => {
    const group = toStatsGroup('SCHEMA', row)
    return { ...group, uniqueAttesters: Number(row.uniqueAttesters), uniqueRecipients: uniqueRecipients(group) }
  })
  page.push(...connection.edges.map((e) => e.node))
  return connection
}
