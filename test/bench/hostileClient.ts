/**
 * The hostile side of `bench:subscribers --hostile`: one client that tries to starve everyone else through
 * subscriptions, and the probes that measure what everyone else then sees.
 *
 * - `filters` distinct `attestationEvents(where: { attester })` subscriptions (random attesters from a seeded
 *   generator, so none is shared with another) spread over `connections` graphql-ws connections;
 * - `replays` SSE subscriptions `attestationEvents(after: "0")` replaying the whole journal with the attestation
 *   selected; half of them read as fast as they can, half never read. Each one that ends (overflow, error, or it
 *   has received `restartAfter` events) starts over from "0".
 * Probes: an ordinary query (`attestation(id)`) and `/healthz`, each fired every 100 ms (a slow answer does not
 * delay the next probe), latency recorded per phase.
 */
import { request as httpRequest } from 'node:http'
import { performance } from 'node:perf_hooks'
import WebSocket from 'ws'
import { mulberry32 } from '../helpers/faultProxy.js'

export type HostileClientOptions = { url: string; chainId: number; filters: number; connections: number; replays: number; seed: number; restartAfter: number }
export type HostileClient = {
  stats(): { replaysStarted: number; replaysRestarted: number; replayEvents: number; errorsByCode: Record<string, number> }
  stop(): void
}

/** mulberry32 (test/helpers/faultProxy.ts): a small seeded generator (the seed is printed by the bench) */
export const seededRandom = mulberry32

/** Opens the hostile subscriptions; they run until `stop()`. */
export function startHostileClient(options: HostileClientOptions): HostileClient {
  const random = seededRandom(options.seed)
  const address = () => `0x${Array.from({ length: 40 }, () => Math.floor(random() * 16).toString(16)).join('')}`
  const errorsByCode: Record<string, number> = {}
  const countError = (text: string) => {
    const code = /"code":"([A-Z_]+)"/.exec(text)?.[1] ?? 'OTHER'
    errorsByCode[code] = (errorsByCode[code] ?? 0) + 1
  }
  let stopped = false
  const closers: (() => void)[] = []
  const wsUrl = new URL(options.url.replace('http', 'ws'))
  const perConnection = Math.ceil(options.filters / Math.max(1, options.connections))
  for (let c = 0; c < options.connections; c++) {
    const socket = new WebSocket(wsUrl, 'graphql-transport-ws')
    const attesters = Array.from({ length: Math.min(perConnection, options.filters - c * perConnection) }, address)
    socket.on('open', () => socket.send('{"type":"connection_init"}'))
    socket.on('message', (raw) => {
      const text = raw.toString()
      if (text.includes('"connection_ack"')) {
        for (const [k, attester] of attesters.entries()) {
          socket.send(
            JSON.stringify({
              id: String(k),
              type: 'subscribe',
              payload: {
                query: 'subscription($a: String) { attestationEvents(where: { attester: $a }) { cursor attestation { indexingKey } } }',
                variables: { a: attester },
              },
            }),
          )
        }
      } else if (text.includes('"type":"error"') || text.includes('"errors"')) countError(text)
    })
    socket.on('error', () => {})
    closers.push(() => socket.terminate())
  }
  let replaysStarted = 0
  let replaysRestarted = 0
  let replayEvents = 0
  const replay = (k: number) => {
    if (stopped) return
    replaysStarted++
    const reads = k % 2 === 0
    let events = 0
    let ended = false
    const again = () => {
      if (ended) return
      ended = true
      request.destroy()
      replaysRestarted++
      setTimeout(() => replay(k), 100)
    }
    const query =
      'subscription($c: Int) { attestationEvents(where: { chainId: $c }, after: "0", finality: LATEST) { cursor kind attestation { indexingKey attester decodedData } } }'
    const request = httpRequest(
      options.url,
      { method: 'POST', agent: false, headers: { 'content-type': 'application/json', accept: 'text/event-stream' } },
      (response) => {
        if (!reads) {
          response.pause() // never reads: the gateway's buffers for it fill up
          return
        }
        response.setEncoding('utf8')
        response.on('data', (chunk: string) => {
          const frames = chunk.split('\n\n').filter((f) => f.includes('data: {'))
          for (const frame of frames) {
            if (frame.includes('"errors"')) {
              countError(frame)
              return again()
            }
          }
          events += frames.length
          replayEvents += frames.length
          if (events >= options.restartAfter) again()
        })
        response.on('end', again)
        response.on('error', () => {})
      },
    )
    request.on('error', () => again())
    request.end(JSON.stringify({ query, variables: { c: options.chainId } }))
    closers.push(() => request.destroy())
    // a non-reading replay is abandoned and started again after a while (its socket buffers stay full meanwhile)
    if (!reads) setTimeout(again, 10_000).unref()
  }
  for (let k = 0; k < options.replays; k++) replay(k)
  return {
    stats: () => ({ replaysStarted, replaysRestarted, replayEvents, errorsByCode }),
    stop() {
      stopped = true
      for (const close of closers) close()
    },
  }
}

export type Probe = { stop(): void; samples(phase: string): number[]; timeouts(phase: string): number }

/**
 * Fires `send()` every `everyMs` (not waiting for the previous one) and records each latency under the phase that
 * was current when it was sent; one still unanswered at `stop()` counts as a timeout.
 */
export function startProbe(send: () => Promise<unknown>, phase: () => string, everyMs = 100): Probe {
  const done = new Map<string, number[]>()
  const pending = new Map<number, string>()
  let next = 0
  const timer = setInterval(() => {
    const id = next++
    const at = phase()
    const started = performance.now()
    pending.set(id, at)
    send()
      .then(() => {
        if (!pending.delete(id)) return
        const list = done.get(at) ?? []
        list.push(performance.now() - started)
        done.set(at, list)
      })
      .catch(() => {})
  }, everyMs)
  return {
    stop: () => clearInterval(timer),
    samples: (p) => [...(done.get(p) ?? [])].sort((a, b) => a - b),
    timeouts: (p) => [...pending.values()].filter((at) => at === p).length,
  }
}

/** "p50 X ms, p99 Y ms, max Z ms (n samples, t unanswered)" */
export function describeLatencies(sorted: number[], unanswered = 0): string {
  const pct = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]
  const f = (v: number | undefined) => (v === undefined ? 'n/a' : v.toFixed(0))
  return `p50 ${f(pct(0.5))} ms, p99 ${f(pct(0.99))} ms, max ${f(sorted.at(-1))} ms (${sorted.length} answered, ${unanswered} unanswered)`
}
