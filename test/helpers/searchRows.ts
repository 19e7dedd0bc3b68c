/**
 * Attestations and schemas for the search plan test and bench, written by SQL (`generate_series`): per chain, 10
 * schemas (schema 7 named "Rare Passport"), and attestations g = 1…rows with schemaId 1 + g % 10, indexing key
 * "key-<g % 100>", decoded data { name: "user<g>", city: one of Berlin/Paris/Lagos/Lima/Osaka, note: "zebra crossing"
 * on every 1,000th row (g % 1000 = 7) else "ordinary", amount: g }, attestTimestamp increasing with the id.
 */
import type pg from 'pg'

export async function writeSearchRows(client: pg.Client, chains: { chainId: number; rows: number }[]): Promise<void> {
  for (const { chainId, rows } of chains) {
    await client.query(`INSERT INTO "Schema" ("chainId", "schemaId", "registrant", "revocable", "dataLocation", "maxValidFor", "hook", "timestamp", "data",
        "dataJson", "txHash", "txFrom", "blockNumber", "blockHash", "logIndex")
      SELECT ${chainId}, s, '0x${'a'.repeat(40)}', true, 0, 0, '0x${'0'.repeat(40)}', 1700000000, 'schema',
        jsonb_build_object('name', CASE WHEN s = 7 THEN 'Rare Passport' ELSE 'Schema ' || s END, 'description', 'a schema', 'data', '[]'::jsonb),
        '0x00', '0x00', 0, '0x00', s
      FROM generate_series(1, 10) AS s`)
    await client.query(`INSERT INTO "Attestation" ("chainId", "attestationId", "schemaId", "attestTimestamp", "revokeTimestamp", "attester", "validUntil",
        "dataLocation", "revoked", "recipientsRaw", "data", "decodedData", "indexingKey", "txHash", "txFrom", "blockNumber", "blockHash", "blockTimestamp", "logIndex")
      SELECT ${chainId}, g, 1 + g % 10, 1700000000 + g / 3, 0, '0x${'b'.repeat(40)}', 0, 0, false, ARRAY[]::text[], '0x',
        jsonb_build_object('name', 'user' || g, 'city', (ARRAY['Berlin', 'Paris', 'Lagos', 'Lima', 'Osaka'])[1 + g % 5],
          'note', CASE WHEN g % 1000 = 7 THEN 'zebra crossing' ELSE 'ordinary' END, 'amount', g),
        'key-' || (g % 100), '0x00', '0x00', g / 3, '0x00', 1700000000 + g / 3, 0
      FROM generate_series(1, ${rows}::bigint) AS g`)
  }
  await client.query('ANALYZE')
}
