import type { ExecutionRegistry } from './executionRegistry.js'
import { absorb } from './handOverResults.js'
import type { SharedExecution } from './sharedExecution.js'

/**
 * A resumed execution (`baseKey` set, not shared yet) that has caught up merges into the shared execution under its
 * `baseKey`, or becomes it: with none there and its source no longer replaying (`isLive`), it is registered as the
 * shared one; with one whose hand-over point it has reached, its subscribers move there (skipping what they already
 * got) and it stops; live but still behind, it waits in the shared one's mergers for its next hand-over
 * (handOverResults.ts). Whenever it has no replay left, its catching-up slot goes to the next in line. So a wave of
 * reconnecting clients (a gateway restart, an overload) costs one replay each, not one execution each for as long
 * as they stay. Called after each of its hand-overs, and now and then while it is idle.
 */
export function mergeIfCaughtUp(execution: SharedExecution, registry: ExecutionRegistry, isLive: () => boolean): void {
  if (execution.stopped || execution.baseKey === null || execution.key !== null) return
  const base = registry.shared(execution.baseKey)
  if (!base) {
    if (isLive()) {
      execution.key = execution.baseKey
      registry.share(execution.key, execution)
      execution.releaseCatchUpSlot()
    }
    return
  }
  const through = execution.handedOverCursor()
  const baseAt = base.cursor()
  if (through !== undefined && baseAt !== undefined && BigInt(through) >= BigInt(baseAt)) absorb(execution, base, through)
  else if (isLive()) {
    base.mergers.add(execution) // live and close behind: joins at the base's next hand-over
    execution.releaseCatchUpSlot() // no replay left: its catching-up slot can go to the next in line
  }
}
