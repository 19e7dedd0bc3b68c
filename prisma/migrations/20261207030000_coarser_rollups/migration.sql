-- Coarser rollups for the explorer statistics (src/gateway/stats/rollupChoice.ts picks the smallest one that answers
-- a filter and a grouping exactly), kept like "AttestationRollup" (migration 20261202041916): statement-level
-- triggers over the transition tables, in the writing transaction, whatever the write path.
-- Function bodies are E-strings with \073 for each semicolon, and no comment holds a semicolon or a quote (the
-- migration runner splits a script at every semicolon).
--
-- "SchemaDayRollup": (chainId, schemaId, UTC day), for DAY groupings and whole-day ranges without an attester.
-- "SchemaAttesterRollup": (chainId, schemaId, attester), for filters and groupings without a time.
-- "RecipientRollup": (chainId, recipient key), for RECIPIENT groupings of a chain or of every chain. An attestation
-- counts once per distinct recipient key (the key of attestationStats, recipient_key below), kept by triggers on
-- "Recipient" (whose rows an attestation gets after its own INSERT and loses before its DELETE: the foreign key is
-- not deferrable) and by the revocation UPDATE of "Attestation".

-- CreateTable
CREATE TABLE "SchemaDayRollup" (
    "chainId" INTEGER NOT NULL,
    "schemaId" BIGINT NOT NULL,
    "day" BIGINT NOT NULL,
    "count" BIGINT NOT NULL,
    "revokedCount" BIGINT NOT NULL,
    "firstAt" BIGINT NOT NULL,
    "lastAt" BIGINT NOT NULL,

    CONSTRAINT "SchemaDayRollup_pkey" PRIMARY KEY ("chainId","schemaId","day")
);

-- CreateTable
CREATE TABLE "SchemaAttesterRollup" (
    "chainId" INTEGER NOT NULL,
    "schemaId" BIGINT NOT NULL,
    "attester" TEXT NOT NULL,
    "count" BIGINT NOT NULL,
    "revokedCount" BIGINT NOT NULL,
    "firstAt" BIGINT NOT NULL,
    "lastAt" BIGINT NOT NULL,

    CONSTRAINT "SchemaAttesterRollup_pkey" PRIMARY KEY ("chainId","schemaId","attester")
);

-- CreateTable
CREATE TABLE "RecipientRollup" (
    "chainId" INTEGER NOT NULL,
    "recipientKey" TEXT NOT NULL,
    "count" BIGINT NOT NULL,
    "revokedCount" BIGINT NOT NULL,
    "firstAt" BIGINT NOT NULL,
    "lastAt" BIGINT NOT NULL,

    CONSTRAINT "RecipientRollup_pkey" PRIMARY KEY ("chainId","recipientKey")
);

-- CreateIndex
CREATE INDEX "SchemaDayRollup_chainId_day_idx" ON "SchemaDayRollup"("chainId", "day");

-- CreateIndex
CREATE INDEX "SchemaAttesterRollup_chainId_attester_idx" ON "SchemaAttesterRollup"("chainId", "attester");

-- A recipient as one key: a lower-case address when it is one (decoded from abi.encode(address), or a string that is
-- an address), else its text, else its raw bytes — as 'md5:' and their MD5 when longer than 2,000 bytes, since the key
-- is a btree entry (this index, RecipientRollup's primary key: PostgreSQL refuses entries over 2,704 bytes, and an
-- attester may send any recipient bytes). The statistics' direct GROUP BY reads this column too (attestationStatsSql.ts).
CREATE FUNCTION recipient_key(address text, recipient_text text, raw text) RETURNS text
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $$
    SELECT COALESCE(address, CASE WHEN recipient_text ~ '^0x[0-9a-fA-F]{40}$' THEN lower(recipient_text) ELSE recipient_text END,
      CASE WHEN octet_length(raw) <= 2000 THEN raw ELSE 'md5:' || md5(raw) END)
  $$;

-- AlterTable (rewrites the table once: every existing row gets its key)
ALTER TABLE "Recipient" ADD COLUMN "recipientKey" TEXT GENERATED ALWAYS AS (recipient_key("address", "text", "raw")) STORED;

-- CreateIndex (the earliest / latest attestation of a key, after a DELETE removed it)
CREATE INDEX "Recipient_chainId_recipientKey_attestTimestamp_idx" ON "Recipient"("chainId", "recipientKey", "attestTimestamp");

CREATE FUNCTION "schema_rollups_insert"() RETURNS trigger LANGUAGE plpgsql AS E'
BEGIN
  INSERT INTO "SchemaDayRollup" AS r ("chainId", "schemaId", "day", "count", "revokedCount", "firstAt", "lastAt")
  SELECT n."chainId", n."schemaId", n."attestTimestamp" - n."attestTimestamp" % 86400,
         count(*), count(*) FILTER (WHERE n."revoked"), min(n."attestTimestamp"), max(n."attestTimestamp")
  FROM new_rows n
  GROUP BY 1, 2, 3
  ON CONFLICT ("chainId", "schemaId", "day") DO UPDATE SET
    "count" = r."count" + EXCLUDED."count",
    "revokedCount" = r."revokedCount" + EXCLUDED."revokedCount",
    "firstAt" = LEAST(r."firstAt", EXCLUDED."firstAt"),
    "lastAt" = GREATEST(r."lastAt", EXCLUDED."lastAt")\073
  INSERT INTO "SchemaAttesterRollup" AS r ("chainId", "schemaId", "attester", "count", "revokedCount", "firstAt", "lastAt")
  SELECT n."chainId", n."schemaId", n."attester",
         count(*), count(*) FILTER (WHERE n."revoked"), min(n."attestTimestamp"), max(n."attestTimestamp")
  FROM new_rows n
  GROUP BY 1, 2, 3
  ON CONFLICT ("chainId", "schemaId", "attester") DO UPDATE SET
    "count" = r."count" + EXCLUDED."count",
    "revokedCount" = r."revokedCount" + EXCLUDED."revokedCount",
    "firstAt" = LEAST(r."firstAt", EXCLUDED."firstAt"),
    "lastAt" = GREATEST(r."lastAt", EXCLUDED."lastAt")\073
  RETURN NULL\073
END ';

-- firstAt / lastAt are recomputed from "Attestation" only when a DELETE removed the earliest or latest attestation
-- of a key that keeps some (an index range: chainId, schemaId, attestTimestamp for a day, chainId, attester,
-- attestTimestamp for an attester).
CREATE FUNCTION "schema_rollups_delete"() RETURNS trigger LANGUAGE plpgsql AS E'
BEGIN
  UPDATE "SchemaDayRollup" r SET
    "count" = r."count" - g.c,
    "revokedCount" = r."revokedCount" - g.rc,
    "firstAt" = CASE WHEN r."count" > g.c AND g.lo <= r."firstAt" THEN (
      SELECT min(a."attestTimestamp") FROM "Attestation" a
      WHERE a."chainId" = r."chainId" AND a."schemaId" = r."schemaId"
        AND a."attestTimestamp" >= r."day" AND a."attestTimestamp" < r."day" + 86400) ELSE r."firstAt" END,
    "lastAt" = CASE WHEN r."count" > g.c AND g.hi >= r."lastAt" THEN (
      SELECT max(a."attestTimestamp") FROM "Attestation" a
      WHERE a."chainId" = r."chainId" AND a."schemaId" = r."schemaId"
        AND a."attestTimestamp" >= r."day" AND a."attestTimestamp" < r."day" + 86400) ELSE r."lastAt" END
  FROM (
    SELECT o."chainId", o."schemaId", o."attestTimestamp" - o."attestTimestamp" % 86400 AS "day",
           count(*) AS c, count(*) FILTER (WHERE o."revoked") AS rc, min(o."attestTimestamp") AS lo, max(o."attestTimestamp") AS hi
    FROM old_rows o GROUP BY 1, 2, 3
  ) g
  WHERE r."chainId" = g."chainId" AND r."schemaId" = g."schemaId" AND r."day" = g."day"\073
  DELETE FROM "SchemaDayRollup" r WHERE r."count" <= 0 AND (r."chainId", r."schemaId", r."day") IN (
    SELECT o."chainId", o."schemaId", o."attestTimestamp" - o."attestTimestamp" % 86400 FROM old_rows o)\073
  UPDATE "SchemaAttesterRollup" r SET
    "count" = r."count" - g.c,
    "revokedCount" = r."revokedCount" - g.rc,
    "firstAt" = CASE WHEN r."count" > g.c AND g.lo <= r."firstAt" THEN (
      SELECT min(a."attestTimestamp") FROM "Attestation" a
      WHERE a."chainId" = r."chainId" AND a."attester" = r."attester" AND a."schemaId" = r."schemaId") ELSE r."firstAt" END,
    "lastAt" = CASE WHEN r."count" > g.c AND g.hi >= r."lastAt" THEN (
      SELECT max(a."attestTimestamp") FROM "Attestation" a
      WHERE a."chainId" = r."chainId" AND a."attester" = r."attester" AND a."schemaId" = r."schemaId") ELSE r."lastAt" END
  FROM (
    SELECT o."chainId", o."schemaId", o."attester",
           count(*) AS c, count(*) FILTER (WHERE o."revoked") AS rc, min(o."attestTimestamp") AS lo, max(o."attestTimestamp") AS hi
    FROM old_rows o GROUP BY 1, 2, 3
  ) g
  WHERE r."chainId" = g."chainId" AND r."schemaId" = g."schemaId" AND r."attester" = g."attester"\073
  DELETE FROM "SchemaAttesterRollup" r WHERE r."count" <= 0 AND (r."chainId", r."schemaId", r."attester") IN (
    SELECT o."chainId", o."schemaId", o."attester" FROM old_rows o)\073
  RETURN NULL\073
END ';

-- Revocations (and their undoing by a rollback): revokedCount deltas for both rollups and for the recipient keys of
-- the attestation. The trigger of "AttestationRollup" refuses an UPDATE of the key columns.
CREATE FUNCTION "schema_rollups_update"() RETURNS trigger LANGUAGE plpgsql AS E'
BEGIN
  UPDATE "SchemaDayRollup" r SET "revokedCount" = r."revokedCount" + g.delta
  FROM (
    SELECT n."chainId", n."schemaId", n."attestTimestamp" - n."attestTimestamp" % 86400 AS "day", sum(n."revoked"::int - o."revoked"::int) AS delta
    FROM new_rows n JOIN old_rows o ON o."chainId" = n."chainId" AND o."attestationId" = n."attestationId"
    WHERE n."revoked" <> o."revoked"
    GROUP BY 1, 2, 3
  ) g
  WHERE r."chainId" = g."chainId" AND r."schemaId" = g."schemaId" AND r."day" = g."day" AND g.delta <> 0\073
  UPDATE "SchemaAttesterRollup" r SET "revokedCount" = r."revokedCount" + g.delta
  FROM (
    SELECT n."chainId", n."schemaId", n."attester", sum(n."revoked"::int - o."revoked"::int) AS delta
    FROM new_rows n JOIN old_rows o ON o."chainId" = n."chainId" AND o."attestationId" = n."attestationId"
    WHERE n."revoked" <> o."revoked"
    GROUP BY 1, 2, 3
  ) g
  WHERE r."chainId" = g."chainId" AND r."schemaId" = g."schemaId" AND r."attester" = g."attester" AND g.delta <> 0\073
  UPDATE "RecipientRollup" r SET "revokedCount" = r."revokedCount" + g.delta
  FROM (
    SELECT k."chainId", k."recipientKey", sum(k.delta) AS delta
    FROM (
      SELECT DISTINCT n."chainId", n."attestationId", x."recipientKey", n."revoked"::int - o."revoked"::int AS delta
      FROM new_rows n JOIN old_rows o ON o."chainId" = n."chainId" AND o."attestationId" = n."attestationId"
      JOIN "Recipient" x ON x."chainId" = n."chainId" AND x."attestationId" = n."attestationId"
      WHERE n."revoked" <> o."revoked"
    ) k
    GROUP BY 1, 2
  ) g
  WHERE r."chainId" = g."chainId" AND r."recipientKey" = g."recipientKey" AND g.delta <> 0\073
  RETURN NULL\073
END ';

-- A recipient key counts for an attestation from the statement that gives it its first row with that key (all its
-- rows with the key are new) to the one that takes its last (none is left).
CREATE FUNCTION "recipient_rollup_insert"() RETURNS trigger LANGUAGE plpgsql AS E'
BEGIN
  INSERT INTO "RecipientRollup" AS r ("chainId", "recipientKey", "count", "revokedCount", "firstAt", "lastAt")
  SELECT k."chainId", k."recipientKey", count(*), count(*) FILTER (WHERE a."revoked"), min(a."attestTimestamp"), max(a."attestTimestamp")
  FROM (SELECT n."chainId", n."attestationId", n."recipientKey", count(*) AS c FROM new_rows n GROUP BY 1, 2, 3) k
  JOIN "Attestation" a ON a."chainId" = k."chainId" AND a."attestationId" = k."attestationId"
  WHERE (SELECT count(*) FROM "Recipient" x
         WHERE x."chainId" = k."chainId" AND x."attestationId" = k."attestationId" AND x."recipientKey" = k."recipientKey") = k.c
  GROUP BY 1, 2
  ON CONFLICT ("chainId", "recipientKey") DO UPDATE SET
    "count" = r."count" + EXCLUDED."count",
    "revokedCount" = r."revokedCount" + EXCLUDED."revokedCount",
    "firstAt" = LEAST(r."firstAt", EXCLUDED."firstAt"),
    "lastAt" = GREATEST(r."lastAt", EXCLUDED."lastAt")\073
  RETURN NULL\073
END ';

CREATE FUNCTION "recipient_rollup_delete"() RETURNS trigger LANGUAGE plpgsql AS E'
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
                      WHERE x."chainId" = k."chainId" AND x."attestationId" = k."attestationId" AND x."recipientKey" = k."recipientKey")
    GROUP BY 1, 2
  ) g
  WHERE r."chainId" = g."chainId" AND r."recipientKey" = g."recipientKey"\073
  DELETE FROM "RecipientRollup" r WHERE r."count" <= 0 AND (r."chainId", r."recipientKey") IN (
    SELECT o."chainId", o."recipientKey" FROM old_rows o)\073
  RETURN NULL\073
END ';

-- A recipient row is written once and deleted with its attestation: an UPDATE that would move it to another
-- attestation, key or time is refused rather than leaving the rollup wrong.
CREATE FUNCTION "recipient_rollup_update"() RETURNS trigger LANGUAGE plpgsql AS E'
BEGIN
  IF EXISTS (
    SELECT 1 FROM old_rows o LEFT JOIN new_rows n ON n."chainId" = o."chainId" AND n."attestationId" = o."attestationId" AND n."position" = o."position"
    WHERE n."position" IS NULL OR n."recipientKey" <> o."recipientKey" OR n."attestTimestamp" <> o."attestTimestamp"
  ) THEN
    RAISE EXCEPTION ''RecipientRollup: an UPDATE changed the attestation, position, key or attestTimestamp of a recipient''\073
  END IF\073
  RETURN NULL\073
END ';

CREATE TRIGGER "schema_rollups_insert" AFTER INSERT ON "Attestation"
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "schema_rollups_insert"();
CREATE TRIGGER "schema_rollups_delete" AFTER DELETE ON "Attestation"
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION "schema_rollups_delete"();
CREATE TRIGGER "schema_rollups_update" AFTER UPDATE ON "Attestation"
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "schema_rollups_update"();
CREATE TRIGGER "recipient_rollup_insert" AFTER INSERT ON "Recipient"
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "recipient_rollup_insert"();
CREATE TRIGGER "recipient_rollup_delete" AFTER DELETE ON "Recipient"
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION "recipient_rollup_delete"();
CREATE TRIGGER "recipient_rollup_update" AFTER UPDATE ON "Recipient"
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "recipient_rollup_update"();

-- Fill the rollups from the rows already stored.
INSERT INTO "SchemaDayRollup" ("chainId", "schemaId", "day", "count", "revokedCount", "firstAt", "lastAt")
SELECT a."chainId", a."schemaId", a."attestTimestamp" - a."attestTimestamp" % 86400,
       count(*), count(*) FILTER (WHERE a."revoked"), min(a."attestTimestamp"), max(a."attestTimestamp")
FROM "Attestation" a
GROUP BY 1, 2, 3;

INSERT INTO "SchemaAttesterRollup" ("chainId", "schemaId", "attester", "count", "revokedCount", "firstAt", "lastAt")
SELECT a."chainId", a."schemaId", a."attester",
       count(*), count(*) FILTER (WHERE a."revoked"), min(a."attestTimestamp"), max(a."attestTimestamp")
FROM "Attestation" a
GROUP BY 1, 2, 3;

INSERT INTO "RecipientRollup" ("chainId", "recipientKey", "count", "revokedCount", "firstAt", "lastAt")
SELECT k."chainId", k."recipientKey", count(*), count(*) FILTER (WHERE a."revoked"), min(a."attestTimestamp"), max(a."attestTimestamp")
FROM (SELECT DISTINCT x."chainId", x."attestationId", x."recipientKey" FROM "Recipient" x) k
JOIN "Attestation" a ON a."chainId" = k."chainId" AND a."attestationId" = k."attestationId"
GROUP BY 1, 2;
