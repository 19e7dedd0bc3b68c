-- The three statement-level triggers that an insert into "Recipient" fired ("attester_recipient_rollup_insert",
-- "recipient_rollup_insert", "stats_recipient_rollups_insert") each found the same rows again: the new keys of each
-- attestation (grouped from new_rows, checked against "Recipient" for a key the attestation already had) joined to
-- the attestation. For a statement of 5,000 recipients of a backfill that was 72 of the ~100 ms the server spent
-- (EXPLAIN ANALYZE of a replayed commit). One trigger now finds them once and feeds the same upserts: the
-- "AttesterRecipientRollup", "RecipientRollup", "SchemaRecipientRollup" and "SchemaRollup" changes in one statement
-- (none of them reads a table another one writes), then "RecipientTotalRollup" from "RecipientRollup" as it now is,
-- as the last of the three triggers did. The results are those of the three triggers. Function bodies are E-strings
-- with \073 for each semicolon, and no comment holds a semicolon or a quote (the migration runner splits a script at
-- every semicolon).

CREATE FUNCTION "recipient_rollups_insert"() RETURNS trigger LANGUAGE plpgsql AS E'
BEGIN
  WITH j AS MATERIALIZED (
    SELECT k."chainId", k."recipientKey", a."attester", a."schemaId", a."revoked", a."attestTimestamp"
    FROM (SELECT n."chainId", n."attestationId", n."recipientKey", count(*) AS c FROM new_rows n GROUP BY 1, 2, 3) k
    JOIN "Attestation" a ON a."chainId" = k."chainId" AND a."attestationId" = k."attestationId"
    WHERE (SELECT count(*) FROM "Recipient" x
           WHERE x."chainId" = k."chainId" AND x."attestationId" = k."attestationId" AND x."recipientKey" IS NOT DISTINCT FROM k."recipientKey") = k.c
  ), by_attester AS (
    INSERT INTO "AttesterRecipientRollup" AS r ("chainId", "attester", "recipientKey", "count", "revokedCount")
    SELECT j."chainId", j."attester", j."recipientKey", count(*), count(*) FILTER (WHERE j."revoked") FROM j
    GROUP BY 1, 2, 3
    ON CONFLICT ("chainId", "attester", "recipientKey") DO UPDATE SET
      "count" = r."count" + EXCLUDED."count",
      "revokedCount" = r."revokedCount" + EXCLUDED."revokedCount"
  ), by_key AS (
    INSERT INTO "RecipientRollup" AS r ("chainId", "recipientKey", "count", "revokedCount", "firstAt", "lastAt")
    SELECT j."chainId", j."recipientKey", count(*), count(*) FILTER (WHERE j."revoked"), min(j."attestTimestamp"), max(j."attestTimestamp") FROM j
    GROUP BY 1, 2
    ON CONFLICT ("chainId", "recipientKey") DO UPDATE SET
      "count" = r."count" + EXCLUDED."count",
      "revokedCount" = r."revokedCount" + EXCLUDED."revokedCount",
      "firstAt" = LEAST(r."firstAt", EXCLUDED."firstAt"),
      "lastAt" = GREATEST(r."lastAt", EXCLUDED."lastAt")
  ), by_schema AS (
    SELECT j."chainId", j."schemaId", j."recipientKey", count(*) AS c FROM j GROUP BY 1, 2, 3
  ), fresh AS (
    SELECT k."chainId", k."schemaId", count(*) AS n FROM by_schema k
    WHERE NOT EXISTS (SELECT 1 FROM "SchemaRecipientRollup" r
                      WHERE r."chainId" = k."chainId" AND r."schemaId" = k."schemaId" AND r."recipientKey" = k."recipientKey")
    GROUP BY 1, 2
  ), upsert AS (
    INSERT INTO "SchemaRecipientRollup" AS r ("chainId", "schemaId", "recipientKey", "count")
    SELECT k."chainId", k."schemaId", k."recipientKey", k.c FROM by_schema k
    ON CONFLICT ("chainId", "schemaId", "recipientKey") DO UPDATE SET "count" = r."count" + EXCLUDED."count"
  )
  UPDATE "SchemaRollup" s SET "uniqueRecipients" = s."uniqueRecipients" + f.n
  FROM fresh f WHERE s."chainId" = f."chainId" AND s."schemaId" = f."schemaId"\073
  INSERT INTO "RecipientTotalRollup" AS t ("recipientKey", "count", "revokedCount", "firstAt", "lastAt")
  SELECT r."recipientKey", sum(r."count"), sum(r."revokedCount"), min(r."firstAt"), max(r."lastAt")
  FROM "RecipientRollup" r WHERE r."recipientKey" IN (SELECT n."recipientKey" FROM new_rows n)
  GROUP BY 1
  ON CONFLICT ("recipientKey") DO UPDATE SET
    "count" = EXCLUDED."count",
    "revokedCount" = EXCLUDED."revokedCount",
    "firstAt" = EXCLUDED."firstAt",
    "lastAt" = EXCLUDED."lastAt"\073
  RETURN NULL\073
END ';

DROP TRIGGER "attester_recipient_rollup_insert" ON "Recipient";
DROP TRIGGER "recipient_rollup_insert" ON "Recipient";
DROP TRIGGER "stats_recipient_rollups_insert" ON "Recipient";
DROP FUNCTION "attester_recipient_rollup_insert"();
DROP FUNCTION "recipient_rollup_insert"();
DROP FUNCTION "stats_recipient_rollups_insert"();

CREATE TRIGGER "recipient_rollups_insert" AFTER INSERT ON "Recipient"
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "recipient_rollups_insert"();
