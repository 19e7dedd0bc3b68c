/**
 * Leaf validators for the configuration schema. Each one is a zod schema that accepts `undefined` (the value was not
 * given: output `undefined`, so the caller decides the default) and otherwise a value straight from a JSON file, an
 * environment variable or a command-line flag — numbers and booleans may therefore arrive as strings and are coerced.
 * Failures are zod issues with a message that shows the offending value (secrets in URLs are never echoed).
 */
import { isAddress } from 'viem'
import { z } from 'zod'
import { redactUrl } from '../common/redactUrl.js'

/** A short, quoted rendering of a bad input for an error message (strings longer than 60 chars are cut). */
export function describeValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value)
  if (typeof value === 'bigint') return `${value}n`
  if (Array.isArray(value)) return 'an array'
  if (value === null) return 'null'
  if (typeof value === 'object') return 'an object'
  return String(value)
}

function fail(ctx: z.RefinementCtx, message: string): never {
  ctx.addIssue({ code: 'custom', message })
  return z.NEVER
}

/** Decimal integer given as a number or a string (`"4000"`, `" 12 "`), or `undefined`. */
function toInteger(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isSafeInteger(value)) return value
  if (typeof value === 'string' && /^\s*-?\d+\s*$/.test(value)) {
    const n = Number(value)
    if (Number.isSafeInteger(n)) return n
  }
  return undefined
}

/**
 * An integer within `[min, max]` (inclusive), from a number or a decimal string.
 * @example integerField({ min: 0, max: 65535 }) // accepts 4000 and "4000"
 */
export function integerField(bounds: { min: number; max?: number }) {
  const range = bounds.max === undefined ? `≥ ${bounds.min}` : `from ${bounds.min} to ${bounds.max}`
  return z
    .unknown()
    .optional()
    .transform((value, ctx): number | undefined => {
      if (value === undefined) return undefined
      const n = toInteger(value)
      if (n === undefined || n < bounds.min || (bounds.max !== undefined && n > bounds.max)) {
        return fail(ctx, `expected an integer ${range}, got ${describeValue(value)}`)
      }
      return n
    })
}

/** A block number (≥ 0) as a bigint, from a safe integer, a bigint, a decimal string or a `0x` hex string. */
export function blockNumberField() {
  return z
    .unknown()
    .optional()
    .transform((value, ctx): bigint | undefined => {
      if (value === undefined) return undefined
      let block: bigint | undefined
      if (typeof value === 'bigint') block = value
      else if (typeof value === 'number' && Number.isSafeInteger(value)) block = BigInt(value)
      else if (typeof value === 'string' && /^\s*(\d+|0x[0-9a-fA-F]+)\s*$/.test(value)) block = BigInt(value.trim())
      if (block === undefined || block < 0n) return fail(ctx, `expected a block number ≥ 0, got ${describeValue(value)}`)
      return block
    })
}

/**
 * An EVM address, returned lower-case. Mixed-case input must carry a valid EIP-55 checksum (viem `isAddress`, strict),
 * so a mistyped character in a checksummed address is caught.
 */
export function addressField() {
  return z
    .unknown()
    .optional()
    .transform((value, ctx): `0x${string}` | undefined => {
      if (value === undefined) return undefined
      if (typeof value !== 'string' || !/^0x[0-9a-fA-F]{40}$/.test(value.trim())) {
        return fail(ctx, `expected a 0x-prefixed 20-byte hex address, got ${describeValue(value)}`)
      }
      const address = value.trim()
      if (!isAddress(address, { strict: true }))
        return fail(ctx, `invalid EIP-55 checksum in ${describeValue(address)} (write it all lower-case to skip the check)`)
      return address.toLowerCase() as `0x${string}`
    })
}

/** Parses one URL and checks its scheme; returns a problem message or the normalised URL string. */
function checkUrl(value: string, protocols: readonly string[], what: string): { url: string } | { problem: string } {
  let url: URL
  try {
    url = new URL(value.trim())
  } catch {
    return { problem: `expected ${what}, got ${describeValue(redactUrl(value))}` }
  }
  // Only the scheme is echoed: the rest of a URL often carries an API key or a password.
  if (!protocols.includes(url.protocol)) return { problem: `expected ${what}, got a ${url.protocol}// URL` }
  return { url: value.trim() }
}

/** A single URL whose scheme is one of `protocols` (e.g. `['ws:', 'wss:']`); `what` names them in messages. */
export function urlField(protocols: readonly string[], what: string) {
  return z
    .unknown()
    .optional()
    .transform((value, ctx): string | undefined => {
      if (value === undefined) return undefined
      if (typeof value !== 'string') return fail(ctx, `expected ${what}, got ${describeValue(value)}`)
      const checked = checkUrl(value, protocols, what)
      return 'problem' in checked ? fail(ctx, checked.problem) : checked.url
    })
}

/**
 * A list of URLs: an array of strings, or one string holding comma-separated URLs (how env vars and flags carry
 * fallbacks). Each entry is checked like {@link urlField}; an empty list counts as not given (`undefined`).
 */
export function urlListField(protocols: readonly string[], what: string) {
  return z
    .unknown()
    .optional()
    .transform((value, ctx): string[] | undefined => {
      if (value === undefined) return undefined
      const entries = typeof value === 'string' ? value.split(',') : value
      if (!Array.isArray(entries) || !entries.every((e) => typeof e === 'string')) {
        return fail(ctx, `expected ${what} or a list of them, got ${describeValue(value)}`)
      }
      const urls: string[] = []
      entries.forEach((entry, i) => {
        if (entry.trim() === '') return
        const checked = checkUrl(entry, protocols, what)
        if ('problem' in checked) ctx.addIssue({ code: 'custom', message: entries.length > 1 ? `entry ${i + 1}: ${checked.problem}` : checked.problem })
        else if (!urls.includes(checked.url)) urls.push(checked.url)
      })
      return urls.length ? urls : undefined
    })
}

const TRUE_WORDS = new Set(['true', '1', 'yes', 'on'])
const FALSE_WORDS = new Set(['false', '0', 'no', 'off'])

/** A boolean, from `true`/`false` or the strings `true|false|1|0|yes|no|on|off` (any case). */
export function booleanField() {
  return z
    .unknown()
    .optional()
    .transform((value, ctx): boolean | undefined => {
      if (value === undefined || typeof value === 'boolean') return value
      const word = typeof value === 'string' ? value.trim().toLowerCase() : undefined
      if (word !== undefined && TRUE_WORDS.has(word)) return true
      if (word !== undefined && FALSE_WORDS.has(word)) return false
      return fail(ctx, `expected true or false, got ${describeValue(value)}`)
    })
}

/** A non-empty string, trimmed. */
export function stringField() {
  return z
    .unknown()
    .optional()
    .transform((value, ctx): string | undefined => {
      if (value === undefined) return undefined
      if (typeof value !== 'string' || value.trim() === '') return fail(ctx, `expected a non-empty string, got ${describeValue(value)}`)
      return value.trim()
    })
}

/** One of `choices` (input compared lower-case). */
export function choiceField<const T extends string>(choices: readonly T[]) {
  return z
    .unknown()
    .optional()
    .transform((value, ctx): T | undefined => {
      if (value === undefined) return undefined
      const word = typeof value === 'string' ? value.trim().toLowerCase() : undefined
      const match = choices.find((c) => c === word)
      return match ?? fail(ctx, `expected one of ${choices.join(', ')}, got ${describeValue(value)}`)
    })
}

/**
 * Browser origins allowed to call the gateway (CORS): a list, or one comma-separated string (env, flag). Each entry is
 * `*` (any origin) or an origin `scheme://host[:port]` (no path); `none` alone means no cross-origin access.
 * @returns the origins, lower-case; `[]` for `none`; `undefined` when not given
 */
export function originListField() {
  return z
    .unknown()
    .optional()
    .transform((value, ctx): string[] | undefined => {
      if (value === undefined) return undefined
      const entries = typeof value === 'string' ? value.split(',') : value
      if (!Array.isArray(entries) || !entries.every((e) => typeof e === 'string'))
        return fail(ctx, `expected origins (e.g. https://app.example.com), "*" or "none", got ${describeValue(value)}`)
      const list = entries.map((e) => e.trim()).filter(Boolean)
      if (list.length === 1 && list[0]!.toLowerCase() === 'none') return []
      const origins: string[] = []
      for (const entry of list) {
        if (entry === '*') {
          origins.push('*')
          continue
        }
        let url: URL | undefined
        try {
          url = new URL(entry)
        } catch {
          url = undefined
        }
        if (!url || !['http:', 'https:'].includes(url.protocol) || url.origin.toLowerCase() !== entry.toLowerCase().replace(/\/$/, '')) {
          ctx.addIssue({
            code: 'custom',
            message: `expected an origin like https://app.example.com (scheme, host, optional port; no path), "*" or "none", got ${describeValue(entry)}`,
          })
          continue
        }
        if (!origins.includes(url.origin)) origins.push(url.origin)
      }
      return origins
    })
}
