/**
 * Subscriptions `attestationCreated`, `attestationRevoked` and `attestationStatusChanged`, over SSE and
 * graphql-ws. They are fed ONLY from the journal tail (committed `Event` rows, in seq order), never from the
 * indexer's or the verifier's memory: what a subscriber sees is always in the database. Each event is a small string fact; the attestation is re-read with the
 * subscriber's selection.
 */
import type { Prisma } from '../../generated/prisma/client.js'
import { builder, type GatewayContext } from '../builder.js'
import { SubscriptionOverflowError } from '../errors.js'
import { type JournalEvent, JournalOverflowError } from '../journal.js'
import { type AttestationFilter, AttestationSubscriptionWhere, toAttestationWhereInput } from './attestationWhere.js'
import { VerificationStatus } from './verification.js'

/** What flows from `subscribe` to `resolve`: a journal event, or the news that the subscriber overflowed. */
export type AttestationSubscriptionPayload = { event: JournalEvent; overflowCursor?: undefined } | { event?: undefined; overflowCursor: string }

/**
 * Follows the journal for attestation events of one kind that match `where`.
 * Filters on chain id are applied to the journal facts; the others (and `extra`) by one primary-key query per event.
 * When the subscriber's buffer overflows, yields one `overflowCursor` payload (the resolver turns it into a
 * `SUBSCRIPTION_OVERFLOW` error carrying the cursor) and ends.
 * @throws {BadUserInputError} synchronously, when `where` does not parse
 */
export function followAttestations(
  ctx: GatewayContext,
  kind: 'CREATED' | 'REVOKED' | 'STATUS_CHANGED',
  where: AttestationFilter | null | undefined,
  extra?: Prisma.AttestationWhereInput,
): AsyncIterable<AttestationSubscriptionPayload> {
  const chainId = where?.chainId ?? undefined
  const filter = toAttestationWhereInput({ ...where, chainId: undefined })
  const prismaWhere = extra ? { AND: [filter, extra] } : filter
  const needsRowCheck = Object.keys(filter).length > 0 || extra !== undefined
  const journal = ctx.journal

  // Attach now (not on the first pull) so the stream starts at subscription time; `return()` detaches even
  // when the consumer never pulled.
  const subscription = journal.subscribe({
    filter: (e) => e.kind === kind && e.subjectType === 'ATTESTATION' && (chainId === undefined || e.chainId === chainId),
  })
  let finished = false
  const iterator: AsyncIterableIterator<AttestationSubscriptionPayload> = {
    [Symbol.asyncIterator]: () => iterator,
    async next() {
      if (finished) return { done: true, value: undefined }
      try {
        for (;;) {
          const result = await subscription.next()
          if (result.done) {
            finished = true
            return { done: true, value: undefined }
          }
          if (needsRowCheck && !(await matches(ctx, result.value, prismaWhere))) continue
          return { done: false, value: { event: result.value } }
        }
      } catch (error) {
        finished = true
        subscription.close()
        if (error instanceof JournalOverflowError) return { done: false, value: { overflowCursor: error.cursor } }
        throw error
      }
    },
    async return() {
      finished = true
      subscription.close()
      return { done: true, value: undefined }
    },
  }
  return iterator
}

async function matches(ctx: GatewayContext, event: JournalEvent, where: Prisma.AttestationWhereInput): Promise<boolean> {
  const row = await ctx.prisma.attestation.findFirst({
    where: { AND: [{ chainId: event.chainId, attestationId: BigInt(event.subjectId) }, where] },
    select: { attestationId: true },
  })
  return row !== null
}

/** Re-reads the attestation an event is about, with the subscriber's selection; null if it vanished (reorg). */
function loadAttestation<T extends object>(
  query: T,
  payload: AttestationSubscriptionPayload,
  ctx: GatewayContext,
) {
  if (payload.overflowCursor !== undefined) throw new SubscriptionOverflowError(payload.overflowCursor)
  const { chainId, subjectId } = payload.event
  return ctx.prisma.attestation.findUnique({ ...query, where: { chainId_attestationId: { chainId, attestationId: BigInt(subjectId) } } })
}

builder.subscriptionFields((t) => ({
  attestationCreated: t.prismaField({
    type: 'Attestation',
    nullable: true,
    description: 'Each attestation committed from now on that matches `where` (journal CREATED events, in commit order)',
    args: { where: t.arg({ type: AttestationSubscriptionWhere }) },
    subscribe: (_root, args, ctx) => followAttestations(ctx, 'CREATED', args.where),
    resolve: (query, payload, _args, ctx) => loadAttestation(query, payload as AttestationSubscriptionPayload, ctx),
  }),
  attestationRevoked: t.prismaField({
    type: 'Attestation',
    nullable: true,
    description: 'Each revocation committed from now on of an attestation matching `where` (journal REVOKED events)',
    args: { where: t.arg({ type: AttestationSubscriptionWhere }) },
    subscribe: (_root, args, ctx) => followAttestations(ctx, 'REVOKED', args.where),
    resolve: (query, payload, _args, ctx) => loadAttestation(query, payload as AttestationSubscriptionPayload, ctx),
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
    subscribe: (_root, args, ctx) =>
      followAttestations(ctx, 'STATUS_CHANGED', args.where, args.statuses?.length ? { verification: { is: { status: { in: args.statuses } } } } : undefined),
    resolve: (query, payload, _args, ctx) => loadAttestation(query, payload as AttestationSubscriptionPayload, ctx),
  }),
}))
