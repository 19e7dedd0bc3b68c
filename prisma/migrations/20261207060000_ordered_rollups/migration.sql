-- Per-key rollups whose rows are the groups of a page, read in the page order from an index (no grouping of every
-- row of a filter), for src/gateway/stats/rollupSql.ts. Kept like the others (migrations 20261202041916 and
-- 20261207030000): statement-level triggers over the transition tables, in the writing transaction, whatever the
-- write path. Function bodies are E-strings with \073 for each semicolon, and no comment holds a semicolon or a
-- quote (the migration runner splits a script at every semicolon).
--
-- "SchemaRollup": (chainId, schemaId), for SCHEMA and CHAIN groupings without an attester or a time, and the
-- unique recipients of each schema (its rows of "SchemaRecipientRollup", counted as they come and go).
-- "AttesterRollup": (chainId, attester), for ATTESTER groupings without a schema or a time.
-- "RecipientTotalRollup": (recipientKey) over every chain, for RECIPIENT groupings without a filter. Each key a
-- statement touches is recomputed from its "RecipientRollup" rows (one per chain), after those were updated: the
-- triggers below are named to fire after the ones of migration 20261207030000 (same event: alphabetical order).
-- "SchemaRecipientRollup": (chainId, schemaId, recipientKey) and the number of the schema attestations naming the
-- key: a row appears with the first such attestation and goes with the last.
--
-- The page order is count descending, then the key (text in byte order, COLLATE "C"), so the order indexes hold
-- minus the count: one ascending row comparison starts a page at its cursor, forward or backward.

-- CreateTable
CREATE TABLE "SchemaRollup" (
    "chainId" INTEGER NOT NULL,
    "schemaId" BIGINT NOT NULL,
    "count" BIGINT NOT NULL,
    "revokedCount" BIGINT NOT NULL,
    "firstAt" BIGINT NOT NULL,
    "lastAt" BIGINT NOT NULL,
    "uniqueRecipients" BIGINT NOT NULL DEFAULT 0,

    CONSTRAINT "SchemaRollup_pkey" PRIMARY KEY ("chainId","schemaId")
);

-- CreateTable
CREATE TABLE "AttesterRollup" (
    "chainId" INTEGER NOT NULL,
    "attester" TEXT NOT NULL,
    "count" BIGINT NOT NULL,
    "revokedCount" BIGINT NOT NULL,
    "firstAt" BIGINT NOT NULL,
    "lastAt" BIGINT NOT NULL,

    CONSTRAINT "AttesterRollup_pkey" PRIMARY KEY ("chainId","attester")
);

-- CreateTable
CREATE TABLE "RecipientTotalRollup" (
    "recipientKey" TEXT NOT NULL,
    "count" BIGINT NOT NULL,
    "revokedCount" BIGINT NOT NULL,
    "firstAt" BIGINT NOT NULL,
    "lastAt" BIGINT NOT NULL,

    CONSTRAINT "RecipientTotalRollup_pkey" PRIMARY KEY ("recipientKey")
);

-- CreateTable
CREATE TABLE "SchemaRecipientRollup" (
    "chainId" INTEGER NOT NULL,
    "schemaId" BIGINT NOT NULL,
    "recipientKey" TEXT NOT NULL,
    "count" BIGINT NOT NULL,

    CONSTRAINT "SchemaRecipientRollup_pkey" PRIMARY KEY ("chainId","schemaId","recipientKey")
);

-- CreateIndex (the keys of a chain across its rollup rows, for the recompute of "RecipientTotalRollup")
CREATE INDEX "RecipientRollup_recipientKey_idx" ON "RecipientRollup"("recipientKey");

-- Page order indexes (expressions: schema.prisma cannot declare them, the schema engine leaves them alone)
CREATE INDEX "SchemaRollup_chainId_order_idx" ON "SchemaRollup" ("chainId", (-"count"), "schemaId");
CREATE INDEX "SchemaRollup_order_idx" ON "SchemaRollup" ((-"count"), "chainId", "schemaId");
CREATE INDEX "AttesterRollup_chainId_order_idx" ON "AttesterRollup" ("chainId", (-"count"), "attester" COLLATE "C");
CREATE INDEX "SchemaAttesterRollup_chainId_schemaId_order_idx" ON "SchemaAttesterRollup" ("chainId", "schemaId", (-"count"), "attester" COLLATE "C");
CREATE INDEX "RecipientRollup_chainId_order_idx" ON "RecipientRollup" ("chainId", (-"count"), "recipientKey" COLLATE "C");
CREATE INDEX "RecipientTotalRollup_order_idx" ON "RecipientTotalRollup" ((-"count"), "recipientKey" COLLATE "C");

CREATE FUNCTION "stats_rollups_insert"() RETURNS trigger LANGUAGE plpgsql AS E'
BEGIN
  INSERT INTO "SchemaRollup" AS r ("chainId", "schemaId", "count", "revokedCount", "firstAt", "lastAt")
  SELECT n."chainId", n."schemaId", count(*), count(*) FILTER (WHERE n."revoked"), min(n."attestTimestamp"), max(n."attestTimestamp")
  FROM new_rows n
  GROUP BY 1, 2
  ON CONFLICT ("chainId", "schemaId") DO UPDATE SET
    "count" = r."count" + EXCLUDED."count",
    "revokedCount" = r."revokedCount" + EXCLUDED."revokedCount",
    "firstAt" = LEAST(r."firstAt", EXCLUDED."firstAt"),
    "lastAt" = GREATEST(r."lastAt", EXCLUDED."lastAt")\073
  INSERT INTO "AttesterRollup" AS r ("chainId", "attester", "count", "revokedCount", "firstAt", "lastAt")
  SELECT n."chainId", n."attester", count(*), count(*) FILTER (WHERE n."revoked"), min(n."attestTimestamp"), max(n."attestTimestamp")
  FROM new_rows n
  GROUP BY 1, 2
  ON CONFLICT ("chainId", "attester") DO UPDATE SET
    "count" = r."count" + EXCLUDED."count",
    "revokedCount" = r."revokedCount" + EXCLUDED."revokedCount",
    "firstAt" = LEAST(r."firstAt", EXCLUDED."firstAt"),
    "lastAt" = GREATEST(r."lastAt", EXCLUDED."lastAt")\073
  RETURN NULL\073
END ';

-- firstAt / lastAt are recomputed from "Attestation" only when a DELETE removed the earliest or latest attestation
-- of a key that keeps some (index ranges chainId, schemaId, attestTimestamp and chainId, attester, attestTimestamp).
CREATE FUNCTION "stats_rollups_delete"() RETURNS trigger LANGUAGE plpgsql AS E'
BEGIN
  UPDATE "SchemaRollup" r SET
    "count" = r."count" - g.c,
    "revokedCount" = r."revokedCount" - g.rc,
    "firstAt" = CASE WHEN r."count" > g.c AND g.lo <= r."firstAt" THEN (
      SELECT min(a."attestTimestamp") FROM "Attestation" a WHERE a."chainId" = r."chainId" AND a."schemaId" = r."schemaId") ELSE r."firstAt" END,
    "lastAt" = CASE WHEN r."count" > g.c AND g.hi >= r."lastAt" THEN (
      SELECT max(a."attestTimestamp") FROM "Attestation" a WHERE a."chainId" = r."chainId" AND a."schemaId" = r."schemaId") ELSE r."lastAt" END
  FROM (
    SELECT o."chainId", o."schemaId", count(*) AS c, count(*) FILTER (WHERE o."revoked") AS rc, min(o."attestTimestamp") AS lo, max(o."attestTimestamp") AS hi
    FROM old_rows o GROUP BY 1, 2
  ) g
  WHERE r."chainId" = g."chainId" AND r."schemaId" = g."schemaId"\073
  DELETE FROM "SchemaRollup" r WHERE r."count" <= 0 AND (r."chainId", r."schemaId") IN (SELECT o."chainId", o."schemaId" FROM old_rows o)\073
  UPDATE "AttesterRollup" r SET
    "count" = r."count" - g.c,
    "revokedCount" = r."revokedCount" - g.rc,
    "firstAt" = CASE WHEN r."count" > g.c AND g.lo <= r."firstAt" THEN (
      SELECT min(a."attestTimestamp") FROM "Attestation" a WHERE a."chainId" = r."chainId" AND a."attester" = r."attester") ELSE r."firstAt" END,
    "lastAt" = CASE WHEN r."count" > g.c AND g.hi >= r."lastAt" THEN (
      SELECT max(a."attestTimestamp") FROM "Attestation" a WHERE a."chainId" = r."chainId" AND a."attester" = r."attester") ELSE r."lastAt" END
  FROM (
    SELECT o."chainId", o."attester", count(*) AS c, count(*) FILTER (WHERE o."revoked") AS rc, min(o."attestTimestamp") AS lo, max(o."attestTimestamp") AS hi
    FROM old_rows o GROUP BY 1, 2
  ) g
  WHERE r."chainId" = g."chainId" AND r."attester" = g."attester"\073
  DELETE FROM "AttesterRollup" r WHERE r."count" <= 0 AND (r."chainId", r."attester") IN (SELECT o."chainId", o."attester" FROM old_rows o)\073
  RETURN NULL\073
END ';

-- Revocations (and their undoing by a rollback): revokedCount deltas, and the recompute of the recipient keys of the
-- attestations whose revocation changed ("RecipientRollup" took its delta in the trigger schema_rollups_update,
-- which fires first). The trigger of "AttestationRollup" refuses an UPDATE of the key columns.
CREATE FUNCTION "stats_rollups_update"() RETURNS trigger LANGUAGE plpgsql AS E'
BEGIN
  UPDATE "SchemaRollup" r SET "revokedCount" = r."revokedCount" + g.delta
  FROM (
    SELECT n."chainId", n."schemaId", sum(n."revoked"::int - o."revoked"::int) AS delta
    FROM new_rows n JOIN old_rows o ON o."chainId" = n."chainId" AND o."attestationId" = n."attestationId"
    WHERE n."revoked" <> o."revoked"
    GROUP BY 1, 2
  ) g
  WHERE r."chainId" = g."chainId" AND r."schemaId" = g."schemaId" AND g.delta <> 0\073
  UPDATE "AttesterRollup" r SET "revokedCount" = r."revokedCount" + g.delta
  FROM (
    SELECT n."chainId", n."attester", sum(n."revoked"::int - o."revoked"::int) AS delta
    FROM new_rows n JOIN old_rows o ON o."chainId" = n."chainId" AND o."attestationId" = n."attestationId"
    WHERE n."revoked" <> o."revoked"
    GROUP BY 1, 2
  ) g
  WHERE r."chainId" = g."chainId" AND r."attester" = g."attester" AND g.delta <> 0\073
  UPDATE "RecipientTotalRollup" t SET "revokedCount" = g.rc
  FROM (
    SELECT r."recipientKey", sum(r."revokedCount") AS rc FROM "RecipientRollup" r
    WHERE r."recipientKey" IN (
      SELECT x."recipientKey" FROM new_rows n JOIN old_rows o ON o."chainId" = n."chainId" AND o."attestationId" = n."attestationId"
      JOIN "Recipient" x ON x."chainId" = n."chainId" AND x."attestationId" = n."attestationId"
      WHERE n."revoked" <> o."revoked")
    GROUP BY 1
  ) g
  WHERE t."recipientKey" = g."recipientKey"\073
  RETURN NULL\073
END ';

-- A recipient key counts for a schema attestation from the statement that gives the attestation its first row with
-- that key to the one that takes its last (as for "RecipientRollup"). A "SchemaRecipientRollup" row the statement
-- creates (no row before it, seen in the snapshot of the WITH) adds one unique recipient to its schema, one it deletes
-- takes one away. The totals of every key the statement touched
-- are then recomputed from "RecipientRollup", already updated by recipient_rollup_insert.
CREATE FUNCTION "stats_recipient_rollups_insert"() RETURNS trigger LANGUAGE plpgsql AS E'
BEGIN
  WITH k AS (
    SELECT j."chainId", a."schemaId", j."recipientKey", count(*) AS c
    FROM (SELECT n."chainId", n."attestationId", n."recipientKey", count(*) AS c FROM new_rows n GROUP BY 1, 2, 3) j
    JOIN "Attestation" a ON a."chainId" = j."chainId" AND a."attestationId" = j."attestationId"
    WHERE (SELECT count(*) FROM "Recipient" x
           WHERE x."chainId" = j."chainId" AND x."attestationId" = j."attestationId" AND x."recipientKey" IS NOT DISTINCT FROM j."recipientKey") = j.c
    GROUP BY 1, 2, 3
  ), fresh AS (
    SELECT k."chainId", k."schemaId", count(*) AS n FROM k
    WHERE NOT EXISTS (SELECT 1 FROM "SchemaRecipientRollup" r
                      WHERE r."chainId" = k."chainId" AND r."schemaId" = k."schemaId" AND r."recipientKey" = k."recipientKey")
    GROUP BY 1, 2
  ), upsert AS (
    INSERT INTO "SchemaRecipientRollup" AS r ("chainId", "schemaId", "recipientKey", "count")
    SELECT k."chainId", k."schemaId", k."recipientKey", k.c FROM k
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

CREATE FUNCTION "stats_recipient_rollups_delete"() RETURNS trigger LANGUAGE plpgsql AS E'
BEGIN
  UPDATE "SchemaRecipientRollup" r SET "count" = r."count" - g.c
  FROM (
    SELECT k."chainId", a."schemaId", k."recipientKey", count(*) AS c
    FROM (SELECT DISTINCT o."chainId", o."attestationId", o."recipientKey" FROM old_rows o) k
    JOIN "Attestation" a ON a."chainId" = k."chainId" AND a."attestationId" = k."attestationId"
    WHERE NOT EXISTS (SELECT 1 FROM "Recipient" x
                      WHERE x."chainId" = k."chainId" AND x."attestationId" = k."attestationId" AND x."recipientKey" IS NOT DISTINCT FROM k."recipientKey")
    GROUP BY 1, 2, 3
  ) g
  WHERE r."chainId" = g."chainId" AND r."schemaId" = g."schemaId" AND r."recipientKey" = g."recipientKey"\073
  WITH gone AS (
    DELETE FROM "SchemaRecipientRollup" r WHERE r."count" <= 0 AND (r."chainId", r."schemaId", r."recipientKey") IN (
      SELECT o."chainId", a."schemaId", o."recipientKey" FROM old_rows o
      JOIN "Attestation" a ON a."chainId" = o."chainId" AND a."attestationId" = o."attestationId")
    RETURNING r."chainId", r."schemaId"
  )
  UPDATE "SchemaRollup" s SET "uniqueRecipients" = s."uniqueRecipients" - g.n
  FROM (SELECT gone."chainId", gone."schemaId", count(*) AS n FROM gone GROUP BY 1, 2) g
  WHERE s."chainId" = g."chainId" AND s."schemaId" = g."schemaId"\073
  UPDATE "RecipientTotalRollup" t SET "count" = g.c, "revokedCount" = g.rc, "firstAt" = g.lo, "lastAt" = g.hi
  FROM (
    SELECT r."recipientKey", sum(r."count") AS c, sum(r."revokedCount") AS rc, min(r."firstAt") AS lo, max(r."lastAt") AS hi
    FROM "RecipientRollup" r WHERE r."recipientKey" IN (SELECT o."recipientKey" FROM old_rows o)
    GROUP BY 1
  ) g
  WHERE t."recipientKey" = g."recipientKey"\073
  DELETE FROM "RecipientTotalRollup" t WHERE t."recipientKey" IN (SELECT o."recipientKey" FROM old_rows o)
    AND NOT EXISTS (SELECT 1 FROM "RecipientRollup" r WHERE r."recipientKey" = t."recipientKey")\073
  RETURN NULL\073
END ';

CREATE TRIGGER "stats_rollups_insert" AFTER INSERT ON "Attestation"
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "stats_rollups_insert"();
CREATE TRIGGER "stats_rollups_delete" AFTER DELETE ON "Attestation"
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION "stats_rollups_delete"();
CREATE TRIGGER "stats_rollups_update" AFTER UPDATE ON "Attestation"
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "stats_rollups_update"();
CREATE TRIGGER "stats_recipient_rollups_insert" AFTER INSERT ON "Recipient"
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "stats_recipient_rollups_insert"();
CREATE TRIGGER "stats_recipient_rollups_delete" AFTER DELETE ON "Recipient"
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION "stats_recipient_rollups_delete"();

-- Fill the rollups from the rows already stored.
INSERT INTO "SchemaRollup" ("chainId", "schemaId", "count", "revokedCount", "firstAt", "lastAt")
SELECT a."chainId", a."schemaId", count(*), count(*) FILTER (WHERE a."revoked"), min(a."attestTimestamp"), max(a."attestTimestamp")
FROM "Attestation" a
GROUP BY 1, 2;

INSERT INTO "AttesterRollup" ("chainId", "attester", "count", "revokedCount", "firstAt", "lastAt")
SELECT a."chainId", a."attester", count(*), count(*) FILTER (WHERE a."revoked"), min(a."attestTimestamp"), max(a."attestTimestamp")
FROM "Attestation" a
GROUP BY 1, 2;

INSERT INTO "RecipientTotalRollup" ("recipientKey", "count", "revokedCount", "firstAt", "lastAt")
SELECT r."recipientKey", sum(r."count"), sum(r."revokedCount"), min(r."firstAt"), max(r."lastAt")
FROM "RecipientRollup" r
GROUP BY 1;

INSERT INTO "SchemaRecipientRollup" ("chainId", "schemaId", "recipientKey", "count")
SELECT k."chainId", a."schemaId", k."recipientKey", count(*)
FROM (SELECT DISTINCT x."chainId", x."attestationId", x."recipientKey" FROM "Recipient" x) k
JOIN "Attestation" a ON a."chainId" = k."chainId" AND a."attestationId" = k."attestationId"
GROUP BY 1, 2, 3;

UPDATE "SchemaRollup" s SET "uniqueRecipients" = g.n
FROM (SELECT r."chainId", r."schemaId", count(*) AS n FROM "SchemaRecipientRollup" r GROUP BY 1, 2) g
WHERE s."chainId" = g."chainId" AND s."schemaId" = g."schemaId";
