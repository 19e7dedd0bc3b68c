/**
 * Page-size policy shared by every Relay connection: a request above the cap is an error, never silently
 * clamped (a client that asked for 500 rows and got 100 would think it had them all).
 */
import type { GatewayContext } from './builder.js'
import { BadUserInputError } from './errors.js'

/** Page size when neither `first` nor `last` is given (capped by `maxPageSize`). */
export const DEFAULT_PAGE_SIZE = 20

/**
 * Pothos `maxSize` callback: returns the context's cap.
 * @throws {BadUserInputError} when `first` or `last` exceeds `ctx.maxPageSize`
 */
export function assertPageSize(args: { first?: number | null; last?: number | null }, ctx: GatewayContext): number {
  for (const name of ['first', 'last'] as const) {
    const value = args[name]
    if (value != null && value > ctx.maxPageSize) {
      throw new BadUserInputError(`"${name}" must be at most ${ctx.maxPageSize} (got ${value})`, {
        argument: name,
        maxPageSize: ctx.maxPageSize,
      })
    }
  }
  return ctx.maxPageSize
}

/** Pothos `defaultSize` callback: `DEFAULT_PAGE_SIZE`, or the cap when that is smaller. */
export function defaultPageSize(_args: unknown, ctx: GatewayContext): number {
  return Math.min(DEFAULT_PAGE_SIZE, ctx.maxPageSize)
}
