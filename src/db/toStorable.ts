/**
 * The one place that decides what a value from the chain may look like when it reaches PostgreSQL (and PGlite,
 * the same server). Anyone can put any bytes into a schema, an attestation or an event, so every string the indexer
 * stores passes through here first. What PostgreSQL refuses, measured on PG 15 and PGlite 0.5 (both answer alike):
 *
 * - NUL (U+0000) in `text` (22021 "invalid byte sequence for encoding UTF8: 0x00") and `\u0000` anywhere in
 *   `json`/`jsonb` input that becomes text or jsonb (22P05 "unsupported Unicode escape sequence") — which is every
 *   column of a bulk insert, since its rows travel as one JSON document (`src/db/bulkInsert.ts`);
 * - a lone UTF-16 surrogate: `JSON.stringify` writes it as `\ud800`, which `::json` rejects (22P02 "invalid input
 *   syntax for type json") whatever the target column;
 * - JSON nested deeper than the server's stack allows (54001 "stack depth limit exceeded", ~10,000 levels on PG 15);
 * - a btree index entry above 2,704 bytes (54000 "index row size ... exceeds btree version 4 maximum 2704"):
 *   incompressible text over ~2.6 KB in an indexed column (indexing key, recipient text, off-chain attestation id).
 *
 * Replacement policy: NUL and lone surrogates become U+FFFD, the character a lenient UTF-8 decoder already puts in
 * place of bytes it cannot read. Replacing (rather than deleting) keeps "ali\0ce" from being stored, and found, as
 * "alice". The exact bytes stay where the model keeps them (`Attestation.data`, `recipientsRaw`, `SkippedLog.data`).
 */

/** Most UTF-8 bytes a value may have in a btree-indexed text column (PostgreSQL's limit is 2,704 per index entry). */
export const MAX_INDEXED_TEXT_BYTES = 2_000
/** Deepest nesting of arrays/objects stored in a JSON column (real schema data nests 3–5 levels). */
export const MAX_JSON_DEPTH = 64
/** What replaces a character PostgreSQL cannot store. */
export const REPLACEMENT_CHARACTER = '\uFFFD'

// NUL, a high surrogate not followed by a low one, a low surrogate not preceded by a high one.
const UNSTORABLE_SOURCE = '\\u0000|[\\uD800-\\uDBFF](?![\\uDC00-\\uDFFF])|(?<![\\uD800-\\uDBFF])[\\uDC00-\\uDFFF]'
const UNSTORABLE = new RegExp(UNSTORABLE_SOURCE)
const UNSTORABLE_ALL = new RegExp(UNSTORABLE_SOURCE, 'g')

/** @returns whether `value` can be stored as PostgreSQL text and inside JSON as it is (no NUL, no lone surrogate). */
export function isStorableText(value: string): boolean {
  return !UNSTORABLE.test(value)
}

/**
 * Makes a string storable as PostgreSQL text and as a JSON string or key: every NUL and every lone surrogate becomes
 * U+FFFD; everything else (RTL marks, emoji, any length) is kept.
 * @returns `value` itself when it is already storable.
 */
export function toStorableText(value: string): string {
  return isStorableText(value) ? value : value.replace(UNSTORABLE_ALL, REPLACEMENT_CHARACTER)
}

/**
 * For a text column under a btree index: storable text of at most {@link MAX_INDEXED_TEXT_BYTES} UTF-8 bytes.
 * @returns the storable text, or null when it is longer (the caller keeps the raw value elsewhere, or a reason).
 */
export function toIndexableText(value: string): string | null {
  const text = toStorableText(value)
  return Buffer.byteLength(text, 'utf8') <= MAX_INDEXED_TEXT_BYTES ? text : null
}

/**
 * For a required text column under a btree index: storable text cut, at a character boundary, to fit
 * {@link MAX_INDEXED_TEXT_BYTES} UTF-8 bytes with a trailing "…" (U+2026) that marks the cut.
 * @returns `toStorableText(value)` when it fits, else the marked prefix.
 */
export function toIndexableTextTruncated(value: string): string {
  const text = toStorableText(value)
  const bytes = Buffer.from(text, 'utf8')
  if (bytes.length <= MAX_INDEXED_TEXT_BYTES) return text
  let end = MAX_INDEXED_TEXT_BYTES - 3 // room for the 3-byte marker
  while (end > 0 && (bytes[end]! & 0xc0) === 0x80) end-- // back to the first byte of a character
  return `${bytes.subarray(0, end).toString('utf8')}\u2026`
}

export type StorableJson = { value: unknown; error: null } | { value: null; error: string }

/**
 * Makes a value storable in a `jsonb` column: strings and object keys through {@link toStorableText}, bigint as a
 * decimal string, non-finite numbers and anything JSON has no form for (undefined, functions, symbols) as null,
 * nesting bounded by `maxDepth`. Every key is kept as an OWN property, `__proto__` and `constructor` included
 * (assigning `out["__proto__"] = v` would set the prototype and drop the field). Two keys that only differ in
 * unstorable characters collapse into one (the later wins).
 * @param maxDepth arrays/objects allowed inside each other (default {@link MAX_JSON_DEPTH}); a scalar has depth 0
 * @returns the storable copy, or `{ value: null, error }` when the value nests deeper. Never throws: the recursion
 *   stops at `maxDepth`, so even a value nested 100,000 levels deep costs only `maxDepth` stack frames.
 */
export function toStorableJson(value: unknown, maxDepth: number = MAX_JSON_DEPTH): StorableJson {
  const tooDeep = { found: false }
  const out = copy(value, maxDepth, tooDeep)
  return tooDeep.found ? { value: null, error: `nests deeper than ${maxDepth} levels` } : { value: out, error: null }
}

function copy(value: unknown, depthLeft: number, tooDeep: { found: boolean }): unknown {
  switch (typeof value) {
    case 'string':
      return toStorableText(value)
    case 'bigint':
      return value.toString()
    case 'number':
      return Number.isFinite(value) ? value : null
    case 'boolean':
      return value
    case 'object':
      break
    default:
      return null
  }
  if (value === null) return null
  if (depthLeft <= 0 || tooDeep.found) {
    tooDeep.found = true
    return null
  }
  if (Array.isArray(value)) {
    const list = new Array<unknown>(value.length)
    for (let i = 0; i < value.length; i++) list[i] = copy(value[i], depthLeft - 1, tooDeep)
    return list
  }
  const out: Record<string, unknown> = {}
  for (const [key, v] of Object.entries(value)) {
    Object.defineProperty(out, toStorableText(key), { value: copy(v, depthLeft - 1, tooDeep), enumerable: true, writable: true, configurable: true })
  }
  return out
}
