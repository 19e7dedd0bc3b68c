/**
 * `OffchainAttestation`: an id registered with `attestOffchain` (the contract stores only attester and time)
 * and the root fields `offchainAttestation(...)` and `offchainAttestations(...)`.
 */
import { builder } from '../builder.js'
import type { KeysetConnection } from '../keyset.js'
import { resolveOffchainConnection } from '../recordPages.js'
import { toDateFromSeconds, toUint64String } from '../time.js'
import { toIndexableText } from '../../db/toStorable.js'
import { assertFilterText } from '../inputLimits.js'

export const OffchainAttestation = builder.prismaObject('OffchainAttestation', {
  description: 'An off-chain attestation registered on-chain by id. uint64 values are decimal strings.',
  fields: (t) => ({
    chainId: t.exposeInt('chainId'),
    offchainAttestationId: t.exposeString('offchainAttestationId'),
    attester: t.exposeString('attester'),
    from: t.string({ description: 'sender of the transaction (tx.from)', resolve: (o) => o.txFrom }),
    timestamp: t.string({
      description: 'original creation time, unix seconds (the contract overwrites it with 1 on revocation; this keeps the original)',
      resolve: (o) => toUint64String(o.timestamp),
    }),
    time: t.field({ type: 'DateTime', nullable: true, resolve: (o) => toDateFromSeconds(o.timestamp) }),
    revoked: t.exposeBoolean('revoked'),
    revokeTimestamp: t.string({ nullable: true, description: 'unix seconds', resolve: (o) => toUint64String(o.revokeTimestamp) }),
    revokeReason: t.exposeString('revokeReason', { nullable: true }),
    revokeTransactionHash: t.string({ nullable: true, resolve: (o) => o.revokeTxHash }),
    transactionHash: t.string({ resolve: (o) => o.txHash }),
    blockNumber: t.string({ resolve: (o) => toUint64String(o.blockNumber) }),
    blockHash: t.exposeString('blockHash'),
    blockTimestamp: t.string({ description: 'unix seconds', resolve: (o) => toUint64String(o.blockTimestamp) }),
    logIndex: t.exposeInt('logIndex'),
  }),
})

export const OffchainAttestationWhere = builder.inputType('OffchainAttestationWhere', {
  description: 'Off-chain attestation filter; all given fields must match (AND)',
  fields: (t) => ({
    chainId: t.int(),
    attester: t.string({ description: 'attester address' }),
    revoked: t.boolean(),
  }),
})

export const OffchainAttestationOrder = builder.enumType('OffchainAttestationOrder', {
  description: 'BLOCK_NUMBER_* orders by (block number, log index): registration order',
  values: ['BLOCK_NUMBER_ASC', 'BLOCK_NUMBER_DESC'] as const,
})

builder.queryFields((t) => ({
  offchainAttestation: t.prismaField({
    type: 'OffchainAttestation',
    nullable: true,
    description: 'One off-chain attestation by chain and id; null when unknown',
    args: { chainId: t.arg.int({ required: true }), offchainAttestationId: t.arg.string({ required: true }) },
    resolve: (query, _root, args, ctx) => {
      // stored through toIndexableText (NUL as U+FFFD); an id too long to index was never stored under it
      const offchainAttestationId = toIndexableText(assertFilterText(args.offchainAttestationId, 'offchainAttestationId'))
      if (offchainAttestationId === null) return null
      return ctx.prisma.offchainAttestation.findUnique({ ...query, where: { chainId_offchainAttestationId: { chainId: args.chainId, offchainAttestationId } } })
    },
  }),
  offchainAttestations: t.connection(
    {
      type: OffchainAttestation,
      description: 'Off-chain attestations matching `where`, newest first by default. Keyset (cursor) pagination.',
      args: {
        where: t.arg({ type: OffchainAttestationWhere }),
        orderBy: t.arg({ type: OffchainAttestationOrder, defaultValue: 'BLOCK_NUMBER_DESC' }),
      },
      resolve: (_root, args, ctx, info) => resolveOffchainConnection(args, ctx, info),
    },
    {
      name: 'OffchainAttestationConnection',
      fields: (c) => ({ totalCount: c.int({ resolve: (connection) => (connection as KeysetConnection<unknown>).totalCount() }) }),
    },
  ),
}))
