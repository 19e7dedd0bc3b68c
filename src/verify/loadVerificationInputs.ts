/**
 * Reads what the checks need for a set of attestations in a constant number of queries, whatever their number
 * and lineage depth: ONE recursive CTE walks every attestation's ancestors (cycle-safe, up to
 * LINEAGE_DEPTH_CAP + 1, so the deepest checked ancestor's own link can be checked too) and returns each node
 * with its schema; one query reads the `Chain` rows; one the stored `Verification` rows.
 */
import type { Prisma, PrismaClient, Verification } from '../generated/prisma/client.js'
import { LINEAGE_DEPTH_CAP, lineageWalkSql } from '../db/lineageSql.js'
import type { AttestationFacts, ChainClock, FactsLookup } from './checkAttestation.js'

/** A Prisma client or interactive transaction (the worker reads inside its batch transaction). */
export type VerifyDb = PrismaClient | Prisma.TransactionClient

/** An attestation key: chain id + contract id. */
export type AttestationKey = { chainId: number; attestationId: bigint }

export type VerificationInputs = {
  /** the requested attestations that exist, by `keyOf` */
  facts: Map<string, AttestationFacts>
  /** every fetched node (requested ones and their ancestors) */
  lookup: FactsLookup
  /** `Chain` rows by chain id (absent: no row) */
  chains: Map<number, ChainClock>
  /** stored verdicts by `keyOf` */
  stored: Map<string, Verification>
}

/** `chainId:attestationId`, the map key used throughout the verify stage. */
export function keyOf(chainId: number, attestationId: bigint): string {
  return `${chainId}:${attestationId}`
}

type NodeRow = {
  chainId: number
  attestationId: string
  schemaId: string
  linkedAttestationId: string | null
  attestTimestamp: string
  attester: string
  txFrom: string
  validUntil: string
  revoked: boolean
  revokeReason: string | null
  revokeBlockNumber: string | null
  decodeError: string | null
  blockNumber: string
  blockHash: string
  logIndex: number
  blockTimestamp: string
  maxValidFor: string | null
}

// Numbers travel as text: bigint arrays and Decimal columns are not uniform across driver adapters.
const WALK_SQL = `
WITH RECURSIVE ${lineageWalkSql('walk', 'ANCESTORS', { kind: 'many', chainIds: '$1', attestationIds: '$2' }, '$3')}, nodes AS (
  SELECT DISTINCT chain_id, id FROM walk
)
SELECT a."chainId", a."attestationId"::text AS "attestationId", a."schemaId"::text AS "schemaId",
  a."linkedAttestationId"::text AS "linkedAttestationId", a."attestTimestamp"::text AS "attestTimestamp", a."attester", a."txFrom",
  a."validUntil"::text AS "validUntil", a."revoked", a."revokeReason", a."revokeBlockNumber"::text AS "revokeBlockNumber",
  a."decodeError", a."blockNumber"::text AS "blockNumber", a."blockHash", a."logIndex", a."blockTimestamp"::text AS "blockTimestamp",
  s."maxValidFor"::text AS "maxValidFor"
FROM nodes n
JOIN "Attestation" a ON a."chainId" = n.chain_id AND a."attestationId" = n.id
LEFT JOIN "Schema" s ON s."chainId" = a."chainId" AND s."schemaId" = a."schemaId"`

function toFacts(row: NodeRow): AttestationFacts {
  return {
    chainId: row.chainId,
    attestationId: BigInt(row.attestationId),
    schemaId: BigInt(row.schemaId),
    linkedAttestationId: row.linkedAttestationId == null ? null : BigInt(row.linkedAttestationId),
    attestTimestamp: BigInt(row.attestTimestamp),
    attester: row.attester,
    txFrom: row.txFrom,
    validUntil: BigInt(row.validUntil),
    revoked: row.revoked,
    revokeReason: row.revokeReason,
    revokeBlockNumber: row.revokeBlockNumber == null ? null : BigInt(row.revokeBlockNumber),
    decodeError: row.decodeError,
    blockNumber: BigInt(row.blockNumber),
    blockHash: row.blockHash,
    logIndex: row.logIndex,
    blockTimestamp: BigInt(row.blockTimestamp),
    schema: row.maxValidFor == null ? null : { maxValidFor: BigInt(row.maxValidFor) },
  }
}

/**
 * Loads facts, ancestors, chain clocks and stored verdicts for `keys` (three queries).
 * @param db a client or the worker's transaction
 * @param keys attestations to verify; unknown ones are simply absent from `facts`
 * @throws whatever the driver throws (the worker's transaction then rolls back and the jobs are re-claimed)
 */
export async function loadVerificationInputs(db: VerifyDb, keys: readonly AttestationKey[]): Promise<VerificationInputs> {
  const empty: VerificationInputs = { facts: new Map(), lookup: () => undefined, chains: new Map(), stored: new Map() }
  if (!keys.length) return empty
  const rows = await db.$queryRawUnsafe<NodeRow[]>(
    WALK_SQL,
    keys.map((k) => k.chainId),
    keys.map((k) => k.attestationId.toString()),
    LINEAGE_DEPTH_CAP + 1,
  )
  const nodes = new Map<string, AttestationFacts>()
  for (const row of rows) nodes.set(keyOf(row.chainId, BigInt(row.attestationId)), toFacts(row))
  const facts = new Map<string, AttestationFacts>()
  for (const k of keys) {
    const found = nodes.get(keyOf(k.chainId, k.attestationId))
    if (found) facts.set(keyOf(k.chainId, k.attestationId), found)
  }
  const chainIds = [...new Set(keys.map((k) => k.chainId))]
  const [chainRows, storedRows] = await Promise.all([
    db.chain.findMany({
      where: { chainId: { in: chainIds } },
      select: { chainId: true, confirmations: true, headBlock: true, headTimestamp: true, finalizedBlock: true },
    }),
    db.verification.findMany({ where: { chainId: { in: chainIds }, attestationId: { in: [...new Set(keys.map((k) => k.attestationId))] } } }),
  ])
  const wanted = new Set(keys.map((k) => keyOf(k.chainId, k.attestationId)))
  return {
    facts,
    lookup: (chainId, attestationId) => nodes.get(keyOf(chainId, attestationId)),
    chains: new Map(
      chainRows.map((c) => [
        c.chainId,
        { confirmations: c.confirmations, headBlock: c.headBlock, headTimestamp: c.headTimestamp, finalizedBlock: c.finalizedBlock },
      ]),
    ),
    stored: new Map(storedRows.filter((v) => wanted.has(keyOf(v.chainId, v.attestationId))).map((v) => [keyOf(v.chainId, v.attestationId), v])),
  }
}
