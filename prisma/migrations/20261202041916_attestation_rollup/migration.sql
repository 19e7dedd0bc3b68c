-- CreateTable
CREATE TABLE "AttestationRollup" (
    "chainId" INTEGER NOT NULL,
    "schemaId" BIGINT NOT NULL,
    "attester" TEXT NOT NULL,
    "day" BIGINT NOT NULL,
    "count" BIGINT NOT NULL,
    "revokedCount" BIGINT NOT NULL,
    "firstAt" BIGINT NOT NULL,
    "lastAt" BIGINT NOT NULL,

    CONSTRAINT "AttestationRollup_pkey" PRIMARY KEY ("chainId","schemaId","attester","day")
);

-- CreateIndex
CREATE INDEX "AttestationRollup_chainId_attester_day_idx" ON "AttestationRollup"("chainId", "attester", "day");

-- CreateIndex
CREATE INDEX "AttestationRollup_chainId_day_idx" ON "AttestationRollup"("chainId", "day");

-- Function bodies are E-strings with \073 for each semicolon, and no comment holds a semicolon or a quote: the
-- migration runner (the executeScript of adapter-pg) splits a script at every semicolon, dollar quotes included.
--
-- The rollup is kept by the database itself, in the writing transaction, whatever the write path (the bulk insert of
-- ingest, the UPDATE of a revocation, the set DELETEs of rollbackChain and resetChain): statement-level triggers over the
-- transition tables, so a 10,000-row insert costs one grouped upsert, not 10,000. The row of a key exists while the key
-- has attestations. Its firstAt / lastAt are recomputed from "Attestation" only when a DELETE removed the
-- earliest or latest one (an index range over the day of the attester).

CREATE FUNCTION "attestation_rollup_insert"() RETURNS trigger LANGUAGE plpgsql AS E'
BEGIN
  INSERT INTO "AttestationRollup" AS r ("chainId", "schemaId", "attester", "day", "count", "revokedCount", "firstAt", "lastAt")
  SELECT n."chainId", n."schemaId", n."attester", n."attestTimestamp" - n."attestTimestamp" % 86400,
         count(*), count(*) FILTER (WHERE n."revoked"), min(n."attestTimestamp"), max(n."attestTimestamp")
  FROM new_rows n
  GROUP BY 1, 2, 3, 4
  ON CONFLICT ("chainId", "schemaId", "attester", "day") DO UPDATE SET
    "count" = r."count" + EXCLUDED."count",
    "revokedCount" = r."revokedCount" + EXCLUDED."revokedCount",
    "firstAt" = LEAST(r."firstAt", EXCLUDED."firstAt"),
    "lastAt" = GREATEST(r."lastAt", EXCLUDED."lastAt")\073
  RETURN NULL\073
END ';

CREATE FUNCTION "attestation_rollup_delete"() RETURNS trigger LANGUAGE plpgsql AS E'
BEGIN
  UPDATE "AttestationRollup" r SET
    "count" = r."count" - g.c,
    "revokedCount" = r."revokedCount" - g.rc,
    "firstAt" = CASE WHEN r."count" > g.c AND g.lo <= r."firstAt" THEN (
      SELECT min(a."attestTimestamp") FROM "Attestation" a
      WHERE a."chainId" = r."chainId" AND a."attester" = r."attester" AND a."schemaId" = r."schemaId"
        AND a."attestTimestamp" >= r."day" AND a."attestTimestamp" < r."day" + 86400) ELSE r."firstAt" END,
    "lastAt" = CASE WHEN r."count" > g.c AND g.hi >= r."lastAt" THEN (
      SELECT max(a."attestTimestamp") FROM "Attestation" a
      WHERE a."chainId" = r."chainId" AND a."attester" = r."attester" AND a."schemaId" = r."schemaId"
        AND a."attestTimestamp" >= r."day" AND a."attestTimestamp" < r."day" + 86400) ELSE r."lastAt" END
  FROM (
    SELECT o."chainId", o."schemaId", o."attester", o."attestTimestamp" - o."attestTimestamp" % 86400 AS "day",
           count(*) AS c, count(*) FILTER (WHERE o."revoked") AS rc, min(o."attestTimestamp") AS lo, max(o."attestTimestamp") AS hi
    FROM old_rows o GROUP BY 1, 2, 3, 4
  ) g
  WHERE r."chainId" = g."chainId" AND r."schemaId" = g."schemaId" AND r."attester" = g."attester" AND r."day" = g."day"\073
  DELETE FROM "AttestationRollup" r
  USING (SELECT DISTINCT o."chainId", o."schemaId", o."attester", o."attestTimestamp" - o."attestTimestamp" % 86400 AS "day" FROM old_rows o) g
  WHERE r."chainId" = g."chainId" AND r."schemaId" = g."schemaId" AND r."attester" = g."attester" AND r."day" = g."day" AND r."count" <= 0\073
  RETURN NULL\073
END ';

-- Revocations (and their undoing by a rollback) move attestations in or out of revokedCount. The key columns
-- (chainId, attestationId, schemaId, attester, attestTimestamp) come from the contract and are never updated,
-- an UPDATE that changes one is refused rather than leaving the rollup wrong.
CREATE FUNCTION "attestation_rollup_update"() RETURNS trigger LANGUAGE plpgsql AS E'
BEGIN
  IF EXISTS (
    SELECT 1 FROM old_rows o LEFT JOIN new_rows n ON n."chainId" = o."chainId" AND n."attestationId" = o."attestationId"
    WHERE n."attestationId" IS NULL OR n."schemaId" <> o."schemaId" OR n."attester" <> o."attester" OR n."attestTimestamp" <> o."attestTimestamp"
  ) THEN
    RAISE EXCEPTION ''AttestationRollup: an UPDATE changed the chain, id, schema, attester or attestTimestamp of an attestation''\073
  END IF\073
  UPDATE "AttestationRollup" r SET "revokedCount" = r."revokedCount" + g.delta
  FROM (
    SELECT n."chainId", n."schemaId", n."attester", n."attestTimestamp" - n."attestTimestamp" % 86400 AS "day",
           sum(n."revoked"::int - o."revoked"::int) AS delta
    FROM new_rows n JOIN old_rows o ON o."chainId" = n."chainId" AND o."attestationId" = n."attestationId"
    WHERE n."revoked" <> o."revoked"
    GROUP BY 1, 2, 3, 4
  ) g
  WHERE r."chainId" = g."chainId" AND r."schemaId" = g."schemaId" AND r."attester" = g."attester" AND r."day" = g."day" AND g.delta <> 0\073
  RETURN NULL\073
END ';

CREATE TRIGGER "attestation_rollup_insert" AFTER INSERT ON "Attestation"
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "attestation_rollup_insert"();
CREATE TRIGGER "attestation_rollup_delete" AFTER DELETE ON "Attestation"
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION "attestation_rollup_delete"();
CREATE TRIGGER "attestation_rollup_update" AFTER UPDATE ON "Attestation"
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "attestation_rollup_update"();

-- Fill the rollup from the attestations already stored.
INSERT INTO "AttestationRollup" ("chainId", "schemaId", "attester", "day", "count", "revokedCount", "firstAt", "lastAt")
SELECT a."chainId", a."schemaId", a."attester", a."attestTimestamp" - a."attestTimestamp" % 86400,
       count(*), count(*) FILTER (WHERE a."revoked"), min(a."attestTimestamp"), max(a."attestTimestamp")
FROM "Attestation" a
GROUP BY 1, 2, 3, 4;
