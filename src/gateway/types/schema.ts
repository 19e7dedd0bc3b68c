/**
 * `Schema` (Sign Protocol `Schema` struct + where it was registered) and the root fields `schema(id)` and
 * `schemas(...)`.
 */
import { type ChildConnection, resolveChildConnection } from '../attestationChildren.js'
import { builder } from '../builder.js'
import { parseStoredFullId, toFullId, toHexId } from '../ids.js'
import type { KeysetConnection } from '../keyset.js'
import { resolveSchemaConnection } from '../recordPages.js'
import { SEARCH_DESCRIPTION } from '../search.js'
import { toDateFromSeconds, toUint64String } from '../time.js'
import { Attestation } from './attestation.js'
import { DataLocation, toDataLocation } from './dataLocation.js'

export const Schema = builder.prismaObject('Schema', {
  description: 'A registered schema (Sign Protocol). uint64 values are decimal strings; ids are hex.',
  fields: (t) => ({
    id: t.id({ description: 'SignScan full id: onchain_evm_<chainId>_<0x hex id>', resolve: (s) => toFullId(s.chainId, s.schemaId) }),
    chainId: t.exposeInt('chainId'),
    schemaId: t.string({ description: 'the contract id, minimal lower-case 0x hex', resolve: (s) => toHexId(s.schemaId) }),
    registrant: t.exposeString('registrant'),
    from: t.string({ description: 'sender of the registering transaction (tx.from)', resolve: (s) => s.txFrom }),
    revocable: t.exposeBoolean('revocable'),
    dataLocation: t.field({ type: DataLocation, resolve: (r) => toDataLocation(r.dataLocation) }),
    maxValidFor: t.string({ description: 'seconds, "0" = unlimited', resolve: (s) => toUint64String(s.maxValidFor) }),
    hook: t.exposeString('hook', { description: 'ISPHook address (zero address when none)' }),
    timestamp: t.string({ description: 'registration time, unix seconds', resolve: (s) => toUint64String(s.timestamp) }),
    time: t.field({ type: 'DateTime', nullable: true, resolve: (s) => toDateFromSeconds(s.timestamp) }),
    data: t.exposeString('data', { description: 'the schema string as registered' }),
    dataJson: t.field({ type: 'JSON', nullable: true, description: 'data parsed as JSON, null when it is not JSON', resolve: (s) => s.dataJson }),
    fields: t.field({ type: 'JSON', nullable: true, description: 'ABI fields [{name, type}] when dataJson.data is well formed', resolve: (s) => s.fields }),
    dataError: t.exposeString('dataError', { nullable: true, description: 'why dataJson or fields are null' }),
    transactionHash: t.string({ resolve: (s) => s.txHash }),
    blockNumber: t.string({ resolve: (s) => toUint64String(s.blockNumber) }),
    blockHash: t.exposeString('blockHash'),
    logIndex: t.exposeInt('logIndex'),
    attestations: t.connection(
      {
        type: Attestation,
        description: 'attestations made against this schema, newest first (filter with the root `attestations(where: {schemaId})`)',
        resolve: (s, args, ctx, info) => resolveChildConnection('schemaAttestations', { chainId: s.chainId, parentId: s.schemaId }, args, ctx, info),
      },
      {
        name: 'SchemaAttestationsConnection',
        fields: (c) => ({ totalCount: c.int({ resolve: (connection) => (connection as ChildConnection).totalCount() }) }),
      },
    ),
  }),
})

export const SchemaWhere = builder.inputType('SchemaWhere', {
  description: 'Schema filter; all given fields must match (AND)',
  fields: (t) => ({
    chainId: t.int(),
    registrant: t.string({ description: 'registrant address' }),
  }),
})

export const SchemaOrder = builder.enumType('SchemaOrder', { values: ['SCHEMA_ID_ASC', 'SCHEMA_ID_DESC'] as const })

builder.queryFields((t) => ({
  schema: t.prismaField({
    type: 'Schema',
    nullable: true,
    description: 'One schema by SignScan full id (onchain_evm_<chainId>_<0x hex id>); null when unknown',
    args: { id: t.arg.id({ required: true }) },
    resolve: (query, _root, args, ctx) => {
      const key = parseStoredFullId(String(args.id))
      if (!key) return null // a uint64 above int64: valid on chain, never stored
      const { chainId, id } = key
      return ctx.prisma.schema.findUnique({ ...query, where: { chainId_schemaId: { chainId, schemaId: id } } })
    },
  }),
  schemas: t.connection(
    {
      type: Schema,
      description: `Schemas matching \`where\` (and \`search\`), newest first by default. Keyset (cursor) pagination. ${SEARCH_DESCRIPTION.schemas}`,
      args: {
        where: t.arg({ type: SchemaWhere }),
        search: t.arg.string(),
        orderBy: t.arg({ type: SchemaOrder, defaultValue: 'SCHEMA_ID_DESC' }),
      },
      resolve: (_root, args, ctx, info) => resolveSchemaConnection(args, ctx, info),
    },
    {
      name: 'SchemaConnection',
      fields: (c) => ({ totalCount: c.int({ resolve: (connection) => (connection as KeysetConnection<unknown>).totalCount() }) }),
    },
  ),
}))
