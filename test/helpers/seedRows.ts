/**
 * Seeds attestation rows by SQL (`INSERT … SELECT generate_series`, no chain needed) in the shape ingest writes, for
 * suites and benches that read at scale (test/keysetPlans.test.ts, test/bench/queries.ts).
 *
 * Per chain, for ids g = 1..rows (the contract's `attestationId = attestationCounter++`):
 * - 21 schemas (`schemaId` 1..21, registrant `seedAttester(0)`); attestation g has schema 1 + g % 20, except schema
 *   21 every 1000th (g % 1000 = 7);
 * - attester `seedAttester(0)` on even ids (half the rows), else `seedAttester(1 + g % 9)`; tx.from `seedAttester(0)`;
 * - lineage in blocks of `lineageLength + branches` ids: the block's first id is a root, the next `lineageLength - 1`
 *   each link the id before them (a chain `lineageLength` deep), and the `branches` ids after them link the spine's
 *   nodes two by two from the root down (fan-out: the root and the first spine nodes get 3 children each);
 * - revoked every 50th (revokeTimestamp 1700000000 + g × S); attestTimestamp 1700000000 + ⌊g / 3⌋ × S (S =
 *   `secondsPerBlock`, default 1: three per second; never decreasing with the id, as block timestamps), block g / 3, log index g % 3; indexingKey `key-<g % 100>`;
 * - one recipient each (two for every 97th): address-encoded `seedRecipient(g % 50)` for two in three, else text —
 *   the checksummed address of `seedRecipient(11)` when g % 50 = 11, an email `user<g % 50>@example.com` otherwise;
 *   `attestTimestamp` copied into each Recipient row (migration keyset_indexes);
 * - optionally a `Verification` row each (VALID, or REVOKED with reason REVOKED) and the `Chain` row (head = the
 *   last block), and `offchainPerChain` off-chain attestations (5 attesters, every 50th revoked).
 */
import type pg from 'pg'
import { getAddress } from 'viem'

export type SeedChain = { chainId: number; rows: number }

export type SeedRowsOptions = {
  chains: SeedChain[]
  /** spine length of each lineage block (default 10: the deepest has 9 ancestors) */
  lineageLength?: number
  /** extra ids per lineage block linking the spine's first nodes two by two (default 0: plain chains) */
  branches?: number
  /** write a Verification row per attestation (default false: the gateway serves PENDING / NOT_YET_VERIFIED) */
  verifications?: boolean
  /** write the Chain row of each chain (default false) */
  chainRows?: boolean
  /** off-chain attestations per chain (default 0) */
  offchainPerChain?: number
  /** seconds between blocks (default 1: 3 attestations a second); a larger one spreads the rows over more UTC days */
  secondsPerBlock?: number
  /** called after each step with a label, for progress output */
  onStep?: (label: string) => void
}

/** Attester k (0..9) of the seeded rows: lower-case address `0x…aaa<k hex>`. */
export const seedAttester = (k: number) => `0x${k.toString(16).padStart(40, 'a')}`
/** Address-encoded recipient k (0..49) of the seeded rows, lower case. */
export const seedRecipient = (k: number) => `0x${k.toString(16).padStart(40, 'c')}`
/** The checksummed address stored as TEXT for recipient 11 (a string-encoded address). */
export const seedChecksummedRecipient = getAddress(seedRecipient(11))

/**
 * The parent offset of offset `o` in a lineage block (null for the root), as the SQL below computes it.
 * @returns the offset (0-based, within the block) of the attestation that `o` links to
 */
export function seedParentOffset(o: number, lineageLength = 10): number | null {
  if (o === 0) return null
  return o < lineageLength ? o - 1 : Math.floor((o - lineageLength) / 2)
}

/**
 * Registers schemas 1…`count` on `chainId` (registrant `seedAttester(0)`, revocable, no hook, block 0), as rows
 * attestations can reference.
 * @param client a connected node-pg client on a migrated database
 * @throws the database's error when a schema id exists already
 */
export async function seedSchemas(client: pg.Client | pg.Pool, chainId: number, count: number): Promise<void> {
  await client.query(
    `INSERT INTO "Schema" ("chainId", "schemaId", "registrant", "revocable", "dataLocation", "maxValidFor", "hook", "timestamp", "data",
      "txHash", "txFrom", "blockNumber", "blockHash", "logIndex")
    SELECT $1::int, s, $2, true, 0, 0, '0x0000000000000000000000000000000000000000', 1700000000, 'schema', '0x00', $2, 0, '0x00', s
    FROM generate_series(1, $3::int) AS s`,
    [chainId, seedAttester(0), count],
  )
}

/**
 * Writes the rows described above into a migrated, empty database (then VACUUM ANALYZE).
 * @param client a connected node-pg client on that database
 * @throws the database's error when a table is missing (not migrated) or a row exists already
 */
export async function seedRows(client: pg.Client | pg.Pool, options: SeedRowsOptions): Promise<void> {
  const lineageLength = options.lineageLength ?? 10
  const block = lineageLength + (options.branches ?? 0)
  const step = options.onStep ?? (() => {})
  const spb = Math.max(1, Math.floor(options.secondsPerBlock ?? 1))
  for (const { chainId, rows } of options.chains) {
    await seedSchemas(client, chainId, 21)
    // o = (g - 1) % block is g's offset in its lineage block
    await client.query(`INSERT INTO "Attestation" ("chainId", "attestationId", "schemaId", "linkedAttestationId", "attestTimestamp", "revokeTimestamp",
        "attester", "validUntil", "dataLocation", "revoked", "recipientsRaw", "data", "decodedData", "dataEncoding", "decodeError", "indexingKey",
        "txHash", "txFrom", "blockNumber", "blockHash", "blockTimestamp", "logIndex")
      SELECT ${chainId}, g, CASE WHEN g % 1000 = 7 THEN 21 ELSE 1 + g % 20 END,
        CASE WHEN (g - 1) % ${block} = 0 THEN NULL WHEN (g - 1) % ${block} < ${lineageLength} THEN g - 1
          ELSE g - (g - 1) % ${block} + ((g - 1) % ${block} - ${lineageLength}) / 2 END,
        1700000000 + g / 3 * ${spb}, CASE WHEN g % 50 = 0 THEN 1700000000 + g * ${spb} ELSE 0 END,
        CASE WHEN g % 2 = 0 THEN '${seedAttester(0)}' ELSE '0x' || lpad(to_hex(1 + g % 9), 40, 'a') END, 0, 0, g % 50 = 0, ARRAY[]::text[],
        '0x', NULL, NULL, NULL, 'key-' || (g % 100), '0x' || lpad(to_hex(g), 64, '0'), '${seedAttester(0)}', g / 3,
        '0x' || lpad(to_hex(g / 3), 64, '0'), 1700000000 + g / 3 * ${spb}, (g % 3)::int
      FROM generate_series(1, ${rows}::bigint) AS g`)
    step(`chain ${chainId}: ${rows} attestations`)
    await client.query(`INSERT INTO "Recipient" ("chainId", "attestationId", "position", "raw", "address", "text", "attestTimestamp")
      SELECT a."chainId", a."attestationId", p, '0x00', CASE WHEN a."attestationId" % 3 <> 0 THEN '0x' || lpad(to_hex(a."attestationId" % 50), 40, 'c') END,
        CASE WHEN a."attestationId" % 3 = 0 THEN CASE WHEN a."attestationId" % 50 = 11 THEN '${seedChecksummedRecipient}' ELSE 'user' || (a."attestationId" % 50) || '@example.com' END END,
        a."attestTimestamp"
      FROM "Attestation" a CROSS JOIN LATERAL generate_series(0, CASE WHEN a."attestationId" % 97 = 0 THEN 1 ELSE 0 END) p
      WHERE a."chainId" = ${chainId}`)
    step(`chain ${chainId}: recipients`)
    if (options.verifications) {
      await client.query(`INSERT INTO "Verification" ("chainId", "attestationId", "status", "reasons", "finalized", "delegated", "checkedAt", "expiresAt", "nextCheckAt")
        SELECT "chainId", "attestationId", CASE WHEN "revoked" THEN 'REVOKED' ELSE 'VALID' END::"VerificationStatus",
          CASE WHEN "revoked" THEN '[{"code":"REVOKED","message":"revoked by a transaction"}]' ELSE '[]' END::jsonb,
          true, "txFrom" <> "attester", now(), NULL, NULL
        FROM "Attestation" WHERE "chainId" = ${chainId}`)
      step(`chain ${chainId}: verifications`)
    }
    if (options.chainRows) {
      await client.query(
        `INSERT INTO "Chain" ("chainId", "name", "contract", "startBlock", "confirmations", "headBlock", "headTimestamp", "safeBlock", "finalizedBlock", "updatedAt")
        VALUES ($1, $2, '0x0000000000000000000000000000000000005050', 0, 0, $3, $4, $3, $3, now())`,
        [chainId, `seeded-${chainId}`, Math.floor(rows / 3), 1700000000 + Math.floor(rows / 3) * spb],
      )
    }
  }
  if (options.offchainPerChain) {
    await client.query(`INSERT INTO "OffchainAttestation" ("chainId", "offchainAttestationId", "attester", "timestamp", "revoked", "txHash", "txFrom",
        "blockNumber", "blockHash", "blockTimestamp", "logIndex")
      SELECT c, 'off-' || g, '0x' || lpad(to_hex(g % 5), 40, 'a'), 1700000000 + g / 3, g % 50 = 0, '0x00', '0x00', g / 3, '0x00', 1700000000 + g / 3, (g % 3)::int
      FROM unnest(ARRAY[${options.chains.map((c) => c.chainId).join(', ')}]) AS c CROSS JOIN generate_series(1, ${options.offchainPerChain}) AS g`)
  }
  // VACUUM too: the visibility map as on any table autovacuum has visited (index-only scans become cheap, which
  // changes plans: keysetPlans must see the plans of a vacuumed table, not those of a freshly written one)
  await client.query('VACUUM ANALYZE')
  step('vacuumed and analyzed')
}
