/**
 * The database reads behind the SignScan-compatible routes: one page (OFFSET/LIMIT, bounded by
 * MAX_REST_PAGE_DEPTH) plus its total, or one record by key. Read-only.
 *
 * Order: newest first, `attestationId DESC, chainId DESC` (`schemaId DESC, chainId DESC`), the GraphQL default
 * (`toAttestationOrderBy`), so the indexes that serve GraphQL's pages serve these: `(attestationId, chainId)` without
 * a filter; with a chain pinned (`chainId`, or a full `id`/`schemaId`) PostgreSQL drops the constant chainId from the
 * order and walks `(chainId, schemaId, attestationId)`, `(chainId, attester, attestationId)` or the primary key
 * backwards; schemas walk the primary key `(chainId, schemaId)`.
 */
import type { z } from 'zod'
import type { Prisma, PrismaClient } from '../generated/prisma/client.js'
import { toAttestationOrderBy, toAttestationWhereInput } from '../gateway/types/attestationWhere.js'
import { toFullId } from '../gateway/ids.js'
import { MAX_REST_PAGE_SIZE, type RestId } from './restParams.js'
import type { AttestationListQuery, SchemaListQuery } from './restParams.js'
import { type AttestationInfo, type SchemaInfo, toAttestationInfo, toSchemaInfo } from './signScanRows.js'

export type Page<T> = { total: number; size: number; page: number; rows: T[] }

const emptyPage = <T>(page: number, size: number): Page<T> => ({ total: 0, size, page, rows: [] })

/** The relations every attestation row needs: its schema and its recipients. */
const ATTESTATION_INCLUDE = { schema: true, recipients: { orderBy: { position: 'asc' } } } as const satisfies Prisma.AttestationInclude

/**
 * A page of schemas.
 * @param query parsed `SchemaListQuery`
 * @returns `{ total, size, page, rows }`; an empty page for `mode=offchain` or an id that cannot be stored here
 */
export async function getSchemaPage(prisma: PrismaClient, query: z.output<typeof SchemaListQuery>): Promise<Page<SchemaInfo>> {
  const page = query.page ?? 1
  const size = query.size ?? MAX_REST_PAGE_SIZE
  if (query.mode === 'offchain' || query.id?.kind === 'none') return emptyPage(page, size)
  const and: Prisma.SchemaWhereInput[] = []
  if (query.chainId != null) and.push({ chainId: query.chainId })
  if (query.id) and.push({ chainId: query.id.chainId, schemaId: query.id.id })
  if (query.registrant) and.push({ registrant: query.registrant })
  const where: Prisma.SchemaWhereInput = and.length ? { AND: and } : {}
  const [total, rows] = await Promise.all([
    prisma.schema.count({ where }),
    prisma.schema.findMany({ where, orderBy: [{ schemaId: 'desc' }, { chainId: 'desc' }], skip: (page - 1) * size, take: size }),
  ])
  return { total, size, page, rows: rows.map(toSchemaInfo) }
}

/**
 * A page of attestations.
 * @param query parsed `AttestationListQuery` (`attestor` is `attester`'s alias; `registrant` is ignored)
 * @returns `{ total, size, page, rows }`; an empty page for `mode=offchain`, an id that cannot be stored here, or
 *   `attester` and `attestor` that differ
 */
export async function getAttestationPage(prisma: PrismaClient, query: z.output<typeof AttestationListQuery>): Promise<Page<AttestationInfo>> {
  const page = query.page ?? 1
  const size = query.size ?? MAX_REST_PAGE_SIZE
  const attester = query.attester ?? query.attestor
  if (query.mode === 'offchain' || query.id?.kind === 'none' || query.schemaId?.kind === 'none') return emptyPage(page, size)
  if (query.attester && query.attestor && query.attester !== query.attestor) return emptyPage(page, size)
  const and: Prisma.AttestationWhereInput[] = [
    toAttestationWhereInput({
      chainId: query.chainId,
      schemaId: query.schemaId ? toFullId(query.schemaId.chainId, query.schemaId.id) : undefined,
      attester,
      recipient: query.recipient,
      indexingKey: query.indexingValue,
    }),
  ]
  if (query.id) and.push({ chainId: query.id.chainId, attestationId: query.id.id })
  const where: Prisma.AttestationWhereInput = { AND: and }
  const [total, rows] = await Promise.all([
    prisma.attestation.count({ where }),
    prisma.attestation.findMany({ where, include: ATTESTATION_INCLUDE, orderBy: toAttestationOrderBy('ATTESTATION_ID_DESC'), skip: (page - 1) * size, take: size }),
  ])
  return { total, size, page, rows: rows.map(toAttestationInfo) }
}

/** One schema by full id; null when unknown. */
export async function getSchemaInfo(prisma: PrismaClient, id: RestId): Promise<SchemaInfo | null> {
  if (id.kind === 'none') return null
  const row = await prisma.schema.findUnique({ where: { chainId_schemaId: { chainId: id.chainId, schemaId: id.id } } })
  return row && toSchemaInfo(row)
}

/** One attestation by full id, with its schema and recipients; null when unknown. */
export async function getAttestationInfo(prisma: PrismaClient, id: RestId): Promise<AttestationInfo | null> {
  if (id.kind === 'none') return null
  const row = await prisma.attestation.findUnique({ where: { chainId_attestationId: { chainId: id.chainId, attestationId: id.id } }, include: ATTESTATION_INCLUDE })
  return row && toAttestationInfo(row)
}
