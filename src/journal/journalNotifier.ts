/**
 * Cross-process wake-up for journal tails: after each commit the indexer publishes "the journal of chain C advanced
 * to seq N"; every gateway replica hears it and reads the journal itself (the database stays the source of truth,
 * so a lost notification only costs latency: tails also poll). Payloads are small strings.
 *
 * - `redis`: `@graphql-yoga/redis-event-target` over ioredis 5 (publish + subscribe connections), for several
 *   gateway replicas behind a load balancer.
 * - `postgres`: `LISTEN` / `NOTIFY` on one dedicated pg connection (no extra infrastructure).
 * - `none`: in-process only (the embedded default: indexer and gateway share the process).
 */
import pg from 'pg'
import type { Logger } from '../common/logger.js'

export type JournalNotifierKind = 'none' | 'postgres' | 'redis'

export type JournalNotifier = {
  /** tells every replica that the journal advanced (seq as a decimal string) */
  publish(seq: string): Promise<void>
  /** calls `onAdvance` for every publication, from any process; returns an unsubscribe function */
  subscribe(onAdvance: (seq: string) => void): () => void
  close(): Promise<void>
}

const CHANNEL = 'sign_indexer_journal'

export type CreateJournalNotifierParameters = { kind: JournalNotifierKind; databaseUrl?: string; redisUrl?: string; logger: Logger }

/**
 * @throws Error when the kind's URL is missing; connection failures are logged and retried by the clients.
 */
export async function createJournalNotifier(params: CreateJournalNotifierParameters): Promise<JournalNotifier> {
  const listeners = new Set<(seq: string) => void>()
  const fire = (seq: string) => {
    for (const l of listeners) l(seq)
  }
  const subscribe = (l: (seq: string) => void) => {
    listeners.add(l)
    return () => listeners.delete(l)
  }
  if (params.kind === 'redis') {
    if (!params.redisUrl) throw new Error('REDIS_URL is required for the redis journal notifier')
    // loaded here: ioredis and its event target are ~0.15 s of every other command's start
    const [{ createRedisEventTarget }, { Redis }] = await Promise.all([import('@graphql-yoga/redis-event-target'), import('ioredis')])
    const publishClient = new Redis(params.redisUrl, { lazyConnect: false, maxRetriesPerRequest: 3 })
    const subscribeClient = new Redis(params.redisUrl, { lazyConnect: false })
    publishClient.on('error', (error) => params.logger.warn({ error }, 'Redis publish connection error'))
    subscribeClient.on('error', (error) => params.logger.warn({ error }, 'Redis subscribe connection error'))
    const target = createRedisEventTarget<CustomEvent<string>>({ publishClient, subscribeClient })
    target.addEventListener(CHANNEL, (event) => fire(String((event as CustomEvent<string>).detail)))
    return {
      subscribe,
      async publish(seq) {
        target.dispatchEvent(new CustomEvent(CHANNEL, { detail: seq }))
      },
      async close() {
        await Promise.allSettled([publishClient.quit(), subscribeClient.quit()])
      },
    }
  }
  if (params.kind === 'postgres') {
    if (!params.databaseUrl) throw new Error('DATABASE_URL is required for the postgres journal notifier')
    const listen = new pg.Client({ connectionString: params.databaseUrl })
    const notify = new pg.Pool({ connectionString: params.databaseUrl, max: 1 })
    listen.on('error', (error) => params.logger.warn({ error }, 'LISTEN connection error'))
    listen.on('notification', (n) => n.channel === CHANNEL && fire(n.payload ?? ''))
    await listen.connect()
    await listen.query(`LISTEN ${CHANNEL}`)
    return {
      subscribe,
      async publish(seq) {
        await notify.query('SELECT pg_notify($1, $2)', [CHANNEL, seq])
      },
      async close() {
        await Promise.allSettled([listen.end(), notify.end()])
      },
    }
  }
  return { subscribe, publish: async (seq) => fire(seq), close: async () => {} }
}
