import { describe, expect, it } from 'vitest'
import { createSilentLogger } from '../common/logger.js'
import { createJournalGap, GAP_GRACE_MS } from './journalGap.js'

function gapAt(gapTimeoutMs = 60_000) {
  let clock = 1_000
  const gap = createJournalGap({ gapTimeoutMs, logger: createSilentLogger(), now: () => clock })
  return { gap, advance: (ms: number) => (clock += ms) }
}

describe('createJournalGap', () => {
  it('passes the expected seq and holds at a hole', () => {
    const { gap } = gapAt()
    expect(gap.passes(5n, 5n, undefined)).toBe(true)
    expect(gap.open).toBe(false)
    expect(gap.passes(7n, 6n, undefined)).toBe(false)
    expect(gap.open).toBe(true)
    expect(gap.needsHorizon).toBe(true)
    expect(gap.horizonNoted).toBe(false)
  })

  it('skips the hole once xmin has passed the noted horizon and the grace is over', () => {
    const { gap, advance } = gapAt()
    expect(gap.passes(7n, 6n, undefined)).toBe(false)
    gap.noteHorizon(100n)
    expect(gap.horizonNoted).toBe(true)
    expect(gap.needsHorizon).toBe(false)
    expect(gap.passes(7n, 6n, 99n)).toBe(false) // a transaction that could fill it may still run
    expect(gap.passes(7n, 6n, 100n)).toBe(false) // within the grace
    advance(GAP_GRACE_MS)
    expect(gap.passes(7n, 6n, 100n)).toBe(true)
    expect(gap.open).toBe(false)
  })

  it('skips a hole after the timeout when the horizon is unknown', () => {
    const { gap, advance } = gapAt(1_000)
    expect(gap.passes(9n, 6n, undefined)).toBe(false)
    gap.noteHorizon(undefined)
    expect(gap.needsHorizon).toBe(true)
    advance(999)
    expect(gap.passes(9n, 6n, undefined)).toBe(false)
    advance(1)
    expect(gap.passes(9n, 6n, undefined)).toBe(true)
  })

  it('starts over at a hole further on', () => {
    const { gap, advance } = gapAt(1_000)
    expect(gap.passes(7n, 6n, undefined)).toBe(false)
    gap.noteHorizon(10n)
    advance(900)
    expect(gap.passes(9n, 8n, 10n)).toBe(false) // a new hole: seen now, horizon not noted
    expect(gap.needsHorizon).toBe(true)
    advance(900)
    expect(gap.passes(9n, 8n, undefined)).toBe(false)
    advance(100)
    expect(gap.passes(9n, 8n, undefined)).toBe(true)
  })
})
