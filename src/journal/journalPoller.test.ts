import { describe, expect, it } from 'vitest'
import { createSilentLogger } from '../common/logger.js'
import { createJournalPoller, GAP_RECHECK_MS } from './journalPoller.js'

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

function poller(options: { pollIntervalMs?: number; holding?: () => boolean; read?: () => Promise<void> } = {}) {
  const reads = { n: 0 }
  const created = createJournalPoller({
    pollIntervalMs: options.pollIntervalMs ?? 60_000,
    read: async () => {
      reads.n++
      await options.read?.()
    },
    holding: options.holding ?? (() => false),
    logger: createSilentLogger(),
  })
  return { poller: created, reads }
}

describe('createJournalPoller', () => {
  it('reads once at start, then on notify, and polls on its interval', async () => {
    const { poller: p, reads } = poller({ pollIntervalMs: 40 })
    p.start()
    await sleep(10)
    expect(reads.n).toBe(1)
    p.notify()
    await sleep(10)
    expect(reads.n).toBe(2)
    await sleep(60)
    expect(reads.n).toBeGreaterThanOrEqual(3)
    await p.stop()
  })

  it('reads again right after a read during which it was notified, never two at once', async () => {
    let release = () => {}
    let inFlight = 0
    let most = 0
    const { poller: p, reads } = poller({
      read: async () => {
        most = Math.max(most, ++inFlight)
        await new Promise<void>((resolve) => (release = resolve))
        inFlight--
      },
    })
    p.start()
    await sleep(5)
    p.notify()
    p.notify()
    release()
    await sleep(5)
    expect(reads.n).toBe(2)
    release()
    await sleep(5)
    expect([reads.n, most]).toEqual([2, 1])
    await p.stop()
  })

  it('reads again within GAP_RECHECK_MS while held at a hole, and retries a failed read', async () => {
    const holding = poller({ holding: () => true })
    holding.poller.start()
    await sleep(GAP_RECHECK_MS * 3)
    expect(holding.reads.n).toBeGreaterThanOrEqual(2)
    await holding.poller.stop()
    const failing = poller({ pollIntervalMs: 5, read: () => Promise.reject(new Error('down')) })
    failing.poller.start()
    await sleep(100)
    expect(failing.reads.n).toBeGreaterThanOrEqual(2)
    await failing.poller.stop()
  })

  it('stop() waits for the read under way and schedules nothing more', async () => {
    let release = () => {}
    const { poller: p, reads } = poller({ pollIntervalMs: 5, read: () => new Promise<void>((resolve) => (release = resolve)) })
    p.start()
    await sleep(5)
    let stopped = false
    const stopping = p.stop().then(() => (stopped = true))
    await sleep(5)
    expect(stopped).toBe(false)
    release()
    await stopping
    p.notify()
    await sleep(30)
    expect(reads.n).toBe(1)
  })
})
