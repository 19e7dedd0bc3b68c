/**
 * Redaction of secrets carried by URLs (RPC provider keys, basic-auth credentials, database and Redis passwords)
 * before a URL is logged, printed or exposed. Pure string functions: no URL normalisation, so a URL with nothing
 * secret in it comes back byte for byte (`http://127.0.0.1:8545` stays without a trailing slash).
 */

/** What replaces every redacted part. */
export const REDACTED = '***'

/** scheme://authority path ?query #fragment — authority may hold `user:password@`. */
const URL_PARTS = /^([a-z][a-z0-9+.-]*:\/\/)([^/?#]*)([^?#]*)(\?[^#]*)?(#.*)?$/i
/** API version segments (`/v2/`, `/v3/`): what follows them is the key at Alchemy, Infura and many others. */
const VERSION_SEGMENT = /^v\d+$/i
/** Segment names that announce a secret in the next segment (`/key/<key>`, `/api-key/<key>`, `/token/<token>`). */
const KEY_NAME_SEGMENT = /^(api[-_]?key|key|token|auth|secret|access[-_]?token)$/i
/** Key-like: a long base62/hex/base64url-ish token (QuickNode, Ankr, Tenderly, dRPC keys). */
const TOKEN_SEGMENT = /^[A-Za-z0-9_\-~.%]{16,}$/

/** Whether one path segment looks like a credential on its own. */
function isKeyLike(segment: string): boolean {
  if (!TOKEN_SEGMENT.test(segment)) return false
  // a long word like `ethereum-mainnet` or `arbitrum-sepolia` is a network name; a key has digits or is very long
  return segment.length >= 32 || /\d/.test(segment)
}

function redactPath(path: string): string {
  if (path === '' || path === '/') return path
  const segments = path.split('/')
  return segments
    .map((segment, i) => {
      if (segment === '') return segment
      const previous = segments[i - 1] ?? ''
      if (VERSION_SEGMENT.test(previous) || KEY_NAME_SEGMENT.test(previous) || isKeyLike(segment)) return REDACTED
      return segment
    })
    .join('/')
}

/**
 * Redacts the secret parts of one URL: credentials (`user:password@` → `***@`), the whole query string
 * (`?apikey=…` → `?***`), the fragment, and key-like path segments — any segment after `/v<N>/` (Alchemy `/v2/<key>`,
 * Infura `/v3/<key>`) or after `/key/`, `/token/`, `/api-key/`, and any segment of 16+ token characters with a digit
 * (or of 32+). Scheme, host, port and ordinary path segments are kept, so the log still tells which endpoint it was.
 *
 * Works on text that `new URL` refuses too (it never throws): anything without `scheme://` is returned unchanged.
 *
 * @param url e.g. `https://user:pass@eth-mainnet.g.alchemy.com/v2/AbC123?apikey=xyz`
 * @returns e.g. `https://***@eth-mainnet.g.alchemy.com/v2/***?***`
 * @example redactUrl('postgres://app:hunter2@db:5432/sign') // 'postgres://***@db:5432/sign'
 */
export function redactUrl(url: string): string {
  const parts = URL_PARTS.exec(url)
  if (!parts) return url
  const [, scheme, authority, path = '', query, fragment] = parts
  const at = authority!.lastIndexOf('@')
  const host = at === -1 ? authority : `${REDACTED}@${authority!.slice(at + 1)}`
  return `${scheme}${host}${redactPath(path)}${query === undefined ? '' : `?${REDACTED}`}${fragment === undefined ? '' : `#${REDACTED}`}`
}

/**
 * A URL inside free text: scheme, `://`, then anything up to whitespace, a quote, a backslash (JSON escapes such as
 * `\n` or `\"` in a serialised log line), `<`, `>`, a backtick or a closing parenthesis/bracket.
 */
const URL_IN_TEXT = /\b[a-z][a-z0-9+.-]*:\/\/[^\s"'`\\<>()[\]{}]+/gi

/**
 * Redacts every URL found in `text` with {@link redactUrl}: for error messages (viem puts `URL: …` in them), stack
 * traces, and whole serialised log lines (the logger runs it over every line it writes).
 *
 * @param text any string, e.g. a JSON log line
 * @returns the same text with each URL redacted; text without `://` is returned as is (fast path)
 */
export function redactText(text: string): string {
  if (!text.includes('://')) return text
  return text.replace(URL_IN_TEXT, (url) => {
    // a sentence may end right after a URL: keep trailing punctuation out of it
    const trailing = /[.,;:!?]+$/.exec(url)?.[0] ?? ''
    return redactUrl(url.slice(0, url.length - trailing.length)) + trailing
  })
}
