/**
 * Query and path parameters of the SignScan-compatible index API, as zod schemas: the same schemas validate
 * requests (`parseRestQuery`) and describe them in the OpenAPI document (openApiDocument.ts).
 *
 * Query values arrive as strings. What the official SDK (`@ethsign/sp-sdk` 1.2.6, `stringifyQueryString`) really
 * sends is tolerated: an `undefined` option arrives as the literal `undefined` and means "absent", as do `null` and
 * an empty value. Unknown parameter names are ignored (SignScan's callers send extra ones); a parameter given twice
 * is an error.
 */
import { z } from 'zod'
import 'zod-openapi'
import { isStorableText, MAX_INDEXED_TEXT_BYTES } from '../db/toStorable.js'
import { parseFullId, quoteInput } from '../gateway/ids.js'
import { RestError } from './restError.js'

/** Page size cap, the same as GraphQL's connections (`maxPageSize`, default 100); also the default (the SDK's). */
export const MAX_REST_PAGE_SIZE = 100
/**
 * Deepest row a page may reach (page × size). Pages are offsets: PostgreSQL walks and discards every skipped
 * index entry, so the cost of a page grows with its depth. 10,000 entries keep the deepest page within a few
 * milliseconds; deeper walks belong to GraphQL's keyset (`after:` cursor) pagination.
 */
export const MAX_REST_PAGE_DEPTH = 10_000

const INT64_MAX = (1n << 63n) - 1n
const INT32_MAX = 2 ** 31 - 1
const ADDRESS = /^0x[0-9a-fA-F]{40}$/

/**
 * A SignScan id, parsed: `onchain` with its key, or `none` for a well-formed id that cannot match a stored row
 * (an off-chain `SPA_…`/`SPS_…` id: none are indexed here; an id above int64, the column's range).
 */
export type RestId = { kind: 'onchain'; chainId: number; id: bigint } | { kind: 'none' }

/**
 * Parses a SignScan full id (`onchain_evm_<chainId>_<0x hex id>`), as the SDK's `checkId` accepts them.
 * @throws {RestError} BAD_USER_INPUT (400) for a bare `0x…` id (the SDK refuses it too) and anything else that is
 *   not a full id or exceeds uint64
 */
export function parseRestId(value: string, what: string): RestId {
  if (/^SP[AS]?_/.test(value)) return { kind: 'none' }
  if (/^0x/i.test(value)) {
    throw new RestError(
      400,
      'BAD_USER_INPUT',
      `Invalid ${what} ${quoteInput(value)}: a bare 0x id is not accepted; use the full id onchain_evm_<chainId>_<0x hex id> (e.g. onchain_evm_10_0x1)`,
    )
  }
  try {
    const { chainId, id } = parseFullId(value, what)
    return id > INT64_MAX ? { kind: 'none' } : { kind: 'onchain', chainId, id }
  } catch (error) {
    throw new RestError(400, 'BAD_USER_INPUT', (error as Error).message)
  }
}

const text = (what: string, maxBytes = MAX_INDEXED_TEXT_BYTES) =>
  z
    .string()
    .refine(isStorableText, `${what} must not contain NUL or a lone surrogate`)
    .refine((v) => Buffer.byteLength(v) <= maxBytes, `${what} is longer than ${maxBytes} bytes`)

const fullId = (what: string) =>
  text(what, 100)
    .transform((v) => parseRestId(v, what))
    .meta({ description: `SignScan full id: onchain_evm_<chainId>_<0x hex id> (a bare 0x id is refused)`, example: 'onchain_evm_10_0x1' })

const address = (what: string) =>
  z
    .string()
    .regex(ADDRESS, `${what} must be a 0x address (40 hex digits)`)
    .transform((v) => v.toLowerCase())
    .meta({ description: `${what} address, any case`, example: '0x0000000000000000000000000000000000000a11' })

const positiveInt = (what: string, max: number) =>
  z
    .string()
    .regex(/^\d{1,10}$/, `${what} must be a positive decimal integer`)
    .transform(Number)
    .pipe(z.number().int().min(1, `${what} must be at least 1`).max(max, `${what} must be at most ${max}`))

const mode = z.enum(['onchain', 'offchain']).meta({ description: 'onchain (every row here) or offchain (none are indexed: an empty page)' })
const page = positiveInt('page', 1_000_000).meta({ description: `1-based page number; page × size at most ${MAX_REST_PAGE_DEPTH}` })
const size = positiveInt('size', MAX_REST_PAGE_SIZE).meta({ description: `rows per page, at most ${MAX_REST_PAGE_SIZE} (default ${MAX_REST_PAGE_SIZE})` })
const chainId = positiveInt('chainId', INT32_MAX).meta({ description: 'EVM chain id' })
const parseOffChainData = z
  .enum(['true', 'false'])
  .meta({ description: 'accepted for compatibility; data is returned as stored (off-chain payloads are not fetched)' })

export const SchemaListQuery = z.object({
  id: fullId('id').optional(),
  registrant: address('registrant').optional(),
  mode: mode.optional(),
  chainId: chainId.optional(),
  page: page.optional(),
  size: size.optional(),
})

export const AttestationListQuery = z.object({
  id: fullId('id').optional(),
  schemaId: fullId('schemaId').optional(),
  attester: address('attester').optional(),
  attestor: address('attestor').meta({ description: 'the misspelling some callers send; same as attester' }).optional(),
  recipient: text('recipient').meta({ description: 'a recipient: an address (matches address- and string-encoded recipients) or any text' }).optional(),
  indexingValue: text('indexingValue').meta({ description: 'the indexing key of the AttestationMade event' }).optional(),
  registrant: address('registrant').meta({ description: 'accepted and ignored (SignScan callers send it; it filters nothing)' }).optional(),
  mode: mode.optional(),
  chainId: chainId.optional(),
  page: page.optional(),
  size: size.optional(),
  parseOffChainData: parseOffChainData.optional(),
})

export const AttestationGetQuery = z.object({ parseOffChainData: parseOffChainData.optional() })

export const IdPath = z.object({ id: z.string().meta({ description: 'SignScan full id: onchain_evm_<chainId>_<0x hex id>', example: 'onchain_evm_10_0x1' }) })

/** Values meaning "absent": what the SDK sends for an `undefined` option, and the usual spellings of nothing. */
const ABSENT = new Set(['', 'undefined', 'null'])

/**
 * Validates a request's query string against one of the schemas above.
 * @param params the URL's search parameters
 * @returns the parsed values (absent ones undefined); unknown names are dropped
 * @throws {RestError} BAD_USER_INPUT (400) naming the first offending parameter: a repeated name, a value that does
 *   not parse, or a page deeper than MAX_REST_PAGE_DEPTH rows
 */
export function parseRestQuery<S extends z.ZodObject>(schema: S, params: URLSearchParams): z.output<S> {
  const known = new Set(Object.keys(schema.shape))
  const input: Record<string, string> = {}
  for (const [name, value] of params) {
    if (!known.has(name)) continue
    if (params.getAll(name).length > 1) throw new RestError(400, 'BAD_USER_INPUT', `Query parameter "${name}" is given more than once`, { parameter: name })
    if (!ABSENT.has(value)) input[name] = value
  }
  let parsed: z.output<S>
  try {
    parsed = schema.parse(input) as z.output<S>
  } catch (error) {
    if (error instanceof RestError) throw error
    if (!(error instanceof z.ZodError)) throw error
    const issue = error.issues[0]
    const name = String(issue?.path[0] ?? '')
    throw new RestError(400, 'BAD_USER_INPUT', `Invalid query parameter "${name}": ${issue?.message ?? 'invalid'}`, { parameter: name })
  }
  const { page: p, size: s } = parsed as { page?: number; size?: number }
  if ((p ?? 1) * (s ?? MAX_REST_PAGE_SIZE) > MAX_REST_PAGE_DEPTH) {
    throw new RestError(
      400,
      'BAD_USER_INPUT',
      `page × size must be at most ${MAX_REST_PAGE_DEPTH} rows (got page ${p ?? 1}, size ${s ?? MAX_REST_PAGE_SIZE}); walk deeper with GraphQL cursor pagination (attestations(after:) / schemas(after:))`,
      {
        parameter: 'page',
        maxPageDepth: MAX_REST_PAGE_DEPTH,
      },
    )
  }
  return parsed
}
