/**
 * How a backfill step cuts `[from, head]` into `eth_getLogs` ranges, and how the range size adapts (pure).
 *
 * Below the finalized block: big ranges, headers only where needed. Above it (reorgs possible): ranges of at most
 * {@link UNFINALIZED_RANGE} blocks with every header fetched and parent links checked; a range never straddles the
 * finalized block. Ranges are cut lazily, one at a time, so each takes the size the previous answers taught.
 */

/** blocks per range above the finalized block, where every header is fetched */
export const UNFINALIZED_RANGE = 50n
/** first eth_getLogs range, in blocks: grown from there while ranges stay below TARGET_LOGS_PER_RANGE */
const INITIAL_RANGE = 2n
/**
 * logs one range should bring back: bounds the memory a range holds before its pieces are committed. With
 * `parallelRanges` ranges ahead of the committer, at most ~parallelRanges × this many logs (and their records) are in
 * memory at once — what keeps the indexer's heap flat whatever the size of the backfill.
 */
export const TARGET_LOGS_PER_RANGE = 5_000n

/** One `eth_getLogs` range, inclusive; `unfinalized`: above the finalized block (every header fetched and checked). */
export type BlockRange = { fromBlock: bigint; toBlock: bigint; unfinalized: boolean }

/** The first range size of a chain loop: {@link INITIAL_RANGE}, or the configured maximum when smaller. */
export function initialRangeSize(maxBlockRange: bigint): bigint {
  return maxBlockRange < INITIAL_RANGE ? maxBlockRange : INITIAL_RANGE
}

/**
 * Adaptive eth_getLogs range size: halved when the provider refused a range (it had to be split), scaled down
 * when a range held more than TARGET_LOGS_PER_RANGE logs, doubled while ranges are sparse (< 1/4 of the target),
 * never above the configured maximum.
 * @param current the size the range was cut with; `span` the blocks it covered; `pieces` what it brought back
 */
export function nextRangeSize(current: bigint, max: bigint, span: bigint, pieces: { rangeSplits: number; events: unknown[]; skipped: unknown[] }[]): bigint {
  const logs = BigInt(pieces.reduce((n, p) => n + p.events.length + p.skipped.length, 0))
  let size = current
  if (pieces.some((p) => p.rangeSplits > 0)) size = span / 2n
  else if (logs > TARGET_LOGS_PER_RANGE) size = (span * TARGET_LOGS_PER_RANGE) / logs
  else if (logs < TARGET_LOGS_PER_RANGE / 4n && span >= current) size = current * 2n
  if (size < 1n) size = 1n
  return size > max ? max : size
}

/**
 * @param from first block to fetch; `head` last; `finalized` the chain's finalized block
 * @param size read at every cut: the current adaptive range size (≥ 1 is enforced)
 * @returns a function giving the next range in block order, `null` once `head` is covered
 */
export function createRangeCutter(params: { from: bigint; head: bigint; finalized: bigint; size: () => bigint }): () => BlockRange | null {
  const { head, finalized } = params
  let cursor = params.from
  return () => {
    if (cursor > head) return null
    const unfinalized = cursor > finalized
    const rangeSize = params.size()
    let size = unfinalized ? (rangeSize < UNFINALIZED_RANGE ? rangeSize : UNFINALIZED_RANGE) : rangeSize
    if (size < 1n) size = 1n
    let toBlock = cursor + size - 1n
    if (!unfinalized && toBlock > finalized) toBlock = finalized
    if (toBlock > head) toBlock = head
    const range = { fromBlock: cursor, toBlock, unfinalized }
    cursor = toBlock + 1n
    return range
  }
}
