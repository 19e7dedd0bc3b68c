/**
 * The grace a full subscriber queue gets before it overflows, shared by the journal tail and shared subscription
 * executions. A producer about to hand out `n` entries waits while some consumer lacks room for them — but each
 * consumer is waited for at most `graceMs` from the moment it was first seen full; after that the producer goes on and
 * that consumer overflows on the next push. So a burst does not overflow consumers that keep up, and one slow consumer
 * stalls the producer at most once, for the grace, instead of on every entry.
 */
export type OverflowGrace<T extends object> = {
  /**
   * Resolves once every consumer in `consumers` has `room(consumer) >= n` or has been full for `graceMs` or more, or
   * when `stopped()` returns true. Polls every 10 ms while waiting.
   */
  waitForRoom(consumers: Iterable<T>, room: (consumer: T) => number, n: number, stopped: () => boolean): Promise<void>
}

/** @param graceMs how long one consumer may hold the producer back, in ms */
export function createOverflowGrace<T extends object>(graceMs: number): OverflowGrace<T> {
  const fullSince = new WeakMap<T, number>()
  return {
    async waitForRoom(consumers, room, n, stopped) {
      while (!stopped()) {
        const now = Date.now()
        let waiting = false
        for (const consumer of consumers) {
          if (room(consumer) >= n) fullSince.delete(consumer)
          else {
            const since = fullSince.get(consumer) ?? now
            fullSince.set(consumer, since)
            if (now - since < graceMs) waiting = true
          }
        }
        if (!waiting) return
        await new Promise((resolve) => setTimeout(resolve, 10))
      }
    },
  }
}
