/**
 * The SQL of `attestationStats`: the groups of the attestations an `AttestationWhere` selects, from one of two
 * sources, and the page of them (`buildStatsPageSql`).
 *
 * - **Rollups** (./rollupSql.ts: four counter tables kept by triggers in every writing transaction): answer every
 *   grouping exactly when the filter only uses `chainId`, `schemaId`, `attester` and `attestTimestampGte` /
 *   `attestTimestampLte` on whole UTC days (RECIPIENT: only `chainId`). Their cost grows with the rollup rows the
 *   filter selects, not with attestations.
 * - **Direct**: a GROUP BY over "Attestation" (and "Recipient" for RECIPIENT) with the conditions of
 *   `toAttestationConditions` — the same function, hence the same rows, as the `attestations` list — for every
 *   other grouping or filter. Its cost grows with the matching attestations; the gateway's deadline (and on
 *   PostgreSQL its pool's `statement_timeout`) bounds it.
 */
import { Prisma } from '../../generated/prisma/client.js'
import { type AttestationConditions, filteredAttestationsSql, recipientRowsSql, recipientSpellingsOn } from '../attestationPage.js'
import type { StatsPosition } from './statsCursor.js'
import type { StatsGroupBy } from './statsGroup.js'

/**
 * A recipient as one key: a lower-case address when it is one (decoded from `abi.encode(address)`, or a string that
 * is an address — the `recipient` filter matches both alike), else its text, else its raw bytes (`md5:` and their MD5
 * past 2,000 bytes: the key is a btree entry). It is the generated column "Recipient"."recipientKey" (SQL function
 * `recipient_key`, migration 20261207030000), the same key `RecipientRollup` counts by. Alias `rr`: a Recipient row.
 */
export const RECIPIENT_KEY_SQL = Prisma.sql`rr."recipientKey"`

/** Key columns of a grouping over "Attestation" (alias `a`). */
const DIRECT_KEYS: Record<Exclude<StatsGroupBy, 'RECIPIENT'>, Prisma.Sql> = {
  SCHEMA: Prisma.sql`a."chainId" AS kc, a."schemaId" AS ki, ''::text AS kt`,
  ATTESTER: Prisma.sql`0 AS kc, 0::bigint AS ki, a."attester" AS kt`,
  DAY: Prisma.sql`0 AS kc, a."attestTimestamp" - a."attestTimestamp" % 86400 AS ki, ''::text AS kt`,
  CHAIN: Prisma.sql`a."chainId" AS kc, 0::bigint AS ki, ''::text AS kt`,
}

/** The conditions of `toAttestationConditions` on one row `a`, its chains and its recipient spellings included. */
function directWhere(conditions: AttestationConditions): Prisma.Sql {
  const where = [...conditions.where]
  if (conditions.chainIds) where.push(conditions.chainIds.length === 1 ? Prisma.sql`a."chainId" = ${conditions.chainIds[0]!}::int` : Prisma.sql`FALSE`)
  if (conditions.recipient) {
    const matches = recipientSpellingsOn('m', conditions.recipient)
    where.push(Prisma.sql`EXISTS (SELECT 1 FROM "Recipient" m WHERE m."chainId" = a."chainId" AND m."attestationId" = a."attestationId"
      AND (${matches.length ? Prisma.join(matches, ' OR ') : Prisma.sql`FALSE`}))`)
  }
  return where.length ? Prisma.join(where, ' AND ') : Prisma.sql`TRUE`
}

/** The groups straight from the attestations (and their recipients for RECIPIENT): same columns as the rollup's. */
export function buildDirectGroupsSql(groupBy: StatsGroupBy, conditions: AttestationConditions): Prisma.Sql {
  const from = filteredAttestationsSql(conditions)
  if (groupBy === 'RECIPIENT') {
    // an attestation naming one recipient twice counts once for it
    return Prisma.sql`SELECT 0 AS kc, 0::bigint AS ki, x.rk AS kt, count(*) AS "count", count(*) FILTER (WHERE x."revoked") AS "revokedCount",
        min(x."attestTimestamp") AS "firstAt", max(x."attestTimestamp") AS "lastAt"
      FROM (SELECT DISTINCT a."chainId", a."attestationId", a."revoked", a."attestTimestamp", ${RECIPIENT_KEY_SQL} AS rk
        FROM ${from} JOIN "Recipient" rr ON rr."chainId" = a."chainId" AND rr."attestationId" = a."attestationId") x
      GROUP BY x.rk`
  }
  return Prisma.sql`SELECT ${DIRECT_KEYS[groupBy]}, count(*) AS "count", count(*) FILTER (WHERE a."revoked") AS "revokedCount",
      min(a."attestTimestamp") AS "firstAt", max(a."attestTimestamp") AS "lastAt"
    FROM ${from} GROUP BY 1, 2, 3`
}

/**
 * The groups of several groups queries over disjoint attestations (a rollup's whole days and the part days at the
 * ends of a time range, `splitPartDays`) as one: counts summed, firstAt the least, lastAt the greatest (nulls — a
 * rollup's with `revoked` — ignored; those times are then read per page group).
 */
export function buildMergedGroupsSql(parts: Prisma.Sql[]): Prisma.Sql {
  return Prisma.sql`SELECT u.kc, u.ki, u.kt, sum(u."count")::bigint AS "count", sum(u."revokedCount")::bigint AS "revokedCount",
      min(u."firstAt") AS "firstAt", max(u."lastAt") AS "lastAt"
    FROM (${Prisma.join(parts, ' UNION ALL ')}) u GROUP BY u.kc, u.ki, u.kt`
}

/**
 * DAY or CHAIN groups of the attestations naming a recipient (with at most `chainId` and a time range besides): from
 * the recipient's Recipient rows alone (`recipientRowsSql`: the index holds the chain and the copy of attestTimestamp
 * that give the key and the times), each attestation counted once; revokedCount by joining the chain's revoked
 * attestations within the recipient's time span, an index-only range of (chainId, revoked, attestTimestamp,
 * attestationId). No attestation row is read: `buildDirectGroupsSql` read every attestation of the recipient by
 * primary key (13,334 at 1,000,000 rows: ~100 ms), and a probe per row for its revoked flag chose the timestamp index
 * and its heap rows (~140 ms); this ~25 ms. Its cost grows with the recipient's rows and the revoked attestations of
 * its chains within its time span.
 * @returns null when no spelling of the recipient can match (the caller's general path says so)
 */
export function buildRecipientRowGroupsSql(groupBy: 'DAY' | 'CHAIN', conditions: AttestationConditions): Prisma.Sql | null {
  const rows = conditions.recipient && recipientRowsSql(conditions.recipient, conditions)
  if (!rows) return null
  const key =
    groupBy === 'DAY' ? Prisma.sql`0 AS kc, rm.ts - rm.ts % 86400 AS ki, ''::text AS kt` : Prisma.sql`rm."chainId" AS kc, 0::bigint AS ki, ''::text AS kt`
  return Prisma.sql`WITH rm AS MATERIALIZED (SELECT * FROM ${rows}),
    rv AS (SELECT v."chainId", v."attestationId" FROM (SELECT r."chainId", min(r.ts) AS lo, max(r.ts) AS hi FROM rm r GROUP BY 1) b
      CROSS JOIN LATERAL (SELECT v."chainId", v."attestationId" FROM "Attestation" v
        WHERE v."chainId" = b."chainId" AND v."revoked" AND v."attestTimestamp" BETWEEN b.lo AND b.hi OFFSET 0) v)
    SELECT ${key}, count(*) AS "count", count(rv."attestationId") AS "revokedCount", min(rm.ts) AS "firstAt", max(rm.ts) AS "lastAt"
    FROM rm LEFT JOIN rv ON rv."chainId" = rm."chainId" AND rv."attestationId" = rm."attestationId" GROUP BY 1, 2, 3`
}

export type StatsPageSqlInput = {
  /** a groups query (columns `kc, ki, kt, count, revokedCount, firstAt, lastAt`) */
  groups: Prisma.Sql
  after: StatsPosition | null
  before: StatsPosition | null
  /** read from the end of the order (a `last` / `before` page) */
  backward: boolean
  take: number
}

/**
 * A page of groups in the order `count DESC, kc, ki, kt COLLATE "C"` (in reverse when `backward`): every group is
 * computed, then the keyset condition and `LIMIT take` cut the page.
 */
export function buildStatsPageSql(input: StatsPageSqlInput): Prisma.Sql {
  const columns = Prisma.sql`(-g."count", g.kc, g.ki, g.kt COLLATE "C")`
  const position = (p: StatsPosition) => Prisma.sql`(${-p.count}::bigint, ${p.chainId}::int, ${p.id.toString()}::bigint, ${p.text}::text COLLATE "C")`
  const keyset: Prisma.Sql[] = []
  if (input.after) keyset.push(Prisma.sql`${columns} > ${position(input.after)}`)
  if (input.before) keyset.push(Prisma.sql`${columns} < ${position(input.before)}`)
  const dir = Prisma.raw(input.backward ? 'DESC' : 'ASC')
  return Prisma.sql`SELECT g.* FROM (${input.groups}) g
    WHERE ${keyset.length ? Prisma.join(keyset, ' AND ') : Prisma.sql`TRUE`}
    ORDER BY -g."count" ${dir}, g.kc ${dir}, g.ki ${dir}, g.kt COLLATE "C" ${dir} LIMIT ${input.take}`
}

/** The number of groups. */
export function buildStatsCountSql(groups: Prisma.Sql): Prisma.Sql {
  return Prisma.sql`SELECT count(*)::int AS n FROM (${groups}) g`
}

/** A group of `p` (a page row) as conditions on "Attestation" `a` (the chain comes with the key or the filter). */
const GROUP_MATCH: Record<Exclude<StatsGroupBy, 'RECIPIENT'>, Prisma.Sql> = {
  SCHEMA: Prisma.sql`a."chainId" = p.kc AND a."schemaId" = p.ki`,
  CHAIN: Prisma.sql`a."chainId" = p.kc`,
  ATTESTER: Prisma.sql`a."attester" = p.kt`,
  DAY: Prisma.sql`a."attestTimestamp" >= p.ki AND a."attestTimestamp" < p.ki + 86400`,
}

/**
 * A page of groups whose firstAt / lastAt a rollup does not hold (a `revoked` filter, `AttesterRecipientRollup`) with
 * each group's firstAt / lastAt read from the attestations the filter selects in that group, per page row: the
 * earliest and the latest by an index range starting with the chain — (chainId, schemaId | attester | revoked,
 * attestTimestamp) read until the first match, for RECIPIENT the key's Recipient rows (chainId, recipientKey,
 * attestTimestamp) each checked on its attestation by primary key — a scalar subquery, which PostgreSQL runs per row:
 * written as EXISTS it may become a semi-join that reads every attestation the filter selects for each group of the
 * page (a fresh-clone CI run's plan read the chain's 587 revoked attestations per group). The chain is the key's, or
 * the filter's one chain (`canTimeGroups`). Same order as the page.
 */
export function buildTimesOfPageSql(groupBy: StatsGroupBy, conditions: AttestationConditions, page: Prisma.Sql, backward: boolean): Prisma.Sql {
  const dir = Prisma.raw(backward ? 'DESC' : 'ASC')
  const times =
    groupBy === 'RECIPIENT'
      ? Prisma.sql`SELECT min(rr."attestTimestamp") AS lo, max(rr."attestTimestamp") AS hi FROM "Recipient" rr
          WHERE rr."chainId" = ${conditions.chainIds?.length === 1 ? conditions.chainIds[0]! : -1}::int AND rr."recipientKey" = p.kt
            AND (SELECT ${directWhere(conditions)} FROM "Attestation" a WHERE a."chainId" = rr."chainId" AND a."attestationId" = rr."attestationId")`
      : Prisma.sql`SELECT min(a."attestTimestamp") AS lo, max(a."attestTimestamp") AS hi FROM "Attestation" a
          WHERE ${directWhere(conditions)} AND ${GROUP_MATCH[groupBy]}`
  return Prisma.sql`SELECT p.kc, p.ki, p.kt, p."count", p."revokedCount", t.lo AS "firstAt", t.hi AS "lastAt"
    FROM (${page}) p CROSS JOIN LATERAL (${times}) t
    ORDER BY -p."count" ${dir}, p.kc ${dir}, p.ki ${dir}, p.kt COLLATE "C" ${dir}`
}
