/**
 * One journal tail per delivery level (see finalityGate.ts): `SAFE` (the default, created at once), `LATEST` and
 * `FINALIZED` (created on their first subscriber). Each tail reads the `Event` table itself, so an entry held back
 * at one level costs no memory: it stays in the table until its block reaches the level.
 */
import type { Logger } from '../common/logger.js'
import type { PrismaClient } from '../generated/prisma/client.js'
import { createFinalityGate, type DeliveryLevel } from './finalityGate.js'
import { createReplayLimiter } from './replayLimiter.js'
import { createJournalTail, type CreateJournalTailParameters, type JournalSubscribeOptions, type JournalSubscription, type JournalTail } from './journalTail.js'

export type JournalHubSubscribeOptions = JournalSubscribeOptions & {
  /** default `SAFE`: events at the configured confirmation depth */
  finality?: DeliveryLevel
}

/**
 * The tails of every level behind the journal-tail interface; `subscribe` picks the level. `ready` and
 * `stats().position` are the SAFE tail's; `stats().subscribers` counts every tail's.
 */
export type JournalHub = Omit<JournalTail, 'subscribe'> & {
  subscribe(options?: JournalHubSubscribeOptions): JournalSubscription
  /** the tail of one level (created if needed) */
  tail(level: DeliveryLevel): JournalTail
}

export type CreateJournalHubParameters = Omit<CreateJournalTailParameters, 'gate' | 'after'> & { prisma: PrismaClient; logger: Logger }

/**
 * Creates the hub and its `SAFE` tail; `notify`, `close` and `stats` cover every tail created. Every tail shares one
 * replay limiter (`params.replayLimiter`, default `createReplayLimiter()`): replays are paced process-wide; and one
 * annotator, `params.annotate` (the gateway passes the attestation facts its row-filtered subscriptions judge,
 * gateway/attestationFacts.ts), so the journal never imports the gateway.
 */
export function createJournalHub(params: CreateJournalHubParameters): JournalHub {
  const replayLimiter = params.replayLimiter ?? createReplayLimiter()
  const tails = new Map<DeliveryLevel, JournalTail>()
  let closed = false
  const tail = (level: DeliveryLevel): JournalTail => {
    let t = tails.get(level)
    if (!t) {
      t = createJournalTail({
        ...params,
        replayLimiter,
        gate: level === 'LATEST' ? undefined : createFinalityGate(params.prisma, level),
        logger: params.logger.child({ finality: level }),
      })
      if (closed) void t.close()
      tails.set(level, t)
    }
    return t
  }
  const safe = tail('SAFE')
  return {
    ready: safe.ready,
    tail,
    notify: () => {
      for (const t of tails.values()) t.notify()
    },
    subscribe: (options = {}) => tail(options.finality ?? 'SAFE').subscribe(options),
    stats: () => ({ position: safe.stats().position, subscribers: [...tails.values()].reduce((n, t) => n + t.stats().subscribers, 0) }),
    close: async () => {
      closed = true
      await Promise.all([...tails.values()].map((t) => t.close()))
    },
  }
}
