/**
 * Fair, bounded replays. A subscription resuming `after` a cursor replays the journal from the table, page by page,
 * and each page becomes GraphQL executions, row reads and socket writes. 50 SSE subscriptions replaying from
 * `after: "0"` at once kept the gateway busy for more than 40 s (`/healthz` timed out): nothing paced them.
 *
 * - Admission: at most `maxReplays` replays in the process and `maxPerConnection` on one connection (a graphql-ws
 *   socket; an SSE request is a connection of its own) are admitted at once; one more is refused with
 *   {@link ReplayLimitError} (GraphQL `REPLAY_LIMIT`, retryable: retry later or on another replica). So the queue of
 *   replays waiting for a page is bounded by `maxReplays`.
 * - Pages: at most `concurrentPages` replay pages are being read AND handed out at once, process-wide; the others
 *   wait in one FIFO queue. A replay holds its permit from reading a page until its last event has been taken by
 *   the consumer (the GraphQL execution), then goes to the back of the queue: replays take turns, page by page,
 *   and their database reads and execution CPU are bounded by `concurrentPages` pages whatever their number.
 * - The journal yields to the event loop between pages and every few replayed events (journal.ts), so queries,
 *   health checks and live deliveries run in between.
 */
import { GraphQLError } from 'graphql'
import { BaseError } from '../errors/baseError.js'

/** Too many replays at once (process-wide or on one connection). */
export class ReplayLimitError extends BaseError {
  readonly scope: 'process' | 'connection'
  constructor(scope: 'process' | 'connection', limit: number) {
    super(
      scope === 'process'
        ? 'Too many subscriptions replaying from a cursor on this gateway'
        : 'Too many subscriptions replaying from a cursor on this connection',
      {
        code: 'REPLAY_LIMIT',
        retryable: true,
        details: `at most ${limit} at once; retry later${scope === 'process' ? ' or on another replica' : ''}`,
      },
    )
    this.scope = scope
  }
}

/** The GraphQL error a client sees: `extensions.code` REPLAY_LIMIT, `extensions.scope` process | connection. */
export function toReplayLimitGraphQLError(error: ReplayLimitError): GraphQLError {
  return new GraphQLError(`${error.shortMessage}; retry later`, { extensions: { code: 'REPLAY_LIMIT', scope: error.scope } })
}

/** One admitted replay. */
export type ReplayTicket = {
  /** waits (FIFO) for a page permit; resolves at once when this ticket already holds one */
  acquirePage(): Promise<void>
  /** gives the page permit back (idempotent) */
  releasePage(): void
  /** the replay is over (caught up or closed): permit and admission given back (idempotent) */
  end(): void
}

export type ReplayLimiter = {
  /**
   * Admits one replay.
   * @param connection the client connection carrying it (undefined: counted for the process only)
   * @throws {ReplayLimitError} when `maxReplays` or `maxPerConnection` replays are already admitted
   */
  admit(connection?: object): ReplayTicket
  stats(): { replays: number; pagesInFlight: number; waiting: number }
}

export type CreateReplayLimiterParameters = {
  /** replay pages read and handed out at once, process-wide (default 2) */
  concurrentPages?: number
  /** replays admitted at once, process-wide (default 200) */
  maxReplays?: number
  /** replays admitted at once on one connection (default 8) */
  maxPerConnection?: number
}

/** Creates a limiter; share one per process (the journal hub does, for every tail). */
export function createReplayLimiter(params: CreateReplayLimiterParameters = {}): ReplayLimiter {
  const concurrentPages = params.concurrentPages ?? 2
  const maxReplays = params.maxReplays ?? 200
  const maxPerConnection = params.maxPerConnection ?? 8
  const perConnection = new WeakMap<object, number>()
  const waiting: (() => void)[] = []
  let replays = 0
  let inFlight = 0

  const grant = () => {
    while (inFlight < concurrentPages && waiting.length) {
      inFlight++
      waiting.shift()!()
    }
  }

  return {
    admit(connection) {
      if (replays >= maxReplays) throw new ReplayLimitError('process', maxReplays)
      const onConnection = connection ? (perConnection.get(connection) ?? 0) : 0
      if (connection && onConnection >= maxPerConnection) throw new ReplayLimitError('connection', maxPerConnection)
      replays++
      if (connection) perConnection.set(connection, onConnection + 1)
      let holding = false
      let ended = false
      /** set while this ticket waits in the queue: `granted` is what `grant()` calls, `resolve` ends the wait */
      let wait: { granted: () => void; resolve: () => void } | undefined
      const ticket: ReplayTicket = {
        acquirePage() {
          if (holding || ended) return Promise.resolve()
          return new Promise<void>((resolve) => {
            const granted = () => {
              wait = undefined
              holding = true
              resolve()
            }
            wait = { granted, resolve }
            waiting.push(granted)
            grant()
          })
        },
        releasePage() {
          if (!holding) return
          holding = false
          inFlight--
          grant()
        },
        end() {
          if (ended) return
          ended = true
          if (wait) {
            // still in the queue: leave it; the pending acquire resolves without a permit (the journal sees it closed)
            const at = waiting.indexOf(wait.granted)
            if (at >= 0) waiting.splice(at, 1)
            wait.resolve()
            wait = undefined
          }
          ticket.releasePage()
          replays--
          if (connection) perConnection.set(connection, (perConnection.get(connection) ?? 1) - 1)
        },
      }
      return ticket
    },
    stats: () => ({ replays, pagesInFlight: inFlight, waiting: waiting.length }),
  }
}

/** The connection a subscription arrived on: its graphql-ws socket, or its HTTP request (SSE). */
export function connectionOf(ctx: object): object | undefined {
  const { wsOperation, request } = ctx as { wsOperation?: { socket?: object }; request?: object }
  return wsOperation?.socket ?? request
}
