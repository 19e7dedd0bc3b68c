-- "AttesterRecipientRollup": (chainId, attester, recipientKey) and the number of the attester's attestations naming
-- the key (an attestation counts once per distinct key), with how many are revoked, for RECIPIENT groupings of one
-- attester on one chain (src/gateway/stats/rollupSql.ts). No firstAt / lastAt: the gateway reads them for the
-- groups of a page only (the key's Recipient rows in time order, index chainId, recipientKey, attestTimestamp).
-- Kept like the other rollups: statement-level triggers on "Recipient" (rows come after their attestation and go
-- before it) and the revocation UPDATE of "Attestation". Function bodies are E-strings with \073 for each
-- semicolon, and no comment holds a semicolon or a quote (the migration runner splits a script at every semicolon).

-- CreateTable
CREATE TABLE "AttesterRecipientRollup" (
    "chainId" INTEGER NOT NULL,
    "attester" TEXT NOT NULL,
    "recipientKey" TEXT NOT NULL,
    "count" BIGINT NOT NULL,
    "revokedCount" BIGINT NOT NULL,

    CONSTRAINT "AttesterRecipientRollup_pkey" PRIMARY KEY ("chainId","attester","recipientKey")
);

-- Page order index (an expression: schema.prisma cannot declare it, the schema engine leaves it alone)
CREATE INDEX "AttesterRecipientRollup_order_idx" ON "AttesterRecipientRollup" ("chainId", "attester", (-"count"), "recipientKey" COLLATE "C");

-- A key counts for an attestation from the statement that gives the attestation its first row with that key to the
-- one that takes its last (as for "RecipientRollup").
CREATE FUNCTION "attester_recipient_rollup_insert"() RETURNS trigger LANGUAGE plpgsql AS E'
BEGIN
  INSERT INTO "AttesterRecipientRollup" AS r ("chainId", "attester", "recipientKey", "count", "revokedCount")
  SELECT j."chainId", a."attester", j."recipientKey", count(*), count(*) FILTER (WHERE a."revoked")
  FROM (SELECT n."chainId", n."attestationId", n."recipientKey", count(*) AS c FROM new_rows n GROUP BY 1, 2, 3) j
  JOIN "Attestation" a ON a."chainId" = j."chainId" AND a."attestationId" = j."attestationId"
  WHERE (SELECT count(*) FROM "Recipient" x
         WHERE x."chainId" = j."chainId" AND x."attestationId" = j."attestationId" AND x."recipientKey" IS NOT DISTINCT FROM j."recipientKey") = j.c
  GROUP BY 1, 2, 3
  ON CONFLICT ("chainId", "attester", "recipientKey") DO UPDATE SET
    "count" = r."count" + EXCLUDED."count",
    "revokedCount" = r."revokedCount" + EXCLUDED."revokedCount"\073
  RETURN NULL\073
END ';

CREATE FUNCTION "attester_recipient_rollup_delete"() RETURNS trigger LANGUAGE plpgsql AS E'
BEGIN
  UPDATE "AttesterRecipientRollup" r SET "count" = r."count" - g.c, "revokedCount" = r."revokedCount" - g.rc
  FROM (
    SELECT k."chainId", a."attester", k."recipientKey", count(*) AS c, count(*) FILTER (WHERE a."revoked") AS rc
    FROM (SELECT DISTINCT o."chainId", o."attestationId", o."recipientKey" FROM old_rows o) k
    JOIN "Attestation" a ON a."chainId" = k."chainId" AND a."attestationId" = k."attestationId"
    WHERE NOT EXISTS (SELECT 1 FROM "Recipient" x
                      WHERE x."chainId" = k."chainId" AND x."attestationId" = k."attestationId" AND x."recipientKey" IS NOT DISTINCT FROM k."recipientKey")
    GROUP BY 1, 2, 3
  ) g
  WHERE r."chainId" = g."chainId" AND r."attester" = g."attester" AND r."recipientKey" = g."recipientKey"\073
  DELETE FROM "AttesterRecipientRollup" r WHERE r."count" <= 0 AND (r."chainId", r."attester", r."recipientKey") IN (
    SELECT o."chainId", a."attester", o."recipientKey" FROM old_rows o
    JOIN "Attestation" a ON a."chainId" = o."chainId" AND a."attestationId" = o."attestationId")\073
  RETURN NULL\073
END ';

-- Revocations (and their undoing by a rollback): revokedCount deltas of the keys of the attestations whose
-- revocation changed. The trigger of "AttestationRollup" refuses an UPDATE of the attester.
CREATE FUNCTION "attester_recipient_rollup_update"() RETURNS trigger LANGUAGE plpgsql AS E'
BEGIN
  UPDATE "AttesterRecipientRollup" r SET "revokedCount" = r."revokedCount" + g.delta
  FROM (
    SELECT k."chainId", k."attester", k."recipientKey", sum(k.delta) AS delta
    FROM (
      SELECT DISTINCT n."chainId", n."attestationId", n."attester", x."recipientKey", n."revoked"::int - o."revoked"::int AS delta
      FROM new_rows n JOIN old_rows o ON o."chainId" = n."chainId" AND o."attestationId" = n."attestationId"
      JOIN "Recipient" x ON x."chainId" = n."chainId" AND x."attestationId" = n."attestationId"
      WHERE n."revoked" <> o."revoked"
    ) k
    GROUP BY 1, 2, 3
  ) g
  WHERE r."chainId" = g."chainId" AND r."attester" = g."attester" AND r."recipientKey" = g."recipientKey" AND g.delta <> 0\073
  RETURN NULL\073
END ';

CREATE TRIGGER "attester_recipient_rollup_insert" AFTER INSERT ON "Recipient"
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "attester_recipient_rollup_insert"();
CREATE TRIGGER "attester_recipient_rollup_delete" AFTER DELETE ON "Recipient"
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION "attester_recipient_rollup_delete"();
CREATE TRIGGER "attester_recipient_rollup_update" AFTER UPDATE ON "Attestation"
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "attester_recipient_rollup_update"();

-- Fill the rollup from the rows already stored.
INSERT INTO "AttesterRecipientRollup" ("chainId", "attester", "recipientKey", "count", "revokedCount")
SELECT k."chainId", a."attester", k."recipientKey", count(*), count(*) FILTER (WHERE a."revoked")
FROM (SELECT DISTINCT x."chainId", x."attestationId", x."recipientKey" FROM "Recipient" x) k
JOIN "Attestation" a ON a."chainId" = k."chainId" AND a."attestationId" = k."attestationId"
GROUP BY 1, 2, 3;
