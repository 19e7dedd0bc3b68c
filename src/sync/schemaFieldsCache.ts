/**
 * The fields of the chain's schemas, by schema id, as ingest needs them to decode attestation data
 * (`buildBatch`'s lookup): read from the `Schema` row on first use, then kept. Batches add the schemas they commit;
 * a rollback clears it (a schema may have gone with the rolled-back blocks).
 */
import type { PrismaClient } from '../generated/prisma/client.js'
import type { SchemaField } from '../ingest/decodeData.js'

export type SchemaFieldsCache = {
  /** the schema's fields, `null` for a schema without parsable fields, `undefined` for a schema not (yet) indexed */
  get(schemaId: bigint): Promise<SchemaField[] | null | undefined>
  /** records a schema committed by this loop */
  set(schemaId: bigint, fields: SchemaField[] | null): void
  clear(): void
}

/** @see SchemaFieldsCache — one per chain loop (`chainId`). */
export function createSchemaFieldsCache(prisma: PrismaClient, chainId: number): SchemaFieldsCache {
  const fieldsById = new Map<bigint, SchemaField[] | null>()
  return {
    async get(schemaId) {
      if (fieldsById.has(schemaId)) return fieldsById.get(schemaId)
      const row = await prisma.schema.findUnique({ where: { chainId_schemaId: { chainId, schemaId } }, select: { fields: true } })
      if (!row) return undefined
      const fields = (row.fields as SchemaField[] | null) ?? null
      fieldsById.set(schemaId, fields)
      return fields
    },
    set: (schemaId, fields) => void fieldsById.set(schemaId, fields),
    clear: () => fieldsById.clear(),
  }
}
