/**
 * Conversions of on-chain uint64 values for GraphQL: decimal strings (GraphQL Int is 32-bit) and, for unix
 * seconds, a `DateTime`.
 */

/** Largest unix time in seconds a JS `Date` can hold (±8.64e15 ms). */
const MAX_DATE_SECONDS = 8_640_000_000_000n

/** Anything with a decimal `toString`/`toFixed`: bigint, number, Prisma.Decimal. */
type Uint64Like = bigint | number | { toFixed(): string }

/**
 * Formats a uint64 as a decimal string.
 * @param value bigint (BigInt columns) or Prisma.Decimal (Decimal(20,0) columns); null stays null
 */
export function toUint64String(value: Uint64Like): string
export function toUint64String(value: Uint64Like | null | undefined): string | null
export function toUint64String(value: Uint64Like | null | undefined): string | null {
  if (value == null) return null
  if (typeof value === 'bigint' || typeof value === 'number') return value.toString()
  return value.toFixed()
}

/**
 * Converts unix seconds to a `Date`.
 * @param seconds unix seconds (bigint or Decimal); 0 means "not set" in Sign Protocol structs
 * @returns null for null, 0 or values beyond the `Date` range
 */
export function toDateFromSeconds(seconds: Uint64Like | null | undefined): Date | null {
  const text = toUint64String(seconds)
  if (text == null) return null
  const n = BigInt(text)
  if (n === 0n || n > MAX_DATE_SECONDS) return null
  return new Date(Number(n) * 1000)
}
