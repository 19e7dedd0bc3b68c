-- The recipient rollup's triggers (migration 20261207030000) asked, per attestation and recipient key of the
-- statement, how many rows of "Recipient" the attestation has with that key. Written with the key in the WHERE, the
-- planner (fresh table, no statistics, plan cached by the trigger) read it through the key's index
-- ("chainId", "recipientKey", "attestTimestamp") and filtered every row of the key by attestation: each new
-- recipient walked all earlier rows of its key, so a backfill's commits grew with the table (100,000 attestations
-- over ten recipients: 5,000 recipients took 2 s to insert at the start, 14 s at 85,000). Here the rows are read
-- by the attestation only (the primary key's prefix: an attestation has a few rows) and the key is counted over
-- them. Same answers: recipientKey is never NULL (recipient_key falls back to the raw bytes, NOT NULL).
-- Function bodies are E-strings with \073 for each semicolon, and no comment holds a semicolon or a quote (the
-- migration runner splits a script at every semicolon).

CREATE OR REPLACE FUNCTION "recipient_rollup_insert"() RETURNS trigger LANGUAGE plpgsql AS E'
BEGIN
  INSERT INTO "RecipientRollup" AS r ("chainId", "recipientKey", "count", "revokedCount", "firstAt", "lastAt")
  SELECT k."chainId", k."recipientKey", count(*), count(*) FILTER (WHERE a."revoked"), min(a."attestTimestamp"), max(a."attestTimestamp")
  FROM (SELECT n."chainId", n."attestationId", n."recipientKey", count(*) AS c FROM new_rows n GROUP BY 1, 2, 3) k
  JOIN "Attestation" a ON a."chainId" = k."chainId" AND a."attestationId" = k."attestationId"
  WHERE (SELECT count(*) FILTER (WHERE x."recipientKey" = k."recipientKey") FROM "Recipient" x
         WHERE x."chainId" = k."chainId" AND x."attestationId" = k."attestationId") = k.c
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
    WHERE (SELECT count(*) FILTER (WHERE x."recipientKey" = k."recipientKey") FROM "Recipient" x
           WHERE x."chainId" = k."chainId" AND x."attestationId" = k."attestationId") = 0
    GROUP BY 1, 2
  ) g
  WHERE r."chainId" = g."chainId" AND r."recipientKey" = g."recipientKey"\073
  DELETE FROM "RecipientRollup" r WHERE r."count" <= 0 AND (r."chainId", r."recipientKey") IN (
    SELECT o."chainId", o."recipientKey" FROM old_rows o)\073
  RETURN NULL\073
END ';
