-- Text search (src/gateway/search.ts): trigram indexes over a search document per attestation and per schema.
-- Written by hand: Prisma's schema cannot express the extension, the functions or the generated columns (it sees
-- "searchText" as a plain ignored column, so `npm run migrate:diff` reports no drift).
CREATE EXTENSION IF NOT EXISTS pg_trgm;

-- The search document of an attestation: its indexing key, then every string and number value of its decoded data
-- at any depth (not the field names, booleans or nulls), joined by U+001F (searches never contain control
-- characters, so a match never spans two values), cut to 8,192 characters and lower-cased (lower(): the server's
-- case mapping, and searches are lower-cased the same way).
CREATE FUNCTION attestation_search_text(indexing_key text, decoded_data jsonb) RETURNS text
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $$
    SELECT lower(left(concat_ws(E'\x1f', indexing_key, (
      SELECT string_agg(v #>> '{}', E'\x1f') FROM jsonb_path_query(decoded_data, 'strict $.**') AS v
      WHERE jsonb_typeof(v) IN ('string', 'number'))), 8192))
  $$;

-- The search document of a schema: the name and description of its JSON data (when they are strings), as above.
CREATE FUNCTION schema_search_text(data_json jsonb) RETURNS text
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $$
    SELECT lower(left(concat_ws(E'\x1f',
      CASE WHEN jsonb_typeof(data_json -> 'name') = 'string' THEN data_json ->> 'name' END,
      CASE WHEN jsonb_typeof(data_json -> 'description') = 'string' THEN data_json ->> 'description' END), 8192))
  $$;

-- AlterTable (rewrites the table: every existing row gets its search document)
ALTER TABLE "Attestation" ADD COLUMN "searchText" TEXT GENERATED ALWAYS AS (attestation_search_text("indexingKey", "decodedData")) STORED;

-- AlterTable
ALTER TABLE "Schema" ADD COLUMN "searchText" TEXT GENERATED ALWAYS AS (schema_search_text("dataJson")) STORED;

-- CreateIndex
CREATE INDEX "Attestation_searchText_idx" ON "Attestation" USING GIN ("searchText" gin_trgm_ops);

-- CreateIndex
CREATE INDEX "Schema_searchText_idx" ON "Schema" USING GIN ("searchText" gin_trgm_ops);
