/**
 * Explorer statistics: `attestationStats` (attestations grouped by schema, attester, recipient, UTC day or chain,
 * under the same `AttestationWhere` as `attestations`) and `schemaStats` (per schema, with unique attesters and
 * recipients). Both are Relay connections ordered by count (descending), ties by key; pages are capped and cost
 * like every connection (complexity.ts). How the groups are computed: ../stats/attestationStatsSql.ts.
 */
import { builder } from '../builder.js'
import type { KeysetConnection } from '../keyset.js'
import { type SchemaStatsGroup, resolveAttestationStats, resolveSchemaStats } from '../stats/resolveStats.js'
import { type StatsGroup, toDateOrNull, toStatsKey } from '../stats/statsGroup.js'
import { AttestationWhere } from './attestationWhere.js'
import { Schema, SchemaWhere } from './schema.js'
import { toFullId } from '../ids.js'

export const AttestationStatsGroupBy = builder.enumType('AttestationStatsGroupBy', {
  description: 'How attestationStats groups attestations; the key of each group is described on AttestationStatsGroup.key',
  values: {
    SCHEMA: { description: "the attestation's schema (per chain)" },
    ATTESTER: { description: 'the attester address, over every chain the filter allows' },
    RECIPIENT: { description: 'each recipient of the attestation (an attestation with several recipients counts in each group)' },
    DAY: { description: 'the UTC day of attestTimestamp' },
    CHAIN: { description: 'the chain id' },
  } as const,
})

export const AttestationStatsGroup = builder.objectRef<StatsGroup>('AttestationStatsGroup').implement({
  description: 'A group of attestations and its counts; attestation times are attestTimestamp (the block time the contract stored)',
  fields: (t) => ({
    key: t.string({
      description:
        'SCHEMA: the schema full id (onchain_evm_<chainId>_<0x hex id>); ATTESTER: the lower-case address; RECIPIENT: a lower-case address ' +
        'when the recipient is one (address-encoded, or a string that is an address), else its text, else its raw 0x hex; DAY: the UTC date ' +
        'YYYY-MM-DD; CHAIN: the chain id, decimal',
      resolve: (g) => toStatsKey(g),
    }),
  }),
})

export const SchemaStats = builder.objectRef<SchemaStatsGroup>('SchemaStats').implement({
  description: "A schema's attestations: counts, times, unique attesters and recipients",
  fields: (t) => ({
    schemaId: t.string({ description: 'the schema full id (onchain_evm_<chainId>_<0x hex id>)', resolve: (g) => toFullId(g.chainId, g.id) }),
    schema: t.field({
      type: Schema,
      nullable: true,
      resolve: (g, _args, ctx) => ctx.prisma.schema.findUnique({ where: { chainId_schemaId: { chainId: g.chainId, schemaId: g.id } } }),
    }),
    uniqueAttesters: t.int({ description: 'distinct attester addresses', resolve: (g) => g.uniqueAttesters }),
    uniqueRecipients: t.int({
      description: "distinct recipients, keyed as attestationStats(groupBy: RECIPIENT) keys them (read for the page's schemas at once, when selected)",
      resolve: (g) => g.uniqueRecipients(),
    }),
  }),
})

// the counts and times every group has
for (const ref of [AttestationStatsGroup, SchemaStats as unknown as typeof AttestationStatsGroup]) {
  builder.objectFields(ref, (t) => ({
    count: t.int({ description: 'attestations in the group', resolve: (g) => g.count }),
    revokedCount: t.int({ description: 'of them revoked', resolve: (g) => g.revokedCount }),
    firstTimestamp: t.string({
      nullable: true,
      description: 'earliest attestTimestamp of the group, unix seconds',
      resolve: (g) => g.firstAt?.toString() ?? null,
    }),
    firstAt: t.field({
      type: 'DateTime',
      nullable: true,
      description: 'earliest attestTimestamp of the group (null beyond the DateTime range)',
      resolve: (g) => toDateOrNull(g.firstAt),
    }),
    lastTimestamp: t.string({ nullable: true, description: 'latest attestTimestamp of the group, unix seconds', resolve: (g) => g.lastAt?.toString() ?? null }),
    lastAt: t.field({
      type: 'DateTime',
      nullable: true,
      description: 'latest attestTimestamp of the group (null beyond the DateTime range)',
      resolve: (g) => toDateOrNull(g.lastAt),
    }),
  }))
}

builder.queryFields((t) => ({
  attestationStats: t.connection(
    {
      type: AttestationStatsGroup,
      description:
        'Attestations matching `where` (the same filter and rows as `attestations`) grouped by `groupBy`, most attestations first, ties by key. ' +
        'Keyset (cursor) pagination; a cursor belongs to one grouping.',
      args: {
        where: t.arg({ type: AttestationWhere }),
        groupBy: t.arg({ type: AttestationStatsGroupBy, required: true }),
      },
      resolve: (_root, args, ctx) => resolveAttestationStats({ ...args, groupBy: args.groupBy }, ctx),
    },
    {
      name: 'AttestationStatsConnection',
      fields: (c) => ({
        totalCount: c.int({ description: 'number of groups', resolve: (connection) => (connection as KeysetConnection<unknown>).totalCount() }),
      }),
    },
  ),
  schemaStats: t.connection(
    {
      type: SchemaStats,
      description:
        'Indexed schemas matching `where` (a schema without attestations too) with their attestation counts, most attestations first, ties by full id order (chain, id). Keyset (cursor) pagination.',
      args: { where: t.arg({ type: SchemaWhere }) },
      resolve: (_root, args, ctx) => resolveSchemaStats(args, ctx),
    },
    {
      name: 'SchemaStatsConnection',
      fields: (c) => ({
        totalCount: c.int({ description: 'number of schemas', resolve: (connection) => (connection as KeysetConnection<unknown>).totalCount() }),
      }),
    },
  ),
}))
