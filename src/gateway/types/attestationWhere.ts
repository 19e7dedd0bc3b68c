/**
 * Attestation filters and orderings (GraphQL inputs) and their translation to Prisma. The same translation
 * serves the `attestations` connection, `Schema.attestations` and the subscription filters, so a filter means
 * the same thing everywhere.
 */
import { getAddress } from 'viem'
import type { Prisma } from '../../generated/prisma/client.js'
import { builder, type GatewayContext } from '../builder.js'
import { BadUserInputError } from '../errors.js'
import { parseFullId, parseIdFilter, parseUint64 } from '../ids.js'
import { getLineageIds, LINEAGE_DEPTH_CAP, LINEAGE_MAX_NODES } from '../lineage.js'

const ADDRESS = /^0x[0-9a-fA-F]{40}$/

/**
 * Lower-cases an EVM address (the database stores addresses lower-case).
 * @throws {BadUserInputError} when the value is not `0x` + 40 hex digits
 */
export function parseAddress(value: string, what: string): string {
  if (!ADDRESS.test(value)) throw new BadUserInputError(`Invalid ${what} "${value}": expected a 0x address`, { argument: what })
  return value.toLowerCase()
}

/** Fields common to the query filter and the subscription filter. */
export type AttestationFilter = {
  chainId?: number | null
  schemaId?: string | number | null
  attester?: string | null
  recipient?: string | null
  indexingKey?: string | null
  revoked?: boolean | null
  linkedAttestationId?: string | number | null
  attestTimestampGte?: string | null
  attestTimestampLte?: string | null
  /** only in `AttestationWhere`: resolved by {@link toAttestationWhereInputWithLineage} */
  inLineageOf?: string | number | null
}

export const AttestationWhere = builder.inputType('AttestationWhere', {
  description: 'Attestation filter; all given fields must match (AND)',
  fields: (t) => ({
    chainId: t.int(),
    schemaId: t.id({ description: 'SignScan full schema id (onchain_evm_<chainId>_0x..), or a numeric id (decimal or 0x hex)' }),
    attester: t.string({ description: 'attester address (the stored attester, not tx.from)' }),
    recipient: t.string({ description: 'a recipient: an address (matches address-encoded and string-encoded recipients) or any text' }),
    indexingKey: t.string(),
    revoked: t.boolean(),
    linkedAttestationId: t.id({ description: 'children of this attestation: full id, or numeric id (decimal or 0x hex)' }),
    attestTimestampGte: t.string({ description: 'attestTimestamp >= this, unix seconds (decimal string)' }),
    attestTimestampLte: t.string({ description: 'attestTimestamp <= this, unix seconds (decimal string)' }),
    inLineageOf: t.id({
      description: `ancestors and descendants of this attestation (SignScan full id), not the attestation itself; each direction walked up to ${LINEAGE_DEPTH_CAP} generations and ${LINEAGE_MAX_NODES} attestations`,
    }),
  }),
})

export const AttestationSubscriptionWhere = builder.inputType('AttestationSubscriptionWhere', {
  description: 'Filter for attestation subscriptions; all given fields must match (AND)',
  fields: (t) => ({
    chainId: t.int(),
    schemaId: t.id({ description: 'SignScan full schema id, or a numeric id (decimal or 0x hex)' }),
    attester: t.string(),
    recipient: t.string(),
    indexingKey: t.string(),
  }),
})

export const AttestationOrder = builder.enumType('AttestationOrder', {
  values: ['ATTESTATION_ID_ASC', 'ATTESTATION_ID_DESC', 'ATTEST_TIMESTAMP_ASC', 'ATTEST_TIMESTAMP_DESC'] as const,
})

/**
 * Translates an attestation filter into a Prisma `where`.
 * @param where the GraphQL input (either filter input type), or null for "everything"
 * @returns a `where` that uses the (chainId, …) indexes of the Attestation and Recipient tables
 * @throws {BadUserInputError} when an id, address or timestamp does not parse
 */
export function toAttestationWhereInput(where: AttestationFilter | null | undefined): Prisma.AttestationWhereInput {
  if (!where) return {}
  if (where.inLineageOf != null) throw new Error('inLineageOf needs toAttestationWhereInputWithLineage')
  const and: Prisma.AttestationWhereInput[] = []
  if (where.chainId != null) and.push({ chainId: where.chainId })
  if (where.schemaId != null) {
    const { chainId, id } = parseIdFilter(String(where.schemaId), 'schemaId')
    and.push(chainId == null ? { schemaId: id } : { chainId, schemaId: id })
  }
  if (where.attester != null) and.push({ attester: parseAddress(where.attester, 'attester') })
  if (where.recipient != null) and.push({ recipients: { some: toRecipientWhere(where.recipient) } })
  if (where.indexingKey != null) and.push({ indexingKey: where.indexingKey })
  if (where.revoked != null) and.push({ revoked: where.revoked })
  if (where.linkedAttestationId != null) {
    const { chainId, id } = parseIdFilter(String(where.linkedAttestationId), 'linkedAttestationId')
    and.push(chainId == null ? { linkedAttestationId: id } : { chainId, linkedAttestationId: id })
  }
  if (where.attestTimestampGte != null) and.push({ attestTimestamp: { gte: parseUint64(where.attestTimestampGte, 'attestTimestampGte') } })
  if (where.attestTimestampLte != null) and.push({ attestTimestamp: { lte: parseUint64(where.attestTimestampLte, 'attestTimestampLte') } })
  return and.length ? { AND: and } : {}
}

/**
 * Like {@link toAttestationWhereInput}, and resolves `inLineageOf` with one recursive CTE (memoised per request,
 * so a page and its totalCount walk the lineage once).
 * @throws {BadUserInputError} as toAttestationWhereInput, or when `inLineageOf` is not a full id
 */
export async function toAttestationWhereInputWithLineage(ctx: GatewayContext, where: AttestationFilter | null | undefined): Promise<Prisma.AttestationWhereInput> {
  if (where?.inLineageOf == null) return toAttestationWhereInput(where)
  const { chainId, id } = parseFullId(String(where.inLineageOf), 'inLineageOf')
  const memoKey = `inLineageOf:${chainId}:${id}`
  let ids = ctx.loaders.get(memoKey) as Promise<bigint[]> | undefined
  if (!ids) ctx.loaders.set(memoKey, (ids = getLineageIds(ctx.prisma, { chainId, attestationId: id })))
  const rest = toAttestationWhereInput({ ...where, inLineageOf: undefined })
  return { AND: [rest, { chainId, attestationId: { in: await ids } }] }
}

/**
 * Recipients are `bytes[]`: Solidity callers encode an address, the SDK a string (often an address written
 * as text). An address therefore matches the decoded address, or the text as given, lower-case, upper-case hex
 * or EIP-55 checksummed (equality on each, so the `text` index serves it); anything else matches the text.
 * @returns the decoded address a recipient row may have (lower-case; absent for non-addresses) and the texts it may have
 */
export function toRecipientMatch(recipient: string): { address?: string; texts: string[] } {
  if (!ADDRESS.test(recipient)) return { texts: [recipient] }
  const lower = recipient.toLowerCase()
  return { address: lower, texts: [...new Set([recipient, lower, `0x${lower.slice(2).toUpperCase()}`, getAddress(lower)])] }
}

function toRecipientWhere(recipient: string): Prisma.RecipientWhereInput {
  const { address, texts } = toRecipientMatch(recipient)
  if (address === undefined) return { text: texts[0] }
  return { OR: [{ address }, { text: { in: texts } }] }
}

/**
 * Total order for an attestation page (ties broken by attestation id, then chain id, so cursors are stable).
 * @param order the GraphQL enum value; default ATTESTATION_ID_DESC (newest first)
 */
export function toAttestationOrderBy(order: string | null | undefined): Prisma.AttestationOrderByWithRelationInput[] {
  switch (order) {
    case 'ATTESTATION_ID_ASC':
      return [{ attestationId: 'asc' }, { chainId: 'asc' }]
    case 'ATTEST_TIMESTAMP_ASC':
      return [{ attestTimestamp: 'asc' }, { attestationId: 'asc' }, { chainId: 'asc' }]
    case 'ATTEST_TIMESTAMP_DESC':
      return [{ attestTimestamp: 'desc' }, { attestationId: 'desc' }, { chainId: 'desc' }]
    default:
      return [{ attestationId: 'desc' }, { chainId: 'desc' }]
  }
}
