/**
 * `serve --workers N` (N > 1): the primary process of a node:cluster gateway. It serves nothing itself: it forks N
 * workers, each running `serve` as one process does (own database pool, journal tail, subscriptions and limits), all
 * listening on the same port — node:cluster hands each new connection to the next worker in turn — and it answers the
 * workers' `/metrics` requests with every worker's metrics (src/common/clusterMetrics.ts).
 *
 * - A worker that exits after it was listening is started again (1 s later); one that exits before it ever listened
 *   (port in use, bad database URL) stops the whole gateway with exit code 1: a restart would fail the same way.
 * - SIGINT / SIGTERM: every worker gets SIGTERM (each closes its server and subscriptions as one process does); the
 *   primary exits 0 once all have exited (a second signal: exit 1 at once).
 */
import cluster, { type Worker } from 'node:cluster'
import type { Logger } from '../common/logger.js'
import { serveClusterMetrics } from '../common/clusterMetrics.js'

/**
 * Runs the primary until it is stopped by a signal or a worker fails at start.
 * @param workers how many gateway processes (config `server.workers`)
 * @param logger the primary's logger
 * @returns the exit code (0: stopped by a signal; 1: a worker could not start)
 */
export async function runServePrimary(workers: number, logger: Logger): Promise<number> {
  serveClusterMetrics()
  let stopping = false
  let exitCode = 0
  const listening = new WeakSet<Worker>()
  let resolveDone!: () => void
  const done = new Promise<void>((resolve) => {
    resolveDone = resolve
  })
  const alive = () => Object.values(cluster.workers ?? {}).filter((w): w is Worker => w != null && !w.isDead())
  const stop = (code: number) => {
    if (stopping) return
    stopping = true
    exitCode = code
    for (const worker of alive()) worker.process.kill('SIGTERM')
    if (!alive().length) resolveDone()
  }
  const fork = () => {
    const worker = cluster.fork()
    worker.on('listening', () => listening.add(worker))
  }
  cluster.on('exit', (worker, code, signal) => {
    if (stopping) {
      if (!alive().length) resolveDone()
      return
    }
    if (!listening.has(worker)) {
      logger.fatal({ pid: worker.process.pid, code, signal }, 'A gateway worker exited before it listened: stopping the gateway')
      stop(1)
      return
    }
    logger.error({ pid: worker.process.pid, code, signal }, 'A gateway worker exited: starting another')
    setTimeout(() => stopping || fork(), 1_000).unref()
  })
  const onSignal = (signal: string) => {
    if (stopping) process.exit(1)
    logger.info({ signal }, 'Shutting down the gateway workers')
    stop(0)
  }
  process.on('SIGINT', () => onSignal('SIGINT'))
  process.on('SIGTERM', () => onSignal('SIGTERM'))
  for (let i = 0; i < workers; i++) fork()
  logger.info({ workers }, 'Gateway workers started')
  await done
  return exitCode
}
