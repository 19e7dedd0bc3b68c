/**
 * Backfill progress: a cli-progress bar with ETA on a TTY, plain pino lines (every 5 s) otherwise.
 */
import { createRequire } from 'node:module'
import type cliProgressModule from 'cli-progress'
import type { Logger } from '../common/logger.js'
import type { SyncProgress } from '../sync/runChainSync.js'

const LOG_EVERY_MS = 5_000

/** @returns an `onProgress` callback for the indexer and a `stop()` that clears the bars. */
export function createProgressReporter(logger: Logger, tty = Boolean(process.stderr.isTTY)) {
  // required on a TTY only: a service's start (no TTY) does not load it
  const cliProgress: typeof cliProgressModule | null = tty ? createRequire(import.meta.url)('cli-progress') : null
  const multibar = cliProgress
    ? new cliProgress.MultiBar(
        {
          format: 'chain {chain} |{bar}| {percentage}% | block {value}/{total} | {events} events | ETA {eta_formatted}',
          hideCursor: true,
          clearOnComplete: false,
          stream: process.stderr,
        },
        cliProgress.Presets.shades_classic,
      )
    : null
  const bars = new Map<number, cliProgressModule.SingleBar>()
  const lastLog = new Map<number, number>()
  return {
    onProgress(p: SyncProgress) {
      const total = Number(p.targetBlock - p.startBlock + 1n)
      const value = Math.max(0, Number(p.indexedBlock - p.startBlock + 1n))
      if (multibar) {
        if (p.phase === 'live') {
          const bar = bars.get(p.chainId)
          if (bar) {
            bar.update(total, { events: p.events })
            bar.stop()
            multibar.remove(bar)
            bars.delete(p.chainId)
          }
          return
        }
        let bar = bars.get(p.chainId)
        if (!bar) {
          bar = multibar.create(total, value, { chain: p.chainId, events: p.events })
          bars.set(p.chainId, bar)
        }
        bar.setTotal(total)
        bar.update(value, { events: p.events })
        return
      }
      const now = Date.now()
      if (p.phase === 'backfill' && now - (lastLog.get(p.chainId) ?? 0) >= LOG_EVERY_MS) {
        lastLog.set(p.chainId, now)
        logger.info(
          {
            chain_id: p.chainId,
            block_number: Number(p.indexedBlock),
            to_block: Number(p.targetBlock),
            events: p.events,
            percent: Math.round((100 * value) / Math.max(1, total)),
          },
          'Backfill progress',
        )
      }
    },
    stop() {
      multibar?.stop()
    },
  }
}
