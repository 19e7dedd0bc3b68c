/**
 * `serve --workers N` (N > 1): the primary process of a node:cluster gateway. It serves nothing itself: it forks N
 * workers, each running `serve` as one process does (own database pool, journal tail, subscriptions and limits), all
 * listening on the same port — node:cluster hands each new connection to the next worker in turn — and it answers the
 * workers' `/metrics` requests with every worker's metrics (src/common/clusterMetrics.ts).
 *
 * - Start: when a worker of the first N exits before it listened (port in use, database unreachable), the gateway
 *   stops with exit code 1: its siblings would fail the same way.
 * - Later, a worker that exits is started again, after 1 s, doubling up to 30 s while restarts keep failing (a
 *   database outage does not turn into a fork loop), back to 1 s once a restarted worker listens.
 * - SIGINT / SIGTERM: every worker is asked to stop over IPC (`STOP_MESSAGE`, not a signal: a terminal's Ctrl-C
 *   already signals the whole process group, and a second signal makes a worker exit at once); each closes its
 *   server and subscriptions as one process does; the primary exits 0 once all have exited (a second signal to the
 *   primary: exit 1 at once).
 */
import cluster, { type Worker } from 'node:cluster'
import type { Logger } from '../common/logger.js'
import { serveClusterMetrics } from '../common/clusterMetrics.js'

/** The IPC message asking a worker to stop (src/cli/commands.ts `runServe` listens for it). */
export const STOP_MESSAGE = 'sign-indexer:stop'

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
  let started = 0 // workers of the first N that listened
  let restartDelayMs = 1_000
  const listening = new WeakSet<Worker>()
  const firstWorkers = new WeakSet<Worker>()
  let resolveDone!: () => void
  const done = new Promise<void>((resolve) => {
    resolveDone = resolve
  })
  const alive = () => Object.values(cluster.workers ?? {}).filter((w): w is Worker => w != null && !w.isDead())
  const stop = (code: number) => {
    if (stopping) return
    stopping = true
    exitCode = code
    for (const worker of alive()) if (worker.isConnected()) worker.send(STOP_MESSAGE)
    if (!alive().length) resolveDone()
  }
  const fork = (first: boolean) => {
    const worker = cluster.fork()
    if (first) firstWorkers.add(worker)
    worker.on('listening', () => {
      if (listening.has(worker)) return
      listening.add(worker)
      if (first) started++
      else restartDelayMs = 1_000
    })
  }
  cluster.on('exit', (worker, code, signal) => {
    if (stopping) {
      logger.info({ pid: worker.process.pid, code, signal }, 'Gateway worker stopped')
      if (!alive().length) resolveDone()
      return
    }
    if (!listening.has(worker) && firstWorkers.has(worker) && started < workers) {
      logger.fatal({ pid: worker.process.pid, code, signal }, 'A gateway worker exited before it listened: stopping the gateway')
      stop(1)
      return
    }
    const delay = listening.has(worker) ? 1_000 : restartDelayMs
    if (!listening.has(worker)) restartDelayMs = Math.min(restartDelayMs * 2, 30_000)
    logger.error({ pid: worker.process.pid, code, signal, restart_in_ms: delay }, 'A gateway worker exited: starting another')
    // not unref'd: with every worker gone, this timer is what keeps the primary alive to start the next one
    setTimeout(() => stopping || fork(false), delay)
  })
  const onSignal = (signal: string) => {
    if (stopping) process.exit(1)
    logger.info({ signal }, 'Shutting down the gateway workers')
    stop(0)
  }
  process.on('SIGINT', () => onSignal('SIGINT'))
  process.on('SIGTERM', () => onSignal('SIGTERM'))
  for (let i = 0; i < workers; i++) fork(true)
  logger.info({ workers }, 'Gateway workers started')
  await done
  return exitCode
}
