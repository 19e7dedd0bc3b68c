import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { AttestationFilter } from '../types/attestationWhere.js'
import { splitPartDays, toRollupFilter } from './rollupSql.js'

/** Seeded: a failing run replays with the same SPLIT_DAYS_SEED (fast-check also prints the failing case). */
const SEED = Number(process.env.SPLIT_DAYS_SEED ?? 86_400)
const DAY = 86_400n

const within = (t: bigint, f: AttestationFilter) =>
  (f.attestTimestampGte == null || t >= BigInt(f.attestTimestampGte)) && (f.attestTimestampLte == null || t <= BigInt(f.attestTimestampLte))

describe('splitPartDays', () => {
  it('splits a range with part days into whole days a rollup answers and at most two part days, disjoint, covering it exactly', () => {
    // today's times, and the epoch's first days (a bound below one day has no whole day before it)
    const time = fc.oneof(fc.bigInt({ min: 1_700_000_000n, max: 1_700_000_000n + 20n * DAY }), fc.bigInt({ min: 0n, max: 3n * DAY }))
    fc.assert(
      fc.property(fc.option(time), fc.option(time), fc.array(time, { maxLength: 40 }), fc.boolean(), (lower, upper, probes, revoked) => {
        const where: AttestationFilter = {
          chainId: 10,
          attester: '0x00000000000000000000000000000000000000aa',
          revoked,
          attestTimestampGte: lower?.toString() ?? null,
          attestTimestampLte: upper?.toString() ?? null,
        }
        const split = splitPartDays(where)
        const partLower = lower != null && lower % DAY !== 0n
        const partUpper = upper != null && (upper + 1n) % DAY !== 0n
        const firstWhole = lower == null ? null : lower + ((DAY - (lower % DAY)) % DAY)
        const endWhole = upper == null ? null : upper + 1n - ((upper + 1n) % DAY)
        const wholeDays = (endWhole == null || endWhole > 0n) && (firstWhole == null || endWhole == null || firstWhole < endWhole)
        if (!(partLower || partUpper) || !wholeDays) {
          expect(split).toBeNull()
          return
        }
        expect(split).not.toBeNull()
        const { whole, partDays } = split!
        // the whole days: a filter the rollups answer, the other fields kept
        expect(toRollupFilter(whole)).not.toBeNull()
        expect(whole).toMatchObject({ chainId: 10, attester: where.attester, revoked })
        expect(partDays.length).toBe(Number(partLower) + Number(partUpper))
        for (const part of partDays) {
          expect(part).toMatchObject({ chainId: 10, attester: where.attester, revoked })
          expect(BigInt(part.attestTimestampLte!) - BigInt(part.attestTimestampGte!)).toBeLessThan(DAY) // within one day
        }
        const edges = [lower, upper, firstWhole, endWhole].filter((t): t is bigint => t != null).flatMap((t) => [t - 1n, t, t + 1n])
        for (const t of [...probes, ...edges]) {
          const pieces = [whole, ...partDays].filter((f) => within(t, f)).length
          expect(pieces, `t=${t}`).toBe(within(t, where) ? 1 : 0)
        }
      }),
      { seed: SEED, numRuns: 500 },
    )
  })

  it('leaves alone filters with a field no rollup holds, and bounds that do not parse', () => {
    expect(splitPartDays({ recipient: '0x00000000000000000000000000000000000000aa', attestTimestampGte: '1700000001' })).toBeNull()
    expect(splitPartDays({ attestTimestampGte: 'yesterday' })).toBeNull()
    expect(splitPartDays({ attestTimestampGte: '18446744073709551615' })).toBeNull() // above every stored timestamp: nothing matches: no rollup needed
    expect(splitPartDays(null)).toBeNull()
    expect(splitPartDays({ attestTimestampLte: '100' })).toBeNull() // within the epoch's first day: no whole day (was a bound of -1)
    // an upper bound above every timestamp is no bound
    expect(splitPartDays({ attestTimestampGte: '1700000001', attestTimestampLte: '18446744073709551615' })?.whole).toMatchObject({
      attestTimestampLte: null,
    })
  })
})
