/**
 * Following the head: how a chain loop waits once it has caught up, and between retries. One waiter per loop: its
 * waits end early on shutdown (`signal`) or `wake()`. When a head watcher is given (`newHeads` over WebSocket,
 * src/chain/watchHeads.ts), {@link HeadWaiter.waitForNewHead} also ends as soon as the node announces a head the
 * loop has not seen; otherwise it lasts the poll interval (polling is the next step's `getBlock('latest')`).
 */
import type { HeadWatcher, SeenHead } from '../chain/watchHeads.js'
import { createSleeper } from '../common/retryPolicy.js'

export type HeadWaiter = {
  /** Waits `ms`, or less: until `wake()` is called or the signal aborts (backoff between retries). Never rejects. */
  wait(ms: number): Promise<void>
  /**
   * Caught up at `seen`: waits `ms`, or less: until the watcher announces another head (at once when it already
   * has), `wake()` is called, or the signal aborts. Never rejects.
   */
  waitForNewHead(seen: SeenHead, ms: number): Promise<void>
  /** Ends every current wait now. */
  wake(): void
  /** Stops watching for new heads (the loop's `finally`). */
  close(): void
}

export type CreateHeadWaiterParameters = {
  /** the loop's stop signal: an abort ends every wait at once */
  signal: AbortSignal
  /** starts the watcher of the node's new heads; without it every wait lasts its full time */
  watchHeads?: () => HeadWatcher
}

/** @see HeadWaiter */
export function createHeadWaiter(params: CreateHeadWaiterParameters): HeadWaiter {
  const { signal } = params
  const { sleep, wakeAll } = createSleeper(signal)
  const heads = params.watchHeads?.()
  let woken = new AbortController()
  return {
    wait: sleep,
    async waitForNewHead(seen, ms) {
      if (!heads) return sleep(ms)
      const ended = AbortSignal.any([signal, woken.signal])
      await heads.wait(seen, ms, ended)
    },
    wake() {
      woken.abort()
      woken = new AbortController()
      wakeAll()
    },
    close: () => heads?.close(),
  }
}
