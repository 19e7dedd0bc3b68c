/**
 * Attestation filters and orderings (GraphQL inputs) and their translation to Prisma. The same translation
 * serves the `attestations` connection, `Schema.attestations` and the subscription filters, so a filter means
 * the same thing everywhere.
 */
import { getAddress } from 'viem'
import type { Prisma } from '../../generated/prisma/client.js'
import { builder, type GatewayContext } from '../builder.js'
import { BadUserInputError, LineageTooLargeError } from '../errors.js'
import { toIndexableText, toIndexableTextTruncated } from '../../db/toStorable.js'
import { isStorableUint64, parseFullId, parseIdFilter, parseUint64, quoteInput } from '../ids.js'
import { getLineageIds, LINEAGE_DEPTH_CAP, LINEAGE_MAX_NODES } from '../lineage.js'
import { assertFilterText } from '../inputLimits.js'

const ADDRESS = /^0x[0-9a-fA-F]{40}$/

/**
 * Lower-cases an EVM address (the database stores addresses lower-case).
 * @throws {BadUserInputError} when the value is not `0x` + 40 hex digits
 */
export function parseAddress(value: string, what: string): string {
  if (!ADDRESS.test(value)) throw new BadUserInputError(`Invalid ${what} ${quoteInput(value)}: expected a 0x address`, { argument: what })
  return value.toLowerCase()
}

/** A condition no row meets (Prisma turns `in: []` into FALSE): the answer to a filter on a value nothing stored can have. */
const NOTHING: Prisma.AttestationWhereInput = { attestationId: { in: [] } }

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
  /** only in `AttestationWhere`: resolved to ids by {@link getLineageOf} */
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
      description: `ancestors and descendants of this attestation (SignScan full id), not the attestation itself; each direction walked up to ${LINEAGE_DEPTH_CAP} generations; more than ${LINEAGE_MAX_NODES} descendants is a LINEAGE_TOO_LARGE error (page through Attestation.lineage instead)`,
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
  if (where.inLineageOf != null) throw new Error('inLineageOf needs getLineageOf')
  const and: Prisma.AttestationWhereInput[] = []
  if (where.chainId != null) and.push({ chainId: where.chainId })
  if (where.schemaId != null) {
    const { chainId, id } = parseIdFilter(assertFilterText(String(where.schemaId), 'schemaId'), 'schemaId')
    and.push(!isStorableUint64(id) ? NOTHING : chainId == null ? { schemaId: id } : { chainId, schemaId: id })
  }
  if (where.attester != null) and.push({ attester: parseAddress(assertFilterText(where.attester, 'attester'), 'attester') })
  if (where.recipient != null) and.push(toRecipientCondition(assertFilterText(where.recipient, 'recipient')))
  // the indexer stored the indexing key through toIndexableTextTruncated: the same chain value maps alike here
  if (where.indexingKey != null) and.push({ indexingKey: toIndexableTextTruncated(assertFilterText(where.indexingKey, 'indexingKey')) })
  if (where.revoked != null) and.push({ revoked: where.revoked })
  if (where.linkedAttestationId != null) {
    const { chainId, id } = parseIdFilter(assertFilterText(String(where.linkedAttestationId), 'linkedAttestationId'), 'linkedAttestationId')
    and.push(!isStorableUint64(id) ? NOTHING : chainId == null ? { linkedAttestationId: id } : { chainId, linkedAttestationId: id })
  }
  if (where.attestTimestampGte != null) {
    const gte = parseUint64(assertFilterText(where.attestTimestampGte, 'attestTimestampGte'), 'attestTimestampGte')
    and.push(isStorableUint64(gte) ? { attestTimestamp: { gte } } : NOTHING) // every stored timestamp is below it
  }
  if (where.attestTimestampLte != null) {
    const lte = parseUint64(assertFilterText(where.attestTimestampLte, 'attestTimestampLte'), 'attestTimestampLte')
    if (isStorableUint64(lte)) and.push({ attestTimestamp: { lte } }) // else every stored timestamp is below it
  }
  return and.length ? { AND: and } : {}
}

/**
 * The ids of an `inLineageOf` filter's lineage (ancestors and descendants, not the attestation itself), walked once
 * per request (memoised in `ctx.loaders`, so a page and its totalCount share the walk).
 * @returns the chain and ids, or null when the id cannot be a stored attestation (above int64): an empty lineage
 * @throws {BadUserInputError} when the value is not a full id
 * @throws {LineageTooLargeError} LINEAGE_TOO_LARGE when the walk passed LINEAGE_MAX_NODES
 */
export async function getLineageOf(ctx: GatewayContext, inLineageOf: string | number): Promise<{ chainId: number; ids: bigint[] } | null> {
  const { chainId, id } = parseFullId(assertFilterText(String(inLineageOf), 'inLineageOf'), 'inLineageOf')
  if (!isStorableUint64(id)) return null
  const memoKey = `inLineageOf:${chainId}:${id}`
  let lineage = ctx.loaders.get(memoKey) as ReturnType<typeof getLineageIds> | undefined
  if (!lineage) ctx.loaders.set(memoKey, (lineage = getLineageIds(ctx.prisma, { chainId, attestationId: id })))
  const { ids, truncated } = await lineage
  if (truncated) throw new LineageTooLargeError(LINEAGE_MAX_NODES)
  return { chainId, ids }
}

/**
 * Recipients are `bytes[]`: Solidity callers encode an address, the SDK a string (often an address written
 * as text). An address therefore matches the decoded address, or the text as given, lower-case, upper-case hex
 * or EIP-55 checksummed (equality on each, so the `text` index serves it); anything else matches the text.
 * @returns the decoded address a recipient row may have (lower-case; absent for non-addresses) and the texts it may have
 */
export function toRecipientMatch(recipient: string): { address?: string; texts: string[] } | null {
  if (!ADDRESS.test(recipient)) {
    // stored through toIndexableText (NUL as U+FFFD); text too long to index was stored as null: it matches nothing
    const text = toIndexableText(recipient)
    return text === null ? null : { texts: [text] }
  }
  const lower = recipient.toLowerCase()
  return { address: lower, texts: [...new Set([recipient, lower, `0x${lower.slice(2).toUpperCase()}`, getAddress(lower)])] }
}

function toRecipientCondition(recipient: string): Prisma.AttestationWhereInput {
  const match = toRecipientMatch(recipient)
  if (!match) return NOTHING
  const { address, texts } = match
  return { recipients: { some: address === undefined ? { text: texts[0] } : { OR: [{ address }, { text: { in: texts } }] } } }
}
