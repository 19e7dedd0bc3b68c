/**
 * Rows of the SignScan-compatible index API, named as the official SDK types them (`@ethsign/sp-sdk` 1.2.6,
 * `src/types/indexService.ts`: `SchemaInfo`, `AttestationInfo`, `PageInfo`), as zod schemas (for the OpenAPI
 * document) and the functions that build them from stored records.
 *
 * Conventions copied from SignScan's answers: timestamps are millisecond strings, ids hex (`0x1a`) beside full ids
 * (`onchain_evm_10_0x1a`), `dataLocation` lower-case, `chainId` a string, unset revocation fields null.
 * Fields we cannot fill as SignScan does: `syncAt`/`lastSyncAt` carry the block's timestamp (we do not record when a
 * row was indexed); `extra` is `{}`; `data` is the raw 0x hex as stored, also with `parseOffChainData` (Arweave/IPFS
 * payloads are not fetched).
 */
import { z } from 'zod'
import 'zod-openapi'
import type { Attestation, Recipient, Schema } from '../generated/prisma/client.js'
import { toFullId, toHexId } from '../gateway/ids.js'
import { toUint64String } from '../gateway/time.js'

const DATA_LOCATIONS = ['onchain', 'arweave', 'ipfs', 'custom'] as const
const ms = (description: string) => z.string().meta({ description: `${description}, unix milliseconds (decimal string)`, example: '1716360173000' })

export const SchemaInfo = z
  .object({
    id: z.string().meta({ description: 'full id onchain_evm_<chainId>_<0x hex id>', example: 'onchain_evm_10_0x1' }),
    mode: z.literal('onchain'),
    chainType: z.literal('evm'),
    chainId: z.string().meta({ example: '10' }),
    schemaId: z.string().meta({ description: 'the contract id, minimal lower-case 0x hex', example: '0x1' }),
    transactionHash: z.string(),
    name: z.string().meta({ description: 'name from the schema JSON ("" when the schema is not JSON)' }),
    description: z.string().meta({ description: 'description from the schema JSON ("" when absent)' }),
    revocable: z.boolean(),
    maxValidFor: z.string().meta({ description: 'seconds, "0" = unlimited' }),
    resolver: z.string().meta({ description: 'the hook (ISPHook) address, zero address when none' }),
    registerTimestamp: ms('registration time'),
    registrant: z.string(),
    data: z.array(z.object({ name: z.string(), type: z.string() })).meta({ description: 'ABI fields of the schema ([] when not well formed)' }),
    dataLocation: z.enum(DATA_LOCATIONS),
    originalData: z.string().meta({ description: 'the schema string as registered' }),
    extra: z.object({ data: z.string() }).meta({ description: '`data`: the schema string as registered' }),
    syncAt: ms('block time of the registration (we do not record indexing time)'),
  })
  .meta({ id: 'SchemaInfo' })

export const AttestationInfo = z
  .object({
    id: z.string().meta({ description: 'full id onchain_evm_<chainId>_<0x hex id>', example: 'onchain_evm_10_0x1a' }),
    mode: z.literal('onchain'),
    chainType: z.literal('evm'),
    chainId: z.string(),
    attestationId: z.string().meta({ description: 'the contract id, minimal lower-case 0x hex', example: '0x1a' }),
    transactionHash: z.string(),
    indexingValue: z.string().meta({ description: 'indexing key of the AttestationMade event' }),
    schemaId: z.string().meta({ description: 'schema contract id, 0x hex', example: '0x1' }),
    fullSchemaId: z.string().meta({ example: 'onchain_evm_10_0x1' }),
    linkedAttestation: z.string().meta({ description: 'full id of the linked attestation, "" when none' }),
    attester: z.string(),
    from: z.string().meta({ description: 'sender of the transaction (tx.from)' }),
    attestTimestamp: ms('attestation time'),
    validUntil: z.string().meta({ description: 'expiry, unix milliseconds (decimal string); "0" = never expires' }),
    revoked: z.boolean(),
    revokeTimestamp: z.string().nullable().meta({ description: 'unix milliseconds; null when not revoked' }),
    revokeReason: z.string().nullable().meta({ description: 'null when not revoked' }),
    revokeTransactionHash: z.string().nullable().meta({ description: 'null when not revoked' }),
    data: z.string().meta({ description: 'attestation data as stored, 0x hex (decode it with the schema fields)' }),
    dataLocation: z.enum(DATA_LOCATIONS),
    extra: z.object({}).meta({ description: 'always {}' }),
    syncAt: ms('block time of the attestation (we do not record indexing time)'),
    lastSyncAt: ms('block time of the attestation, or of its revocation when revoked'),
    recipients: z
      .array(z.string())
      .meta({ description: 'decoded recipients: the string for string-encoded ones, the lower-case address for address-encoded ones, else the raw 0x hex' }),
    schema: SchemaInfo,
  })
  .meta({ id: 'AttestationInfo' })

/** `PageInfo & { rows }` */
export function pageOf<T extends z.ZodType>(row: T, id: string) {
  return z
    .object({
      total: z.number().int().meta({ description: 'rows matching the filter' }),
      size: z.number().int().meta({ description: 'the page size used' }),
      page: z.number().int().meta({ description: '1-based page number' }),
      rows: z.array(row),
    })
    .meta({ id })
}

export const SchemaPage = pageOf(SchemaInfo, 'SchemaPage')
export const AttestationPage = pageOf(AttestationInfo, 'AttestationPage')

export type SchemaInfo = z.output<typeof SchemaInfo>
export type AttestationInfo = z.output<typeof AttestationInfo>

const toMs = (seconds: { toFixed(): string } | bigint): string => {
  const text = toUint64String(seconds)
  return text === '0' ? '0' : `${text}000`
}

const toDataLocationName = (value: number) => DATA_LOCATIONS[value] ?? 'custom'

/**
 * Builds a SchemaInfo row.
 * @param s a stored schema; `dataJson`/`fields` null (not JSON, or not the SDK's shape) give "" and []
 */
export function toSchemaInfo(s: Schema): SchemaInfo {
  const json = s.dataJson && typeof s.dataJson === 'object' && !Array.isArray(s.dataJson) ? (s.dataJson as Record<string, unknown>) : {}
  const fields = Array.isArray(s.fields) ? (s.fields as { name?: unknown; type?: unknown }[]) : []
  return {
    id: toFullId(s.chainId, s.schemaId),
    mode: 'onchain',
    chainType: 'evm',
    chainId: String(s.chainId),
    schemaId: toHexId(s.schemaId),
    transactionHash: s.txHash,
    name: typeof json.name === 'string' ? json.name : '',
    description: typeof json.description === 'string' ? json.description : '',
    revocable: s.revocable,
    maxValidFor: toUint64String(s.maxValidFor),
    resolver: s.hook,
    registerTimestamp: toMs(s.timestamp),
    registrant: s.registrant,
    data: fields.map((f) => ({ name: String(f.name ?? ''), type: String(f.type ?? '') })),
    dataLocation: toDataLocationName(s.dataLocation),
    originalData: s.data,
    extra: { data: s.data },
    syncAt: toMs(s.timestamp),
  }
}

/** A stored recipient as SignScan shows it: the decoded string, else the address, else the raw bytes. */
const toRecipientText = (r: Recipient) => r.text ?? r.address ?? r.raw

/**
 * Builds an AttestationInfo row.
 * @param a a stored attestation with its schema and recipients (any order: sorted by position here)
 */
export function toAttestationInfo(a: Attestation & { schema: Schema; recipients: Recipient[] }): AttestationInfo {
  const revokedAt = a.revoked && a.revokeTimestamp > 0n ? toMs(a.revokeTimestamp) : null
  return {
    id: toFullId(a.chainId, a.attestationId),
    mode: 'onchain',
    chainType: 'evm',
    chainId: String(a.chainId),
    attestationId: toHexId(a.attestationId),
    transactionHash: a.txHash,
    indexingValue: a.indexingKey,
    schemaId: toHexId(a.schemaId),
    fullSchemaId: toFullId(a.chainId, a.schemaId),
    linkedAttestation: a.linkedAttestationId == null ? '' : toFullId(a.chainId, a.linkedAttestationId),
    attester: a.attester,
    from: a.txFrom,
    attestTimestamp: toMs(a.attestTimestamp),
    validUntil: toMs(a.validUntil),
    revoked: a.revoked,
    revokeTimestamp: a.revoked ? (revokedAt ?? '0') : null,
    revokeReason: a.revoked ? (a.revokeReason ?? '') : null,
    revokeTransactionHash: a.revoked ? a.revokeTxHash : null,
    data: a.data,
    dataLocation: toDataLocationName(a.dataLocation),
    extra: {},
    syncAt: toMs(a.blockTimestamp),
    lastSyncAt: revokedAt ?? toMs(a.blockTimestamp),
    recipients: [...a.recipients].sort((x, y) => x.position - y.position).map(toRecipientText),
    schema: toSchemaInfo(a.schema),
  }
}
