/**
 * The line of resumed subscriptions waiting to replay from a cursor: at most `maxCatchingUp` replay at once (a slot is
 * held until the execution merges, becomes shared or ends); the others wait in line (their events wait in the table),
 * at most `maxWaiting` of them. So a reconnect wave is worked through instead of replayed all at once.
 */
import pLimit from 'p-limit'

export type CatchUpLine = {
  /** true when the line is full: one more resumed subscription is refused (REPLAY_LIMIT) */
  full(): boolean
  /** waits for a slot; resolves with the function that gives it back (idempotent) */
  enter(): Promise<() => void>
}

/** @param params.maxCatchingUp slots; params.maxWaiting subscriptions that may wait for one */
export function createCatchUpLine(params: { maxCatchingUp: number; maxWaiting: number }): CatchUpLine {
  const catchUp = pLimit(params.maxCatchingUp)
  return {
    full: () => catchUp.pendingCount >= params.maxWaiting,
    async enter() {
      let release = () => {}
      const held = new Promise<void>((resolve) => (release = resolve))
      await new Promise<void>((acquired) => void catchUp(() => (acquired(), held)))
      return release
    },
  }
}
