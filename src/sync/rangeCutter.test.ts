import { describe, expect, it } from 'vitest'
import { createRangeCutter, initialRangeSize, nextRangeSize, TARGET_LOGS_PER_RANGE, UNFINALIZED_RANGE } from './rangeCutter.js'

const cutAll = (from: bigint, head: bigint, finalized: bigint, size: bigint) => {
  const next = createRangeCutter({ from, head, finalized, size: () => size })
  const out: [bigint, bigint, boolean][] = []
  for (let r = next(); r; r = next()) out.push([r.fromBlock, r.toBlock, r.unfinalized])
  return out
}

describe('createRangeCutter', () => {
  it('covers [from, head] in order, never straddles the finalized block, and keeps unfinalized ranges small', () => {
    expect(cutAll(0n, 1_000n, 900n, 400n)).toEqual([
      [0n, 399n, false],
      [400n, 799n, false],
      [800n, 900n, false], // cut at the finalized block
      [901n, 950n, true], // UNFINALIZED_RANGE blocks
      [951n, 1_000n, true],
    ])
    expect(UNFINALIZED_RANGE).toBe(50n)
    expect(cutAll(5n, 4n, 0n, 10n)).toEqual([])
    expect(cutAll(7n, 7n, 0n, 0n)).toEqual([[7n, 7n, true]]) // a size below 1 still moves
  })

  it('reads the size at every cut', () => {
    let size = 2n
    const next = createRangeCutter({ from: 0n, head: 100n, finalized: 100n, size: () => size })
    expect(next()).toEqual({ fromBlock: 0n, toBlock: 1n, unfinalized: false })
    size = 10n
    expect(next()).toEqual({ fromBlock: 2n, toBlock: 11n, unfinalized: false })
  })
})

describe('nextRangeSize', () => {
  const piece = (logs: number, rangeSplits = 0) => ({ rangeSplits, events: new Array(logs).fill(0), skipped: [] })
  it('doubles while sparse, scales to the target when dense, halves on a split, stays within [1, max]', () => {
    expect(initialRangeSize(2_000n)).toBe(2n)
    expect(initialRangeSize(1n)).toBe(1n)
    expect(nextRangeSize(2n, 2_000n, 2n, [piece(0)])).toBe(4n)
    expect(nextRangeSize(1_500n, 2_000n, 1_500n, [piece(0)])).toBe(2_000n)
    expect(nextRangeSize(100n, 2_000n, 100n, [piece(Number(TARGET_LOGS_PER_RANGE) * 2)])).toBe(50n)
    expect(nextRangeSize(100n, 2_000n, 100n, [piece(10, 1)])).toBe(50n)
    expect(nextRangeSize(1n, 2_000n, 1n, [piece(10, 1)])).toBe(1n)
    expect(nextRangeSize(100n, 2_000n, 100n, [piece(2_000)])).toBe(100n) // between a quarter and the target: kept
  })
})
