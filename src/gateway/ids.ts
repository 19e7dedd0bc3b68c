/**
 * SignScan public ids: `onchain_evm_{chainId}_{0x-hex id, lower case, minimal}` (sign-protocol-facts.md,
 * "Public id format"), e.g. `onchain_evm_31337_0x1a`. Partners store these ids: the gateway accepts and emits them.
 */
import { BadUserInputError } from './errors.js'

const UINT64_MAX = (1n << 64n) - 1n
/**
 * Largest value the database holds in a uint64 column: ids, timestamps and block numbers are signed `BIGINT`
 * (PostgreSQL int8). A uint64 above it is valid on chain but cannot have been stored (the contract's counters start
 * at 1 and count up), so a lookup of it finds nothing; sending it to PostgreSQL would fail with 22003.
 */
export const INT64_MAX = (1n << 63n) - 1n
const INT32_MAX = 2 ** 31 - 1
const FULL_ID = /^onchain_evm_(\d{1,10})_0x([0-9a-f]{1,16})$/i
const HEX_ID = /^0x([0-9a-f]{1,16})$/i
const DECIMAL_ID = /^\d{1,20}$/

/** Characters of a refused value an error message quotes: every valid id, address or number is shorter. */
export const MAX_QUOTED_INPUT_CHARS = 100

/**
 * Quotes a refused value for an error message, cut to {@link MAX_QUOTED_INPUT_CHARS} characters: a 10,000-character
 * "id" must not come back whole in the answer.
 * @returns e.g. `"0x5"`, or `"onchain_evm_…"… (10000 characters)` for a long value
 */
export function quoteInput(value: string): string {
  if (value.length <= MAX_QUOTED_INPUT_CHARS) return `"${value}"`
  return `"${value.slice(0, MAX_QUOTED_INPUT_CHARS)}…" (${value.length} characters)`
}

/** A record key on one chain: `id` is the contract's uint64 counter value. */
export type ChainRecordKey = { chainId: number; id: bigint }

/**
 * Formats a SignScan full id.
 * @param chainId EVM chain id
 * @param id uint64 attestation or schema id
 * @returns e.g. `onchain_evm_31337_0x1a`
 */
export function toFullId(chainId: number, id: bigint): string {
  return `onchain_evm_${chainId}_${toHexId(id)}`
}

/** Formats a uint64 id as minimal lower-case hex: `26n` => `0x1a`. */
export function toHexId(id: bigint): string {
  return `0x${id.toString(16)}`
}

/**
 * Parses a SignScan full id. Hex digits are accepted in either case and with leading zeros.
 * @param value e.g. `onchain_evm_10_0x65`
 * @param what the argument's name, used in the error message
 * @throws {BadUserInputError} when the value is not a full id, the chain id is not a positive Int or the id
 *   exceeds uint64
 */
export function parseFullId(value: string, what = 'id'): ChainRecordKey {
  const match = FULL_ID.exec(value)
  const chainId = match ? Number(match[1]) : Number.NaN
  if (!match || !Number.isSafeInteger(chainId) || chainId < 1 || chainId > INT32_MAX) {
    throw new BadUserInputError(`Invalid ${what} ${quoteInput(value)}: expected onchain_evm_<chainId>_<0x hex id>`, { argument: what })
  }
  return { chainId, id: BigInt(`0x${match[2]}`) }
}

/**
 * Parses a SignScan full id for a lookup by primary key.
 * @returns the key, or null when the id is a valid uint64 above {@link INT64_MAX} (nothing stored can have it:
 *   the lookup's answer is null)
 * @throws {BadUserInputError} as {@link parseFullId}
 */
export function parseStoredFullId(value: string, what = 'id'): ChainRecordKey | null {
  const key = parseFullId(value, what)
  return isStorableUint64(key.id) ? key : null
}

/** @returns whether a uint64 fits the database's signed BIGINT columns (0..{@link INT64_MAX}). */
export function isStorableUint64(value: bigint): boolean {
  return value >= 0n && value <= INT64_MAX
}

/**
 * Parses an id given as a SignScan full id, a `0x` hex string or a decimal string.
 * @returns the chain id when the value was a full id (else undefined) and the uint64 id
 * @throws {BadUserInputError} when the value is none of these or exceeds uint64
 */
export function parseIdFilter(value: string, what: string): { chainId?: number; id: bigint } {
  if (value.startsWith('onchain_evm_')) return parseFullId(value, what)
  const hex = HEX_ID.exec(value)
  if (hex) return { id: BigInt(`0x${hex[1]}`) }
  if (DECIMAL_ID.test(value)) {
    const id = BigInt(value)
    if (id <= UINT64_MAX) return { id }
  }
  throw new BadUserInputError(`Invalid ${what} ${quoteInput(value)}: expected a full id, a 0x hex id or a decimal id`, { argument: what })
}

/**
 * Parses a uint64 given as a decimal string (unix seconds, block numbers).
 * @throws {BadUserInputError} when the value is not a decimal integer in uint64 range
 */
export function parseUint64(value: string, what: string): bigint {
  if (DECIMAL_ID.test(value)) {
    const n = BigInt(value)
    if (n <= UINT64_MAX) return n
  }
  throw new BadUserInputError(`Invalid ${what} ${quoteInput(value)}: expected a decimal unsigned 64-bit integer`, { argument: what })
}
