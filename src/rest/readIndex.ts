/**
 * The database reads behind the SignScan-compatible routes: one page plus its total, or one record by key.
 * Read-only.
 *
 * A page is the GraphQL keyset page query (attestationPage.ts `buildAttestationPageSql`, recordPages.ts
 * `buildSchemaPageSql`) asked for `page × size` keys and cut at the offset: each chain is walked over the index of
 * the filter, `(chainId, <filter column>, attestationId)` (schemas: the primary key, `(chainId, registrant,
 * schemaId)`), at most `page × size` ≤ MAX_REST_PAGE_DEPTH entries per chain, never the table. The order is the
 * GraphQL default, newest first: `attestationId DESC, chainId DESC` (`schemaId DESC, chainId DESC`). Then the page's
 * rows are read by primary key with their schema and recipients. The total is a count over the filter, as
 * GraphQL's `totalCount` (its cost grows with the matching rows).
 */
import type { z } from 'zod'
import { Prisma, type PrismaClient } from '../generated/prisma/client.js'
import { buildAttestationPageSql, toAttestationConditions } from '../gateway/attestationPage.js'
import { toFullId } from '../gateway/ids.js'
import { buildSchemaPageSql } from '../gateway/recordPages.js'
import { toAttestationWhereInput } from '../gateway/types/attestationWhere.js'
import { MAX_REST_PAGE_SIZE, type RestId } from './restParams.js'
import type { AttestationListQuery, SchemaListQuery } from './restParams.js'
import { type AttestationInfo, type SchemaInfo, toAttestationInfo, toSchemaInfo } from './signScanRows.js'

export type Page<T> = { total: number; size: number; page: number; rows: T[] }

const emptyPage = <T>(page: number, size: number): Page<T> => ({ total: 0, size, page, rows: [] })

/** The relations every attestation row needs: its schema and its recipients. */
const ATTESTATION_INCLUDE = { schema: true, recipients: { orderBy: { position: 'asc' } } } as const satisfies Prisma.AttestationInclude

/** The keys of rows `offset … offset + size - 1` of a keyset page query asked for `offset + size` rows. */
const cutAt = (sql: Prisma.Sql, keys: string, offset: number) => Prisma.sql`SELECT * FROM (${sql}) page ORDER BY ${Prisma.raw(keys)} OFFSET ${offset}`

/**
 * A page of schemas.
 * @param query parsed `SchemaListQuery`
 * @returns `{ total, size, page, rows }`; an empty page for `mode=offchain` or an id that cannot be stored here
 */
export async function getSchemaPage(prisma: PrismaClient, query: z.output<typeof SchemaListQuery>): Promise<Page<SchemaInfo>> {
  const page = query.page ?? 1
  const size = query.size ?? MAX_REST_PAGE_SIZE
  if (query.mode === 'offchain' || query.id?.kind === 'none') return emptyPage(page, size)
  const where: Prisma.SchemaWhereInput = {
    AND: [
      query.chainId != null ? { chainId: query.chainId } : {},
      query.registrant ? { registrant: query.registrant } : {},
      query.id ? { chainId: query.id.chainId, schemaId: query.id.id } : {},
    ],
  }
  if (query.id) {
    // one key: its row, if it matches the other filters, is the only one
    const rows = page === 1 ? await prisma.schema.findMany({ where }) : []
    return { total: await prisma.schema.count({ where }), size, page, rows: rows.map(toSchemaInfo) }
  }
  const offset = (page - 1) * size
  const sql = buildSchemaPageSql({ chainId: query.chainId, registrant: query.registrant }, 'desc', { size: offset + size - 1, backward: false }, null, null)
  const [total, keys] = await Promise.all([
    prisma.schema.count({ where }),
    prisma.$queryRaw<{ chainId: number; schemaId: bigint }[]>(cutAt(sql, 'page."schemaId" DESC, page."chainId" DESC', offset)),
  ])
  const rows = keys.length
    ? await prisma.schema.findMany({ where: { OR: keys.map((k) => ({ chainId: Number(k.chainId), schemaId: BigInt(k.schemaId) })) } })
    : []
  const byKey = new Map(rows.map((r) => [`${r.chainId}:${r.schemaId}`, r]))
  return { total, size, page, rows: keys.flatMap((k) => byKey.get(`${k.chainId}:${k.schemaId}`) ?? []).map(toSchemaInfo) }
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
  const filter = {
    chainId: query.chainId,
    schemaId: query.schemaId ? toFullId(query.schemaId.chainId, query.schemaId.id) : undefined,
    attester,
    recipient: query.recipient,
    indexingKey: query.indexingValue,
  }
  const where: Prisma.AttestationWhereInput = {
    AND: [toAttestationWhereInput(filter), query.id ? { chainId: query.id.chainId, attestationId: query.id.id } : {}],
  }
  const conditions = toAttestationConditions(filter, null)
  if (query.id) {
    conditions.chainIds = [...new Set([...(conditions.chainIds ?? []), query.id.chainId])]
    conditions.where.push(Prisma.sql`a."attestationId" = ${query.id.id.toString()}::bigint`)
  }
  const offset = (page - 1) * size
  const sql = buildAttestationPageSql({ conditions, order: 'ATTESTATION_ID_DESC', backward: false, after: null, before: null, take: offset + size })
  const [total, keys] = await Promise.all([
    prisma.attestation.count({ where }),
    prisma.$queryRaw<{ chainId: number; attestationId: bigint }[]>(cutAt(sql, 'page."attestationId" DESC, page."chainId" DESC', offset)),
  ])
  const rows = keys.length
    ? await prisma.attestation.findMany({
        where: { OR: keys.map((k) => ({ chainId: Number(k.chainId), attestationId: BigInt(k.attestationId) })) },
        include: ATTESTATION_INCLUDE,
      })
    : []
  const byKey = new Map(rows.map((r) => [`${r.chainId}:${r.attestationId}`, r]))
  return { total, size, page, rows: keys.flatMap((k) => byKey.get(`${k.chainId}:${k.attestationId}`) ?? []).map(toAttestationInfo) }
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
  const row = await prisma.attestation.findUnique({
    where: { chainId_attestationId: { chainId: id.chainId, attestationId: id.id } },
    include: ATTESTATION_INCLUDE,
  })
  return row && toAttestationInfo(row)
}
