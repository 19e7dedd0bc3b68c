/**
 * The one retry policy of every stage (sync loop, RPC governor, verifier workers and scheduler, journal tail):
 * a jittered exponential backoff and an interruptible sleep. What is worth retrying stays with the failure's owner
 * (RPC: `classifyRpcError` in chain/rpcGovernor.ts; database values: `isDataError` in db/getSqlState.ts); how long
 * to wait and how to wait is decided here only.
 *
 * Backoff ("equal jitter", AWS Architecture Blog, "Exponential Backoff And Jitter"): the nominal delay is
 * `min(maxMs, baseMs · 2^attempt)`; the wait is uniform in [½, 1) of it, so retrying peers spread out while a
 * single caller still backs off exponentially.
 */

/** Longest wait between two attempts of any stage loop, ms. */
export const MAX_BACKOFF_MS = 30_000

export type Backoff = {
  /** nominal first delay, ms (attempt 0) */
  baseMs: number
  /** cap on the nominal delay, ms (default {@link MAX_BACKOFF_MS}) */
  maxMs?: number
  /** `false`: the nominal delay exactly (for a poll interval that must not drift); default true */
  jitter?: boolean
}

/** Exponents above this add nothing (2^20 · any base exceeds every cap) and keep the arithmetic finite. */
const MAX_EXPONENT = 20

/**
 * @param attempt 0 for the first retry, then 1, 2, …; negative or fractional values are clamped/floored
 * @param random uniform [0, 1) source (inject a seeded one to replay a run)
 * @returns the delay before the next attempt, ms, in [nominal/2, nominal) with jitter, else exactly nominal
 */
export function backoffDelay(policy: Backoff, attempt: number, random: () => number = Math.random): number {
  const exponent = Math.min(MAX_EXPONENT, Math.max(0, Math.floor(attempt)))
  const nominal = Math.min(policy.maxMs ?? MAX_BACKOFF_MS, policy.baseMs * 2 ** exponent)
  return policy.jitter === false ? nominal : nominal * (0.5 + random() / 2)
}

export type Sleeper = {
  /** Waits `ms` milliseconds, or less when woken or aborted; never rejects. */
  sleep(ms: number): Promise<void>
  /** Ends every pending sleep now (e.g. a new block, new work, shutdown). */
  wakeAll(): void
}

/**
 * Interruptible sleeps for one loop or a group of loops: `wakeAll()` or an abort of `signal` ends them early.
 * Timers do not keep the process alive once the signal is aborted (they are cleared). The sleeper holds one `abort`
 * listener on `signal` while any sleep is pending, however many are (an RPC outage puts hundreds of retries to sleep
 * at once: a listener each passed Node's limit of 10, `MaxListenersExceededWarning`), and none otherwise.
 */
export function createSleeper(signal?: AbortSignal): Sleeper {
  const pending = new Set<() => void>()
  const wakeAll = () => {
    for (const done of [...pending]) done()
  }
  return {
    sleep(ms) {
      if (signal?.aborted) return Promise.resolve()
      return new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer)
          pending.delete(done)
          if (!pending.size) signal?.removeEventListener('abort', wakeAll)
          resolve()
        }
        const timer = setTimeout(done, Math.max(0, ms))
        if (!pending.size) signal?.addEventListener('abort', wakeAll, { once: true })
        pending.add(done)
      })
    },
    wakeAll,
  }
}
