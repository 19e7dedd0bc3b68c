/**
 * Subscriptions `attestationCreated`, `attestationRevoked` and `attestationStatusChanged`, over SSE and
 * graphql-ws. They are fed ONLY from the journal tail (committed `Event` rows, in seq order), never from the
 * indexer's or the verifier's memory: what a subscriber sees is always in the database. Each event is a small string fact; the attestation is re-read with the
 * subscriber's selection.
 */
import type { VerificationStatus as VerificationStatusValue } from '../../generated/prisma/client.js'
import { builder, type GatewayContext } from '../builder.js'
import { SubscriptionOverflowError } from '../errors.js'
import { type AttestationEventPayload, followAttestationEvents, loadAhead } from './attestationEvents.js'
import { type AttestationFilter, AttestationSubscriptionWhere } from './attestationWhere.js'
import { VerificationStatus } from './verification.js'

/**
 * The narrower subscriptions are filters over the same stream as `attestationEvents` (default delivery level,
 * SAFE): one kind, the same `where`, and `extra` row conditions.
 * @throws {BadUserInputError} synchronously, when `where` does not parse
 */
export function followAttestations(
  ctx: GatewayContext,
  kind: 'CREATED' | 'REVOKED' | 'STATUS_CHANGED',
  where: AttestationFilter | null | undefined,
  statuses?: readonly VerificationStatusValue[] | null,
): AsyncIterable<AttestationEventPayload> {
  return followAttestationEvents(ctx, {
    where: { chainId: where?.chainId, schemaId: where?.schemaId, attester: where?.attester, recipient: where?.recipient, kinds: [kind] },
    extra: { indexingKey: where?.indexingKey, statuses },
  })
}

/** Reads the attestation an event is about, with the subscriber's selection (read ahead in bursts, see loadAhead); null if it vanished (reorg). */
function loadAttestation<T extends object>(query: T, payload: AttestationEventPayload, ctx: GatewayContext) {
  if (payload.overflowCursor !== undefined) throw new SubscriptionOverflowError(payload.overflowCursor)
  return loadAhead(ctx, query, payload.event) as Promise<never>
}

builder.subscriptionFields((t) => ({
  attestationCreated: t.prismaField({
    type: 'Attestation',
    nullable: true,
    description: 'Each attestation committed from now on that matches `where` (journal CREATED events, in commit order)',
    args: { where: t.arg({ type: AttestationSubscriptionWhere }) },
    subscribe: (_root, args, ctx) => followAttestations(ctx, 'CREATED', args.where),
    resolve: (query, payload, _args, ctx) => loadAttestation(query, payload as AttestationEventPayload, ctx),
  }),
  attestationRevoked: t.prismaField({
    type: 'Attestation',
    nullable: true,
    description: 'Each revocation committed from now on of an attestation matching `where` (journal REVOKED events)',
    args: { where: t.arg({ type: AttestationSubscriptionWhere }) },
    subscribe: (_root, args, ctx) => followAttestations(ctx, 'REVOKED', args.where),
    resolve: (query, payload, _args, ctx) => loadAttestation(query, payload as AttestationEventPayload, ctx),
  }),
}))

builder.subscriptionFields((t) => ({
  attestationStatusChanged: t.prismaField({
    type: 'Attestation',
    nullable: true,
    description:
      'Each verdict change from now on (journal STATUS_CHANGED entries written by the verify stage: a first verdict, a revocation, an expiry on the chain clock, enough confirmations, a lineage change) of an attestation matching `where`; select `verification` for the new verdict',
    args: {
      where: t.arg({ type: AttestationSubscriptionWhere }),
      statuses: t.arg({ type: [VerificationStatus], description: 'only while the verdict has one of these statuses (default: any)' }),
    },
    subscribe: (_root, args, ctx) => followAttestations(ctx, 'STATUS_CHANGED', args.where, args.statuses),
    resolve: (query, payload, _args, ctx) => loadAttestation(query, payload as AttestationEventPayload, ctx),
  }),
}))
