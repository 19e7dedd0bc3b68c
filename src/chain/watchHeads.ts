/**
 * New heads over WebSocket (`eth_subscribe` `newHeads`), only to wake the follow-head loop early: blocks are still
 * read over the chain's RPC client, and the loop still polls every `pollIntervalMs`, so nothing depends on this
 * socket. When the node does not offer it (not a WebSocket endpoint, subscription refused) or the socket drops or
 * goes silent, the chain follows the head by polling: one warning per degradation, `sign_indexer_new_heads_active`
 * 0 and `sign_indexer_new_heads_fallbacks_total{reason}` + 1. The watcher reconnects in the background (jittered
 * exponential backoff, 1 s up to 60 s) and logs when newHeads is back.
 */
import WebSocket from 'ws'
import type { Logger } from '../common/logger.js'
import type { Metrics } from '../common/metrics.js'
import { backoffDelay } from '../common/retryPolicy.js'

/** A head the loop has seen (`hash` null when the node gave none). */
export type SeenHead = { number: bigint; hash: string | null }

export type HeadWatcher = {
  /**
   * Waits `ms`, or less: until the node announces a head other than `seen` (at once when the last head announced
   * is another block at or above `seen`'s height, e.g. a block mined while the loop was working), or `signal` aborts.
   * While following by polling it simply waits `ms`. Never rejects.
   */
  wait(seen: SeenHead, ms: number, signal?: AbortSignal): Promise<void>
  /** `newHeads` while the subscription is live, else `polling` */
  mode(): 'newHeads' | 'polling'
  /** closes the socket and ends every pending wait */
  close(): void
}

/** why newHeads is not being used: never connected, subscription refused, socket closed, no pong to a ping */
export type HeadFallbackReason = 'connect' | 'refused' | 'dropped' | 'silent'

export type WatchHeadsParameters = {
  /** ws:// or wss:// endpoint */
  url: string
  chainId: number
  logger: Logger
  /** the loop's poll interval, for the log line (ms) */
  pollIntervalMs: number
  metrics: Metrics
  /** first reconnect delay / cap, ms (default 1 000 / 60 000) */
  reconnectBaseMs?: number
  reconnectMaxMs?: number
  /** a ping every this many ms; a socket that has not answered the previous one is dropped (default 15 000) */
  heartbeatMs?: number
}

const SUBSCRIBE_ID = 1

/** Starts watching at once; a failure to connect only means polling (logged, counted), never an error. */
export function watchHeads(params: WatchHeadsParameters): HeadWatcher {
  const { url, chainId, pollIntervalMs } = params
  const log = params.logger.child({ chain_id: chainId })
  const { metrics } = params
  const labels = { chain_id: chainId }
  const heartbeatMs = params.heartbeatMs ?? 15_000
  metrics.newHeadsActive.set(labels, 0)

  let closed = false
  let live = false
  /** failed attempts since the subscription was last live (reconnect backoff) */
  let failures = 0
  /** polling is what the loop does now and has been said so (one warning per degradation) */
  let degradedSaid = false
  let everLive = false
  let socket: WebSocket | undefined
  let reconnectTimer: NodeJS.Timeout | undefined
  let heartbeat: NodeJS.Timeout | undefined
  let latest: SeenHead | undefined
  const waiters = new Set<{ seen: SeenHead; done: () => void }>()

  const announce = (head: SeenHead) => {
    latest = head
    log.debug({ block_number: Number(head.number) }, 'New head')
    for (const w of [...waiters]) if (head.hash === null || head.hash !== w.seen.hash) w.done()
  }

  const degrade = (reason: HeadFallbackReason, detail: string) => {
    const wasLive = live
    live = false
    metrics.newHeadsActive.set(labels, 0)
    if (wasLive || !degradedSaid) {
      metrics.newHeadsFallbacks.inc({ ...labels, reason })
      log.warn(
        { reason, detail, poll_interval_ms: pollIntervalMs },
        `newHeads unavailable (${reason}): following the head by polling every ${pollIntervalMs} ms until the subscription is back`,
      )
      degradedSaid = true
    }
  }

  const scheduleReconnect = () => {
    if (closed || reconnectTimer) return
    const delay = backoffDelay({ baseMs: params.reconnectBaseMs ?? 1_000, maxMs: params.reconnectMaxMs ?? 60_000 }, failures++)
    reconnectTimer = setTimeout(() => {
      reconnectTimer = undefined
      connect()
    }, delay)
    reconnectTimer.unref()
  }

  const connect = () => {
    if (closed) return
    let opened = false
    let subscription: string | undefined
    let awaitingPong = false
    const ws = new WebSocket(url, { handshakeTimeout: 10_000 })
    socket = ws
    const fail = (reason: HeadFallbackReason, detail: string) => {
      if (socket !== ws) return // an older socket's late event
      socket = undefined
      clearInterval(heartbeat)
      ws.removeAllListeners()
      ws.on('error', () => {})
      ws.terminate()
      if (closed) return
      degrade(reason, detail)
      scheduleReconnect()
    }
    ws.on('open', () => {
      opened = true
      ws.send(JSON.stringify({ jsonrpc: '2.0', id: SUBSCRIBE_ID, method: 'eth_subscribe', params: ['newHeads'] }))
      heartbeat = setInterval(() => {
        if (awaitingPong) return fail('silent', `no pong within ${heartbeatMs} ms`)
        awaitingPong = true
        ws.ping()
      }, heartbeatMs)
      heartbeat.unref()
    })
    ws.on('pong', () => {
      awaitingPong = false
    })
    ws.on('message', (raw) => {
      let message: {
        id?: number
        result?: unknown
        error?: { message?: string }
        method?: string
        params?: { subscription?: string; result?: { number?: string; hash?: string } }
      }
      try {
        message = JSON.parse(raw.toString())
      } catch {
        return
      }
      if (message.id === SUBSCRIBE_ID && subscription === undefined) {
        if (typeof message.result !== 'string') return fail('refused', message.error?.message ?? 'eth_subscribe answered without a subscription id')
        subscription = message.result
        live = true
        failures = 0
        degradedSaid = false
        metrics.newHeadsActive.set(labels, 1)
        log.info(
          { poll_interval_ms: pollIntervalMs },
          everLive ? 'newHeads subscription restored: following the head by newHeads' : 'Following the head by newHeads',
        )
        everLive = true
        for (const w of [...waiters]) w.done() // a block mined before the subscription was live is announced by no one
        return
      }
      const head = message.method === 'eth_subscription' && message.params?.subscription === subscription ? message.params?.result : undefined
      if (!head?.number) return
      try {
        announce({ number: BigInt(head.number), hash: head.hash ?? null })
      } catch {
        // a head whose number is not a quantity: ignored (the poll still finds the block)
      }
    })
    ws.on('error', (error) => fail(opened ? 'dropped' : 'connect', String(error)))
    ws.on('close', (code, reason) =>
      fail(opened && subscription !== undefined ? 'dropped' : opened ? 'refused' : 'connect', `socket closed (${code} ${reason.toString()})`),
    )
  }

  connect()

  return {
    wait(seen, ms, signal) {
      if (signal?.aborted || closed) return Promise.resolve()
      if (live && latest && latest.number >= seen.number && latest.hash !== null && latest.hash !== seen.hash) return Promise.resolve()
      return new Promise<void>((resolve) => {
        const waiter = {
          seen,
          done: () => {
            clearTimeout(timer)
            waiters.delete(waiter)
            signal?.removeEventListener('abort', waiter.done)
            resolve()
          },
        }
        const timer = setTimeout(waiter.done, Math.max(0, ms))
        waiters.add(waiter)
        signal?.addEventListener('abort', waiter.done, { once: true })
      })
    },
    mode: () => (live ? 'newHeads' : 'polling'),
    close() {
      closed = true
      live = false
      clearTimeout(reconnectTimer)
      clearInterval(heartbeat)
      const ws = socket
      socket = undefined
      if (ws) {
        ws.removeAllListeners()
        ws.on('error', () => {})
        ws.terminate()
      }
      metrics.newHeadsActive.set(labels, 0)
      for (const w of [...waiters]) w.done()
    },
  }
}
