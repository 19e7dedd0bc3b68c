/**
 * The SQL of `schemaStats`: one group per indexed schema matching a `SchemaWhere` (a schema without attestations
 * too: count 0), with its attestations' counts and unique attesters from `SchemaAttesterRollup` (one row per
 * attester of the schema that has attestations: the rows are the unique attesters), and — only when selected, for the
 * schemas of the page — its unique recipients from `SchemaRollup.uniqueRecipients`.
 */
import { Prisma } from '../../generated/prisma/client.js'
import { parseAddress } from '../types/attestationWhere.js'
import { assertFilterText } from '../inputLimits.js'

export type SchemaStatsWhere = { chainId?: number | null; registrant?: string | null }

/**
 * The groups: `kc` = chainId, `ki` = schemaId, `kt` = '', the counts, `firstAt` / `lastAt` (null without
 * attestations) and `uniqueAttesters`.
 * @throws {BadUserInputError} when `registrant` is not an address
 */
export function buildSchemaGroupsSql(where: SchemaStatsWhere | null | undefined): Prisma.Sql {
  const conditions: Prisma.Sql[] = []
  if (where?.chainId != null) conditions.push(Prisma.sql`s."chainId" = ${where.chainId}::int`)
  if (where?.registrant != null) conditions.push(Prisma.sql`s."registrant" = ${parseAddress(assertFilterText(where.registrant, 'registrant'), 'registrant')}`)
  return Prisma.sql`SELECT s."chainId" AS kc, s."schemaId" AS ki, ''::text AS kt,
      COALESCE(sum(r."count"), 0)::bigint AS "count", COALESCE(sum(r."revokedCount"), 0)::bigint AS "revokedCount",
      min(r."firstAt") AS "firstAt", max(r."lastAt") AS "lastAt", count(r."attester")::int AS "uniqueAttesters"
    FROM "Schema" s LEFT JOIN "SchemaAttesterRollup" r ON r."chainId" = s."chainId" AND r."schemaId" = s."schemaId"
    WHERE ${conditions.length ? Prisma.join(conditions, ' AND ') : Prisma.sql`TRUE`}
    GROUP BY s."chainId", s."schemaId"`
}

/**
 * Unique recipients (keyed as `attestationStats(groupBy: RECIPIENT)` keys them) of each given schema:
 * `SchemaRollup.uniqueRecipients`, counted by the triggers as the schema's `SchemaRecipientRollup` rows (one per
 * distinct key among its attestations) come and go (migration 20261207060000): one row per schema, whatever its
 * recipients.
 * @returns rows `{ chainId, schemaId, n }`; a schema without attestations has no row
 */
export function buildUniqueRecipientsSql(schemas: readonly { chainId: number; schemaId: bigint }[]): Prisma.Sql {
  const pairs = Prisma.join(
    schemas.map((s) => Prisma.sql`(${s.chainId}::int, ${s.schemaId.toString()}::bigint)`),
    ', ',
  )
  return Prisma.sql`SELECT r."chainId", r."schemaId", r."uniqueRecipients"::int AS n
    FROM "SchemaRollup" r
    WHERE (r."chainId", r."schemaId") IN (${pairs})`
}
