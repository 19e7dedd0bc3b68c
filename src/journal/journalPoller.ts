/**
 * When a journal tail reads: at once when notified (after each commit), otherwise every `pollIntervalMs`; after a
 * failed read with jittered backoff (retryPolicy.ts); while held at a hole, soon again. One read at a time: a
 * notification during a read asks for another right after it.
 */
import type { Logger } from '../common/logger.js'
import { backoffDelay } from '../common/retryPolicy.js'

/** how soon the tail reads again while held at a hole, in ms */
export const GAP_RECHECK_MS = 50

export type CreateJournalPollerParameters = {
  /** poll interval when nobody calls `notify()`, and the backoff's base, in ms */
  pollIntervalMs: number
  /** one read; a rejection is logged and retried with backoff */
  read(): Promise<void>
  /** true while the tail is held at a hole (journalGap.ts): read again within `GAP_RECHECK_MS` */
  holding(): boolean
  logger: Logger
}

export type JournalPoller = {
  /** schedules the first read at once */
  start(): void
  /** asks for an immediate read; cheap and safe to call often */
  notify(): void
  /** no read is scheduled any more; resolves once the read under way (if any) has ended */
  stop(): Promise<void>
}

/** Creates the poller (not started). */
export function createJournalPoller(params: CreateJournalPollerParameters): JournalPoller {
  const { pollIntervalMs } = params
  let stopped = false
  let running: Promise<void> | undefined
  let wakeRequested = false
  let timer: NodeJS.Timeout | undefined
  let failures = 0

  async function tick(): Promise<void> {
    wakeRequested = false
    try {
      await params.read()
      failures = 0
    } catch (error) {
      failures++
      params.logger.warn({ error, failures }, 'Journal read failed; retrying')
    }
  }

  function schedule(delayMs: number) {
    if (stopped) return
    clearTimeout(timer)
    timer = setTimeout(run, delayMs)
    timer.unref()
  }

  function run() {
    if (stopped || running) return
    running = tick().finally(() => {
      running = undefined
      const backoff = failures ? backoffDelay({ baseMs: pollIntervalMs }, failures) : pollIntervalMs
      schedule(wakeRequested ? 0 : params.holding() ? Math.min(GAP_RECHECK_MS, backoff) : backoff)
    })
  }

  return {
    start: () => schedule(0),
    notify() {
      if (stopped) return
      if (running) wakeRequested = true
      else schedule(0)
    },
    async stop() {
      stopped = true
      clearTimeout(timer)
      await running
    },
  }
}
