/**
 * Text search of the `attestations` and `schemas` connections (`search: String`): a case-insensitive substring
 * match over a search document stored beside each row, backed by a pg_trgm GIN index (PostgreSQL and PGlite alike).
 *
 * The documents (generated columns, prisma/migrations/…_search_text, functions `attestation_search_text` and
 * `schema_search_text`):
 * - attestation: its indexing key, then every string and number value of its decoded data at any depth — string
 *   fields, addresses, bytes as hex, integers above 48 bits (stored as decimal strings) and below (JSON numbers),
 *   IPFS/Arweave CIDs — but not field names, booleans or nulls;
 * - schema: the `name` and `description` of its JSON data, when they are strings.
 * Values are joined by U+001F, cut to {@link SEARCH_DOCUMENT_MAX_CHARS} characters and lower-cased with the
 * server's `lower()`; the search is lower-cased by the same function, so "case-insensitive" means exactly what
 * PostgreSQL's `ILIKE` means on that server (simple Unicode case mapping under C.UTF-8; no Unicode normalization:
 * a precomposed "é" does not match "e" + U+0301).
 *
 * Why trigrams and not full-text search: explorer users paste parts of ids, keys, addresses, handles and e-mails
 * ("0x3f2a", "alice@", "order-1234"), which full-text parsing splits, stems or drops; a trigram index answers any
 * substring. The index can only narrow a search that holds a trigram, so a search needs
 * {@link SEARCH_MIN_WORD_CHARS} letters, marks or digits in a row (pg_trgm's word characters); shorter ones would
 * read the whole index and are refused rather than answered slowly.
 */
import { Prisma } from '../generated/prisma/client.js'
import { isStorableText } from '../db/toStorable.js'
import { BadUserInputError } from './errors.js'

/** Longest search, in characters (code points). */
export const SEARCH_MAX_CHARS = 200
/** Letters, marks or digits a search must hold in a row (a trigram the index can look up). */
export const SEARCH_MIN_WORD_CHARS = 3
/** Characters of the search document that are searched (the migration's `left(…, 8192)`). */
export const SEARCH_DOCUMENT_MAX_CHARS = 8192

const CONTROL = /[\u0000-\u001f\u007f]/
const WORD_RUN = new RegExp(`[\\p{L}\\p{M}\\p{N}]{${SEARCH_MIN_WORD_CHARS}}`, 'u')

const RULES = `case-insensitive substring, at most ${SEARCH_MAX_CHARS} characters with ${SEARCH_MIN_WORD_CHARS} letters or digits in a row, % _ \\ literal`

/** What the `search` argument of each connection means, for the connection's GraphQL description. */
export const SEARCH_DESCRIPTION = {
  attestations: `\`search\` matches the indexing key and the string and number values of the decoded data (${RULES}).`,
  schemas: `\`search\` matches the schema's name and description (${RULES}).`,
} as const

/** A validated search: the `LIKE` pattern `%…%` with `\`, `%` and `_` escaped (literal), not yet lower-cased. */
export type SearchTerm = { pattern: string }

/**
 * Validates a `search` argument.
 * @param value the argument (null / undefined: no search)
 * @param argument the argument's name, for the error's `extensions.argument`
 * @returns the term, or null when no search was asked for
 * @throws {BadUserInputError} BAD_USER_INPUT when the search is empty or longer than {@link SEARCH_MAX_CHARS}
 *   characters (`extensions.maxLength`), holds a NUL, another control character or a lone surrogate, or lacks
 *   {@link SEARCH_MIN_WORD_CHARS} letters or digits in a row (`extensions.minWordChars`)
 */
export function parseSearch(value: string | null | undefined, argument = 'search'): SearchTerm | null {
  if (value == null) return null
  if (value.length > SEARCH_MAX_CHARS * 2 || [...value].length > SEARCH_MAX_CHARS || value.length === 0) {
    throw new BadUserInputError(`"${argument}" must be 1 to ${SEARCH_MAX_CHARS} characters long`, { argument, maxLength: SEARCH_MAX_CHARS })
  }
  if (!isStorableText(value) || CONTROL.test(value)) {
    throw new BadUserInputError(`"${argument}" must not contain control characters (NUL included) or lone surrogates`, { argument })
  }
  if (!WORD_RUN.test(value)) {
    throw new BadUserInputError(
      `"${argument}" must contain at least ${SEARCH_MIN_WORD_CHARS} letters or digits in a row (the search index is made of trigrams)`,
      {
        argument,
        minWordChars: SEARCH_MIN_WORD_CHARS,
      },
    )
  }
  return { pattern: `%${value.replace(/[\\%_]/g, (c) => `\\${c}`)}%` }
}

/**
 * The SQL condition of a search on a table's `"searchText"` column (the form the trigram index serves: the pattern is
 * a parameter lower-cased by the server, as the column was).
 * @param alias the table alias, e.g. `a`
 */
export function toSearchCondition(alias: string, term: SearchTerm): Prisma.Sql {
  return Prisma.sql`${Prisma.raw(`${alias}."searchText"`)} LIKE lower(${term.pattern})`
}
