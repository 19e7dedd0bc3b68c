/**
 * `Attestation` (Sign Protocol `Attestation` struct + the event's indexing key + where it was mined) and the
 * root fields `attestation(id)` and `attestations(...)`. Verification and lineage fields are added by
 * verification.ts and lineage.ts. Relations (schema, linked attestation, children,
 * recipients) are loaded through Pothos' Prisma query planning (children per parent through
 * attestationChildren.ts): a constant number of queries per page, no N+1.
 */
import { type ChildConnection, resolveChildConnection } from '../attestationChildren.js'
import { builder } from '../builder.js'
import { parseStoredFullId, toFullId, toHexId } from '../ids.js'
import { resolveAttestationConnection } from '../attestationPage.js'
import { getAttestationRows, toDirectSelection } from '../attestationRows.js'
import type { KeysetConnection } from '../keyset.js'
import { SEARCH_DESCRIPTION } from '../search.js'
import { toDateFromSeconds, toUint64String } from '../time.js'
import { AttestationOrder, AttestationWhere } from './attestationWhere.js'
import { DataLocation, toDataLocation } from './dataLocation.js'

export const Attestation = builder.prismaObject('Attestation', {
  description: 'An on-chain attestation (Sign Protocol). uint64 values are decimal strings; ids are hex.',
  fields: (t) => ({
    id: t.id({ description: 'SignScan full id: onchain_evm_<chainId>_<0x hex id>', resolve: (a) => toFullId(a.chainId, a.attestationId) }),
    chainId: t.exposeInt('chainId'),
    attestationId: t.string({ description: 'the contract id, minimal lower-case 0x hex', resolve: (a) => toHexId(a.attestationId) }),
    schemaId: t.string({ description: 'SignScan full id of the schema', resolve: (a) => toFullId(a.chainId, a.schemaId) }),
    schema: t.relation('schema', {
      nullable: true,
      description: "null when the schema is not indexed (registered before the chain's start block; decodeError says DATA_UNKNOWN_SCHEMA)",
    }),
    attester: t.exposeString('attester', { description: 'the attester stored by the contract (not necessarily tx.from)' }),
    from: t.string({ description: 'sender of the transaction (tx.from)', resolve: (a) => a.txFrom }),
    delegated: t.boolean({
      description: 'true when tx.from differs from the attester (relayer, contract, delegate signature)',
      resolve: (a) => a.txFrom !== a.attester,
    }),
    linkedAttestationId: t.string({
      nullable: true,
      description: 'full id of the attestation this one links to (null when the contract says 0)',
      resolve: (a) => (a.linkedAttestationId == null ? null : toFullId(a.chainId, a.linkedAttestationId)),
    }),
    linkedAttestation: t.relation('linkedAttestation', { nullable: true }),
    attestTimestamp: t.string({ description: 'unix seconds', resolve: (a) => toUint64String(a.attestTimestamp) }),
    attestTime: t.field({ type: 'DateTime', resolve: (a) => new Date(Number(a.attestTimestamp) * 1000) }),
    revokeTimestamp: t.string({ description: 'unix seconds, "0" when not revoked by a transaction', resolve: (a) => toUint64String(a.revokeTimestamp) }),
    revokeTime: t.field({ type: 'DateTime', nullable: true, resolve: (a) => toDateFromSeconds(a.revokeTimestamp) }),
    validUntil: t.string({ description: 'unix seconds, "0" = never expires', resolve: (a) => toUint64String(a.validUntil) }),
    validUntilTime: t.field({ type: 'DateTime', nullable: true, description: 'null when validUntil is 0', resolve: (a) => toDateFromSeconds(a.validUntil) }),
    expired: t.boolean({
      description: 'validUntil != 0 and validUntil <= now (expiry is computed by the reader; nothing happens on-chain)',
      resolve: (a) => {
        const until = BigInt(toUint64String(a.validUntil))
        return until !== 0n && until <= BigInt(Math.floor(Date.now() / 1000))
      },
    }),
    revoked: t.exposeBoolean('revoked'),
    revokeReason: t.exposeString('revokeReason', { nullable: true, description: 'from the AttestationRevoked event' }),
    revokeTransactionHash: t.string({ nullable: true, resolve: (a) => a.revokeTxHash }),
    revokeBlockNumber: t.string({ nullable: true, resolve: (a) => toUint64String(a.revokeBlockNumber) }),
    dataLocation: t.field({ type: DataLocation, resolve: (r) => toDataLocation(r.dataLocation) }),
    data: t.exposeString('data', { description: 'raw data bytes, 0x hex' }),
    decodedData: t.field({ type: 'JSON', nullable: true, description: 'data decoded against the schema fields', resolve: (a) => a.decodedData }),
    dataEncoding: t.exposeString('dataEncoding', { nullable: true, description: 'TUPLE | FLAT | CID when decoded' }),
    decodeError: t.exposeString('decodeError', { nullable: true }),
    recipients: t.relation('recipients', { query: { orderBy: { position: 'asc' } } }),
    indexingKey: t.exposeString('indexingKey', { description: 'from the AttestationMade event' }),
    transactionHash: t.string({ resolve: (a) => a.txHash }),
    blockNumber: t.string({ resolve: (a) => toUint64String(a.blockNumber) }),
    blockHash: t.exposeString('blockHash'),
    blockTimestamp: t.string({ description: 'unix seconds', resolve: (a) => toUint64String(a.blockTimestamp) }),
    blockTime: t.field({ type: 'DateTime', resolve: (a) => new Date(Number(a.blockTimestamp) * 1000) }),
    logIndex: t.exposeInt('logIndex'),
  }),
})

// Added after the type so the connection can name it (a self-reference inside its own initializer).
builder.prismaObjectField('Attestation', 'linkedBy', (t) =>
  t.connection(
    {
      type: Attestation,
      description: 'attestations that link to this one (children), oldest first',
      resolve: (a, args, ctx, info) => resolveChildConnection('linkedBy', { chainId: a.chainId, parentId: a.attestationId }, args, ctx, info),
    },
    {
      name: 'AttestationLinkedByConnection',
      fields: (c) => ({ totalCount: c.int({ resolve: (connection) => (connection as ChildConnection).totalCount() }) }),
    },
  ),
)

builder.queryFields((t) => ({
  attestation: t.prismaField({
    type: 'Attestation',
    nullable: true,
    description: 'One attestation by SignScan full id (onchain_evm_<chainId>_<0x hex id>); null when unknown',
    args: { id: t.arg.id({ required: true }) },
    resolve: async (query, _root, args, ctx) => {
      const key = parseStoredFullId(String(args.id))
      if (!key) return null // a uint64 above int64: valid on chain, never stored
      const { chainId, id } = key
      // the row (and its recipients) in one statement when that is all the selection asks (attestationRows.ts)
      const direct = toDirectSelection(query)
      if (direct) return (await getAttestationRows(ctx, direct, [{ chainId, attestationId: id }]))[0] ?? null
      return ctx.prisma.attestation.findUnique({ ...query, where: { chainId_attestationId: { chainId, attestationId: id } } })
    },
  }),
  attestations: t.connection(
    {
      type: Attestation,
      description: `Attestations matching \`where\` (and \`search\`), newest first by default. Keyset (cursor) pagination. ${SEARCH_DESCRIPTION.attestations}`,
      args: {
        where: t.arg({ type: AttestationWhere }),
        search: t.arg.string(),
        orderBy: t.arg({ type: AttestationOrder, defaultValue: 'ATTESTATION_ID_DESC' }),
      },
      resolve: (_root, args, ctx, info) => resolveAttestationConnection(args, ctx, info),
    },
    {
      name: 'AttestationConnection',
      fields: (c) => ({ totalCount: c.int({ resolve: (connection) => (connection as KeysetConnection<unknown>).totalCount() }) }),
    },
  ),
}))
