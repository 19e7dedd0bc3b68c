/**
 * Exactly one indexer writes a chain: a PostgreSQL session-level advisory lock (`pg_try_advisory_lock`) held
 * on a dedicated connection for as long as the writer runs. A second indexer waits as a hot standby, polling
 * for the lock, and takes over when the first one's connection ends (crash, kill, network loss).
 * PGlite is single-process by construction (one instance per data directory), so it needs no lock.
 */
import pg from 'pg'
import type { Logger } from '../common/logger.js'

/** Lock key namespace: "SIGN" in ASCII, so our keys do not collide with other applications' advisory locks. */
const LOCK_NAMESPACE = 0x5349474e

export type WriterLock = {
  /** aborted when the lock's connection is lost: the holder must stop writing at once */
  lost: AbortSignal
  release(): Promise<void>
}

/**
 * Waits until this process holds the writer lock of `chainId` (polling every `pollMs`, default 1,000 ms).
 * @returns the held lock, or null when `signal` aborts first.
 * @throws connection errors other than while waiting (they are logged and retried while waiting).
 */
export async function acquireWriterLock(params: {
  databaseUrl: string
  chainId: number
  logger: Logger
  signal: AbortSignal
  pollMs?: number
}): Promise<WriterLock | null> {
  const { databaseUrl, chainId, logger, signal } = params
  let announced = false
  while (!signal.aborted) {
    const client = new pg.Client({ connectionString: databaseUrl })
    try {
      await client.connect()
      const lostController = new AbortController()
      client.on('error', (error) => {
        logger.error({ chain_id: chainId, error }, 'Writer lock connection lost')
        lostController.abort()
      })
      client.on('end', () => lostController.abort())
      while (!signal.aborted && !lostController.signal.aborted) {
        const { rows } = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_lock($1, $2) AS locked', [LOCK_NAMESPACE, chainId])
        if (rows[0]?.locked) {
          logger.info({ chain_id: chainId }, 'Writer lock acquired')
          return {
            lost: lostController.signal,
            release: async () => {
              await client.query('SELECT pg_advisory_unlock($1, $2)', [LOCK_NAMESPACE, chainId]).catch(() => {})
              await client.end().catch(() => {})
            },
          }
        }
        if (!announced) {
          logger.warn({ chain_id: chainId }, 'Another indexer writes this chain: waiting as a hot standby')
          announced = true
        }
        await new Promise((r) => setTimeout(r, params.pollMs ?? 1_000))
      }
    } catch (error) {
      logger.warn({ chain_id: chainId, error }, 'Writer lock: connection failed, retrying')
      await new Promise((r) => setTimeout(r, params.pollMs ?? 1_000))
    }
    await client.end().catch(() => {})
  }
  return null
}
