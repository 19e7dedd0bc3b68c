/**
 * `Attestation.verification` (the verify stage's stored verdict) and `verifyAttestation(id)` (the same checks,
 * run now). The verdict is first-class data with reasons; see src/verify/reasons.ts for every code and whether
 * it is informational or changes the status. `confirmations` is computed from the chain's head as the sync loop
 * last stored it (one query per request for every chain, through a DataLoader).
 */
import DataLoader from 'dataloader'
import type { VerificationStatus as VerificationStatusValue } from '../../generated/prisma/client.js'
import { isInformational, parseReasons, REASON_CODES, type VerificationReason as Reason, verifyLive } from '../../verify/index.js'
import { builder, type GatewayContext } from '../builder.js'
import { parseStoredFullId, toFullId } from '../ids.js'
import { toDateFromSeconds } from '../time.js'

/** What the `Verification` type resolves from: a stored or live verdict, or the not-yet-verified placeholder. */
export type VerificationView = {
  chainId: number
  blockNumber: bigint
  status: VerificationStatusValue
  reasons: Reason[]
  finalized: boolean
  delegated: boolean
  checkedAt: Date | null
  expiresAt: Date | null
}

export const VerificationStatus = builder.enumType('VerificationStatus', {
  description: "The verify stage's verdict (precedence: PENDING > REVOKED > INVALID > EXPIRED > VALID)",
  values: {
    PENDING: { description: 'fewer confirmations than the chain setting, or not verified yet' },
    VALID: { description: 'every check passed (informational reasons may be listed)' },
    EXPIRED: { description: 'validUntil has passed on the chain clock (head block timestamp)' },
    REVOKED: { description: 'revoked (by a transaction, or born revoked)' },
    INVALID: { description: 'an invalidating reason: see `reasons`' },
  } as const,
})

export const VerificationReasonCode = builder.enumType('VerificationReasonCode', {
  values: Object.fromEntries(Object.entries(REASON_CODES).map(([code, r]) => [code, { description: `${r.effect}: ${r.description}` }])) as {
    [K in keyof typeof REASON_CODES]: { description: string }
  },
})

export const VerificationReason = builder.objectRef<Reason>('VerificationReason').implement({
  description: 'Why an attestation has its status, or a fact worth knowing about it',
  fields: (t) => ({
    code: t.field({ type: VerificationReasonCode, resolve: (r) => r.code }),
    message: t.exposeString('message'),
    informational: t.boolean({ description: 'true when this reason does not affect the status', resolve: (r) => isInformational(r.code) }),
  }),
})

/** Chain heads by chain id: one `Chain` query per request. */
function chainLoader(ctx: GatewayContext): DataLoader<number, { headBlock: bigint | null; confirmations: number } | null> {
  let loader = ctx.loaders.get('chainHeads') as DataLoader<number, { headBlock: bigint | null; confirmations: number } | null> | undefined
  if (!loader) {
    loader = new DataLoader(async (ids: readonly number[]) => {
      const rows = await ctx.prisma.chain.findMany({ where: { chainId: { in: [...ids] } }, select: { chainId: true, headBlock: true, confirmations: true } })
      const byId = new Map(rows.map((r) => [r.chainId, r]))
      return ids.map((id) => byId.get(id) ?? null)
    })
    ctx.loaders.set('chainHeads', loader)
  }
  return loader
}

export const Verification = builder.objectRef<VerificationView>('Verification').implement({
  description: "The verify stage's verdict on an attestation, with reasons",
  fields: (t) => ({
    status: t.field({ type: VerificationStatus, resolve: (v) => v.status }),
    reasons: t.field({
      type: [VerificationReason],
      description: 'every reason found, in a fixed order; informational ones do not affect the status',
      resolve: (v) => v.reasons,
    }),
    confirmations: t.int({
      nullable: true,
      description:
        "blocks mined on top of the attestation's block (head block - block number; 0 in the head block), from the head the indexer last saw; null before it saw one",
      resolve: async (v, _args, ctx) => {
        const chain = await chainLoader(ctx).load(v.chainId)
        if (chain?.headBlock == null) return null
        const n = chain.headBlock - v.blockNumber
        return n < 0n ? 0 : n > 2_147_483_647n ? 2_147_483_647 : Number(n)
      },
    }),
    requiredConfirmations: t.int({
      nullable: true,
      description: "the chain's confirmation setting: PENDING while confirmations is below it",
      resolve: async (v, _args, ctx) => (await chainLoader(ctx).load(v.chainId))?.confirmations ?? null,
    }),
    finalized: t.exposeBoolean('finalized', { description: "the block (and the revocation block, if any) is at or below the chain's finalized block" }),
    delegated: t.exposeBoolean('delegated', { description: 'tx.from differs from the attester' }),
    checkedAt: t.field({
      type: 'DateTime',
      nullable: true,
      description: 'when the verdict was computed; null when not verified yet',
      resolve: (v) => v.checkedAt,
    }),
    expiresAt: t.field({ type: 'DateTime', nullable: true, description: 'validUntil as a time; null when it never expires', resolve: (v) => v.expiresAt }),
  }),
})

type AttestationFactsForView = { chainId: number; blockNumber: bigint; txFrom: string; attester: string; validUntil: { toFixed(): string } | bigint }
type StoredVerdict = { status: VerificationStatusValue; reasons: unknown; finalized: boolean; delegated: boolean; checkedAt: Date; expiresAt: Date | null }

/**
 * The view of a stored verdict, or — when the verify stage has not checked the attestation yet — status PENDING
 * with a NOT_YET_VERIFIED reason (delegation and expiry are facts of the row and are reported anyway).
 */
export function toVerificationView(a: AttestationFactsForView, stored: StoredVerdict | null): VerificationView {
  if (stored) {
    return {
      chainId: a.chainId,
      blockNumber: a.blockNumber,
      status: stored.status,
      reasons: parseReasons(stored.reasons),
      finalized: stored.finalized,
      delegated: stored.delegated,
      checkedAt: stored.checkedAt,
      expiresAt: stored.expiresAt,
    }
  }
  return {
    chainId: a.chainId,
    blockNumber: a.blockNumber,
    status: 'PENDING',
    reasons: [{ code: 'NOT_YET_VERIFIED', message: 'the verify stage has not checked this attestation yet' }],
    finalized: false,
    delegated: a.txFrom !== a.attester,
    checkedAt: null,
    expiresAt: toDateFromSeconds(a.validUntil),
  }
}

builder.prismaObjectField('Attestation', 'verification', (t) =>
  t.field({
    type: Verification,
    description: "The verify stage's verdict (PENDING with NOT_YET_VERIFIED until it has run)",
    select: { verification: true },
    resolve: (a) => toVerificationView(a, a.verification),
  }),
)

type VerifyResult = { id: string; verification: VerificationView; stored: VerificationView | null; differsFromStored: boolean }

const VerifyAttestationResult = builder.objectRef<VerifyResult>('VerifyAttestationResult').implement({
  description: 'A verdict computed now, next to the stored one',
  fields: (t) => ({
    attestationId: t.id({ description: 'SignScan full id', resolve: (r) => r.id }),
    verification: t.field({ type: Verification, description: 'the verdict computed now (written nowhere)', resolve: (r) => r.verification }),
    stored: t.field({
      type: Verification,
      nullable: true,
      description: 'the verdict the verify stage stored; null when not verified yet',
      resolve: (r) => r.stored,
    }),
    differsFromStored: t.exposeBoolean('differsFromStored', { description: 'status, reasons, finality, delegation or expiry differ (or nothing is stored)' }),
  }),
})

builder.queryFields((t) => ({
  verifyAttestation: t.field({
    type: VerifyAttestationResult,
    nullable: true,
    description: 'Runs every verification check on one attestation now, against the current chain head; null when unknown',
    args: { id: t.arg.id({ required: true }) },
    resolve: async (_root, args, ctx) => {
      const key = parseStoredFullId(String(args.id))
      if (!key) return null // a uint64 above int64: valid on chain, never stored
      const { chainId, id } = key
      const live = await verifyLive(ctx.prisma, { chainId, attestationId: id })
      if (!live) return null
      const facts = { chainId, blockNumber: live.facts.blockNumber }
      const view = (v: Omit<VerificationView, 'chainId' | 'blockNumber'>): VerificationView => ({ ...facts, ...v })
      return {
        id: toFullId(chainId, id),
        verification: view({ ...live.result, checkedAt: new Date() }),
        stored: live.stored ? view({ ...live.stored, reasons: parseReasons(live.stored.reasons) }) : null,
        differsFromStored: live.differsFromStored,
      }
    },
  }),
}))
