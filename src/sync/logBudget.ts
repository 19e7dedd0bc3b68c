/**
 * A FIFO budget of logs in flight between fetch and commit: each piece of a range takes as many units as it has
 * logs, from the moment its records are read until it is committed. Requests are granted strictly in arrival order
 * (the sync loop asks in commit order), so a large piece waits for room instead of being overtaken, and a piece larger
 * than the whole budget (one dense block) is let through alone. This — not a count of pieces — is what bounds the
 * indexer's memory when blocks hold thousands of attestations.
 */
export type LogBudget = {
  /** resolves with a release function once `logs` units are available (capped at the budget's size) */
  acquire(logs: number): Promise<() => void>
  /** units in use and requests waiting */
  stats(): { inUse: number; waiting: number }
}

/**
 * @param size units (logs) in flight at most; a single request larger than this is capped to it and granted alone
 * @returns the budget; `acquire` never rejects, and each release function is idempotent
 */
export function createLogBudget(size: number): LogBudget {
  let inUse = 0
  const waiting: { units: number; grant: (release: () => void) => void }[] = []
  const pump = () => {
    while (waiting.length && (inUse === 0 || inUse + waiting[0]!.units <= size)) {
      const { units, grant } = waiting.shift()!
      inUse += units
      let released = false
      grant(() => {
        if (released) return
        released = true
        inUse -= units
        pump()
      })
    }
  }
  return {
    acquire(logs) {
      const units = Math.max(1, Math.min(size, logs))
      return new Promise((grant) => {
        waiting.push({ units, grant })
        pump()
      })
    },
    stats: () => ({ inUse, waiting: waiting.length }),
  }
}
