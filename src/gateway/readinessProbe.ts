/**
 * `/readyz` that answers fast under any load. A synchronous check (the in-process indexer's `isReady()`) is asked
 * directly. An asynchronous one (a database ping) runs at most once at a time: a request joins the running check and
 * waits at most `answerWithinMs` for it; if it takes longer, the request is answered from the last completed result,
 * and a check pending for more than `staleAfterMs` means "not ready" (the dependency does not answer). The check
 * itself should not share the gateway's query pool (createDb `ping` has its own connection), so a saturated pool
 * does not look like a dead database.
 */
export type ReadinessCheck = () => boolean | Promise<boolean>

/** How long a `/readyz` request waits for a running asynchronous check before it uses the last result (ms). */
export const READY_ANSWER_WITHIN_MS = 50
/** A check pending longer than this answers "not ready" (ms). */
export const READY_STALE_AFTER_MS = 5_000

export type ReadinessProbe = {
  /** true when ready; resolves within about `answerWithinMs` once a first result exists; never rejects */
  isReady(): Promise<boolean>
}

/**
 * @param getCheck the current check (it may be replaced at any time, e.g. `setReadinessCheck`)
 * @param onError called with a check's error (the check then counts as "not ready")
 */
export function createReadinessProbe(
  getCheck: () => ReadinessCheck,
  options: { answerWithinMs?: number; staleAfterMs?: number; onError?: (error: unknown) => void } = {},
): ReadinessProbe {
  const answerWithinMs = options.answerWithinMs ?? READY_ANSWER_WITHIN_MS
  const staleAfterMs = options.staleAfterMs ?? READY_STALE_AFTER_MS
  let last: boolean | undefined
  let running: { promise: Promise<boolean>; since: number; check: ReadinessCheck } | undefined

  return {
    async isReady() {
      const check = getCheck()
      let value: boolean | Promise<boolean>
      if (running && running.check === check) value = running.promise
      else {
        try {
          value = check()
        } catch (error) {
          options.onError?.(error)
          return false
        }
        if (typeof value === 'boolean') return value
        const promise: Promise<boolean> = value.then(
          (ready) => Boolean(ready),
          (error) => (options.onError?.(error), false),
        )
        const entry = { promise, since: Date.now(), check }
        running = entry
        void promise.then((ready) => {
          if (running === entry) running = undefined
          last = ready
        })
        value = promise
      }
      const since = running?.since ?? Date.now()
      let timer: ReturnType<typeof setTimeout> | undefined
      const late = new Promise<undefined>((resolve) => {
        timer = setTimeout(() => resolve(undefined), last === undefined ? staleAfterMs : answerWithinMs)
      })
      const result = await Promise.race([value, late])
      clearTimeout(timer)
      if (result !== undefined) return result
      return Date.now() - since < staleAfterMs && last === true
    },
  }
}
