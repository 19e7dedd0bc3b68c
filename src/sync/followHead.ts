/**
 * Following the head: how a chain loop waits once it has caught up, and between retries. One waiter per loop: its
 * waits end early on shutdown (`signal`) and, when a WebSocket client is given, on every new head it announces
 * (`newHeads` through viem's `watchBlockNumber`); otherwise they last the poll interval (`eth_blockNumber` polling is
 * the next step's `getBlock('latest')`). A further wake-up source (e.g. a head seen by another component) plugs in
 * here as another caller of `wake()`.
 */
import type { ChainClient } from '../chain/createChainClient.js'
import type { Logger } from '../common/logger.js'
import { createSleeper } from '../common/retryPolicy.js'

export type HeadWaiter = {
  /** Waits `ms`, or less: until a new head is announced, `wake()` is called, or the signal aborts. Never rejects. */
  wait(ms: number): Promise<void>
  /** Ends every current wait now. */
  wake(): void
  /** Stops watching for new heads (the loop's `finally`). */
  close(): void
}

export type CreateHeadWaiterParameters = {
  /** the loop's stop signal: an abort ends every wait at once */
  signal: AbortSignal
  /** optional client on a ws:// URL used only to be woken by `newHeads` */
  wsClient?: ChainClient
  /** receives a warning when the `newHeads` subscription fails (the waits then last their full time) */
  logger: Logger
}

/** @see HeadWaiter */
export function createHeadWaiter(params: CreateHeadWaiterParameters): HeadWaiter {
  const { sleep, wakeAll } = createSleeper(params.signal)
  const unwatch = params.wsClient?.watchBlockNumber({
    emitOnBegin: false,
    onBlockNumber: () => wakeAll(),
    onError: (error) => params.logger.warn({ error }, 'newHeads subscription error'),
  })
  return { wait: sleep, wake: wakeAll, close: () => unwatch?.() }
}
