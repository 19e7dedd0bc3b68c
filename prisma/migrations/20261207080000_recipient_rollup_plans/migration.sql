-- The recipient triggers of migration 20261207030000 find whether an attestation still has (or already had) a row
-- with a recipient key by a subquery on "Recipient" per (chain, attestation, key). Without column statistics (a table
-- written in bulk before any ANALYZE, as test/helpers/seedRows.ts does) the planner served it from the index
-- (chainId, recipientKey, attestTimestamp), reading every row of the key for each attestation: 60,000 recipients
-- over 50 keys took 58 s (20,000: 0.9 s). IS NOT DISTINCT FROM is the same test on this never-null column and no
-- index serves it, so the subquery reads the attestation's rows by primary key (chainId, attestationId, position).
-- Function bodies are E-strings with \073 for each semicolon, and no comment holds a semicolon or a quote (the
-- migration runner splits a script at every semicolon).

CREATE OR REPLACE FUNCTION "recipient_rollup_insert"() RETURNS trigger LANGUAGE plpgsql AS E'
BEGIN
  INSERT INTO "RecipientRollup" AS r ("chainId", "recipientKey", "count", "revokedCount", "firstAt", "lastAt")
  SELECT k."chainId", k."recipientKey", count(*), count(*) FILTER (WHERE a."revoked"), min(a."attestTimestamp"), max(a."attestTimestamp")
  FROM (SELECT n."chainId", n."attestationId", n."recipientKey", count(*) AS c FROM new_rows n GROUP BY 1, 2, 3) k
  JOIN "Attestation" a ON a."chainId" = k."chainId" AND a."attestationId" = k."attestationId"
  WHERE (SELECT count(*) FROM "Recipient" x
         WHERE x."chainId" = k."chainId" AND x."attestationId" = k."attestationId" AND x."recipientKey" IS NOT DISTINCT FROM k."recipientKey") = k.c
  GROUP BY 1, 2
  ON CONFLICT ("chainId", "recipientKey") DO UPDATE SET
    "count" = r."count" + EXCLUDED."count",
    "revokedCount" = r."revokedCount" + EXCLUDED."revokedCount",
    "firstAt" = LEAST(r."firstAt", EXCLUDED."firstAt"),
    "lastAt" = GREATEST(r."lastAt", EXCLUDED."lastAt")\073
  RETURN NULL\073
END ';

CREATE OR REPLACE FUNCTION "recipient_rollup_delete"() RETURNS trigger LANGUAGE plpgsql AS E'
BEGIN
  UPDATE "RecipientRollup" r SET
    "count" = r."count" - g.c,
    "revokedCount" = r."revokedCount" - g.rc,
    "firstAt" = CASE WHEN r."count" > g.c AND g.lo <= r."firstAt" THEN (
      SELECT min(x."attestTimestamp") FROM "Recipient" x WHERE x."chainId" = r."chainId" AND x."recipientKey" = r."recipientKey") ELSE r."firstAt" END,
    "lastAt" = CASE WHEN r."count" > g.c AND g.hi >= r."lastAt" THEN (
      SELECT max(x."attestTimestamp") FROM "Recipient" x WHERE x."chainId" = r."chainId" AND x."recipientKey" = r."recipientKey") ELSE r."lastAt" END
  FROM (
    SELECT k."chainId", k."recipientKey", count(*) AS c, count(*) FILTER (WHERE a."revoked") AS rc, min(k."attestTimestamp") AS lo, max(k."attestTimestamp") AS hi
    FROM (SELECT DISTINCT o."chainId", o."attestationId", o."recipientKey", o."attestTimestamp" FROM old_rows o) k
    LEFT JOIN "Attestation" a ON a."chainId" = k."chainId" AND a."attestationId" = k."attestationId"
    WHERE NOT EXISTS (SELECT 1 FROM "Recipient" x
                      WHERE x."chainId" = k."chainId" AND x."attestationId" = k."attestationId" AND x."recipientKey" IS NOT DISTINCT FROM k."recipientKey")
    GROUP BY 1, 2
  ) g
  WHERE r."chainId" = g."chainId" AND r."recipientKey" = g."recipientKey"\073
  DELETE FROM "RecipientRollup" r WHERE r."count" <= 0 AND (r."chainId", r."recipientKey") IN (
    SELECT o."chainId", o."recipientKey" FROM old_rows o)\073
  RETURN NULL\073
END ';
