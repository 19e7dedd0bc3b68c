/**
 * Fault-injecting JSON-RPC proxy for tests: sits between a client (the indexer, viem, fetch) and one upstream node
 * (anvil) and, deterministically by seed and per-kind rate, misbehaves the way real RPC providers do: slow answers,
 * 429s with and without Retry-After, 5xx, connection resets, requests that never get an answer, truncated or
 * corrupted JSON bodies, provider-style `eth_getLogs` range errors and a lagging head.
 *
 * Determinism: the n-th HTTP request the proxy sees (while enabled) draws all its decisions from its own PRNG
 * (mulberry32 seeded with a hash of `seed` and n), so the same seed and the same request sequence give the same
 * faults, whatever the timing, and the decisions for request n do not depend on what happened to requests before it.
 *
 * Safety: the proxy only ever connects to `target`, which must be a plain-http loopback URL.
 */
import { Agent, type ClientRequest, createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'

/** The kinds of fault the proxy can inject. */
export type FaultKind =
  | 'delay'
  | 'rateLimit'
  | 'rateLimitNoHeader'
  | 'serverError'
  | 'reset'
  | 'timeout'
  | 'truncate'
  | 'corrupt'
  | 'rangeError'
  | 'lagging'
  | 'emptyCall'

/** Every fault kind. */
export const FAULT_KINDS: readonly FaultKind[] = [
  'delay',
  'rateLimit',
  'rateLimitNoHeader',
  'serverError',
  'reset',
  'timeout',
  'truncate',
  'corrupt',
  'rangeError',
  'lagging',
  'emptyCall',
]

/** Probability (0..1) per request of each fault kind; missing kinds are 0. */
export type FaultRates = Partial<Record<FaultKind, number>>

/** Counters: injected faults per kind, plus `passed` = HTTP requests answered without any injected fault. */
export type FaultStats = Record<FaultKind | 'passed', number>

/** Minimal logger (pino's `Logger` fits): every injected fault is logged at debug level. */
export type FaultProxyLogger = { debug(obj: Record<string, unknown>, msg?: string): void }

/** Options of `createFaultProxy`. */
export type FaultProxyOptions = {
  /** upstream JSON-RPC URL; must be `http://` on a loopback host (127.0.0.1, localhost, ::1) */
  target: string
  /** PRNG seed; the same seed and request sequence give the same faults */
  seed: number
  /** probability (0..1) per request of each fault kind; missing kinds are 0 */
  rates: FaultRates
  /** TCP port on 127.0.0.1; 0 or absent = a free port */
  port?: number
  /** how many blocks behind the real head the `lagging` fault answers (default 5) */
  lagBlocks?: number
  logger?: FaultProxyLogger
}

/** A running fault proxy. */
export type FaultProxy = {
  /** `http://127.0.0.1:<port>` */
  url: string
  /** a copy of the counters (injected faults per kind, and `passed`) */
  stats(): FaultStats
  /** replaces the rates (kinds not given become 0); applies to requests arriving from now on */
  setRates(rates: FaultRates): void
  /** when disabled, every request is forwarded untouched, counted as `passed` and draws no random numbers */
  setEnabled(enabled: boolean): void
  /** forwards to another upstream from now on (same rules as `target`), e.g. to play a reconnect to another node */
  setTarget(target: string): void
  /** stops listening and destroys every open connection (including requests held by `timeout`); idempotent */
  close(): Promise<void>
}

/** A JSON-RPC request or response object (loosely typed: the proxy only looks at a few fields). */
type RpcMessage = { jsonrpc?: string; id?: unknown; method?: string; params?: unknown; result?: unknown; error?: unknown }

type UpstreamResponse = { status: number; contentType: string | undefined; body: Buffer }

/** The whole-request decisions for one HTTP request, drawn up front from its PRNG. */
type RequestPlan = {
  delay: number | undefined
  /** at most one of these "no answer / error answer" faults is applied, in this order of precedence */
  terminal: 'reset' | 'timeout' | 'rateLimit' | 'rateLimitNoHeader' | 'serverError' | undefined
  serverErrorStatus: number
  /** body fault applied after forwarding (truncate takes precedence over corrupt) */
  body: 'truncate' | 'corrupt' | undefined
}

/** Kinds decided once per HTTP request (a whole batch); `rangeError` and `lagging` are decided per element. */
const REQUEST_KINDS = [
  'delay',
  'rateLimit',
  'rateLimitNoHeader',
  'serverError',
  'reset',
  'timeout',
  'truncate',
  'corrupt',
] as const satisfies readonly FaultKind[]

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]', '::1'])
const SERVER_ERROR_STATUSES = [500, 502, 503] as const
const RANGE_ERRORS = [
  { code: -32005, message: 'query returned more than 10000 results' },
  { code: -32602, message: 'block range too large' },
] as const

/**
 * mulberry32: a tiny, fast 32-bit seeded PRNG.
 *
 * @returns a function yielding uniformly distributed floats in [0, 1)
 */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** Mixes two 32-bit integers into one well-spread 32-bit seed (murmur3-style finaliser). */
function mixSeed(a: number, b: number): number {
  let h = Math.imul((a ^ 0x9e3779b9) >>> 0, 0x85ebca6b) ^ Math.imul(b >>> 0, 0xc2b2ae35)
  h = Math.imul(h ^ (h >>> 16), 0x7feb352d)
  h = Math.imul(h ^ (h >>> 15), 0x846ca68b)
  return (h ^ (h >>> 16)) >>> 0
}

function emptyStats(): FaultStats {
  const stats = { passed: 0 } as FaultStats
  for (const kind of FAULT_KINDS) stats[kind] = 0
  return stats
}

function normaliseRates(rates: FaultRates): Record<FaultKind, number> {
  const out = {} as Record<FaultKind, number>
  for (const kind of FAULT_KINDS) {
    const rate = rates[kind] ?? 0
    if (!Number.isFinite(rate) || rate < 0 || rate > 1) throw new RangeError(`fault rate for ${kind} must be within 0..1 (got ${rate})`)
    out[kind] = rate
  }
  return out
}

function validateTarget(target: string): URL {
  let url: URL
  try {
    url = new URL(target)
  } catch {
    throw new Error(`fault proxy: invalid target URL ${JSON.stringify(target)}`)
  }
  if (url.protocol !== 'http:') throw new Error(`fault proxy: target must be http:// (got ${url.protocol})`)
  if (!LOOPBACK_HOSTS.has(url.hostname)) throw new Error(`fault proxy: target must be a loopback host (got ${url.hostname})`)
  return url
}

const toHex = (n: bigint) => `0x${n.toString(16)}`

function parseQuantity(value: unknown): bigint | undefined {
  if (typeof value !== 'string' || !/^0x[0-9a-fA-F]+$/.test(value)) return undefined
  return BigInt(value)
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => resolve(Buffer.concat(chunks)))
    req.on('error', reject)
  })
}

/** Whether an `eth_getLogs` element is a multi-block range (with tags resolved via `head()`); unknown → false. */
async function isMultiBlockGetLogs(msg: RpcMessage, head: () => Promise<bigint>): Promise<boolean> {
  const filter = Array.isArray(msg.params) ? (msg.params[0] as Record<string, unknown> | undefined) : undefined
  if (!filter || typeof filter !== 'object') return false
  if (filter.blockHash !== undefined) return false
  const resolve = async (tag: unknown): Promise<bigint | undefined> => {
    if (tag === undefined || tag === null) return head()
    const quantity = parseQuantity(tag)
    if (quantity !== undefined) return quantity
    if (tag === 'earliest') return 0n
    if (tag === 'latest' || tag === 'pending' || tag === 'safe' || tag === 'finalized') return head()
    return undefined
  }
  const from = await resolve(filter.fromBlock)
  const to = await resolve(filter.toBlock)
  return from !== undefined && to !== undefined && to > from
}

/** Makes a JSON text invalid by flipping a few characters (and, if it somehow still parses, its first one). */
function corruptText(text: string, rng: () => number): string {
  const chars = [...text]
  const junk = ['#', '\u0001', '}', '{', ']', ',', ':', '"', '\\']
  const flips = 1 + Math.floor(rng() * 3)
  for (let i = 0; i < flips && chars.length > 0; i++) {
    const pos = Math.floor(rng() * chars.length)
    chars[pos] = junk[Math.floor(rng() * junk.length)]!
  }
  let out = chars.join('')
  try {
    JSON.parse(out)
    out = `#${out.slice(1)}`
  } catch {
    // invalid, as wanted
  }
  return out
}

/**
 * Starts a fault-injecting JSON-RPC proxy on 127.0.0.1 in front of `target`.
 *
 * Per HTTP request (a whole batch counts as one), each kind is rolled independently against its rate, then:
 * - `delay`: sleep 50–500 ms, then carry on (it combines with the other faults);
 * - at most one of, in this precedence: `reset` (TCP reset, no answer), `timeout` (no answer, the socket stays open
 *   until the client gives up or the proxy closes), `rateLimit` (429 with `Retry-After: 1`), `rateLimitNoHeader`
 *   (429 without it), `serverError` (500, 502 or 503); none of them contacts the upstream;
 * - otherwise the request is forwarded, with per-element faults (batches: per element): `rangeError` (only
 *   `eth_getLogs` over more than one block: a JSON-RPC error -32005 "query returned more than 10000 results" or
 *   -32602 "block range too large", answered by the proxy) and `lagging` (`eth_blockNumber`, and
 *   `eth_getBlockByNumber` with "latest", answer as if the head were `lagBlocks` behind the real head) and
 *   `emptyCall` (`eth_call` answered `0x`, as a node without the state at the pinned block answers);
 * - then the body may be mangled: `truncate` (the first half of the body, with a matching Content-Length) or else
 *   `corrupt` (a few characters flipped so it is not valid JSON).
 *
 * Every injected fault is counted in `stats()`; a request with none is counted as `passed`.
 *
 * @throws Error when `target` is not a plain-http loopback URL, RangeError when a rate is outside 0..1
 */
export async function createFaultProxy(opts: FaultProxyOptions): Promise<FaultProxy> {
  let target = validateTarget(opts.target)
  const lagBlocks = BigInt(opts.lagBlocks ?? 5)
  if (lagBlocks < 0n) throw new RangeError('lagBlocks must be >= 0')
  let rates = normaliseRates(opts.rates)
  let enabled = true
  let closed = false
  let requestSeq = 0
  const stats = emptyStats()
  const sockets = new Set<Socket>()
  const outgoing = new Set<ClientRequest>() // in-flight upstream requests, aborted on close()
  const sleepers = new Set<() => void>() // pending `delay` sleeps, cut short on close()
  const agent = new Agent({ keepAlive: true })

  const count = (kind: FaultKind, seq: number, method: string | undefined) => {
    stats[kind]++
    opts.logger?.debug({ fault: kind, seq, method }, 'fault proxy: injected fault')
  }

  /** POSTs `body` to the target (the only place the proxy opens outgoing connections). */
  const forward = (body: Buffer | string): Promise<UpstreamResponse> =>
    new Promise((resolve, reject) => {
      const req = httpRequest(
        target,
        { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } },
        (res) => {
          const chunks: Buffer[] = []
          res.on('data', (c: Buffer) => chunks.push(c))
          res.on('end', () => resolve({ status: res.statusCode ?? 502, contentType: res.headers['content-type'], body: Buffer.concat(chunks) }))
          res.on('error', reject)
        },
      )
      outgoing.add(req)
      req.on('close', () => outgoing.delete(req))
      req.on('error', reject)
      req.end(body)
    })

  const upstreamHead = async (): Promise<bigint> => {
    const res = await forward(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_blockNumber', params: [] }))
    const head = parseQuantity((JSON.parse(res.body.toString('utf8')) as RpcMessage).result)
    if (head === undefined) throw new Error('fault proxy: upstream eth_blockNumber returned no quantity')
    return head
  }

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer)
        sleepers.delete(done)
        resolve()
      }
      const timer = setTimeout(done, ms)
      sleepers.add(done)
    })

  const send = (res: ServerResponse, status: number, body: string | Buffer, headers: Record<string, string> = {}) => {
    if (res.destroyed || res.writableEnded) return
    res.writeHead(status, { 'content-length': String(Buffer.byteLength(body)), ...headers })
    res.end(body)
  }

  const planRequest = (rng: () => number): RequestPlan => {
    // Always the same number of draws, in the same order, so the decisions are a pure function of (seed, seq).
    const rolled = {} as Record<FaultKind, boolean>
    for (const kind of REQUEST_KINDS) rolled[kind] = rng() < rates[kind]
    const delayMs = 50 + Math.floor(rng() * 451)
    const serverErrorStatus = SERVER_ERROR_STATUSES[Math.floor(rng() * SERVER_ERROR_STATUSES.length)]!
    const terminal = (['reset', 'timeout', 'rateLimit', 'rateLimitNoHeader', 'serverError'] as const).find((k) => rolled[k])
    const body = rolled.truncate ? 'truncate' : rolled.corrupt ? 'corrupt' : undefined
    return { delay: rolled.delay ? delayMs : undefined, terminal, serverErrorStatus, body }
  }

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const raw = await readBody(req)
    if (closed) return void req.socket.destroy()

    let parsed: RpcMessage | RpcMessage[] | undefined
    try {
      parsed = JSON.parse(raw.toString('utf8')) as RpcMessage | RpcMessage[]
    } catch {
      parsed = undefined
    }
    const elements: RpcMessage[] = Array.isArray(parsed) ? parsed : parsed && typeof parsed === 'object' ? [parsed] : []
    const firstMethod = typeof elements[0]?.method === 'string' ? elements[0].method : undefined

    if (!enabled) {
      const up = await forward(raw)
      stats.passed++
      return send(res, up.status, up.body, up.contentType ? { 'content-type': up.contentType } : {})
    }

    const seq = requestSeq++
    const rng = mulberry32(mixSeed(opts.seed, seq))
    const plan = planRequest(rng)
    let injected = false

    if (plan.delay !== undefined) {
      count('delay', seq, firstMethod)
      injected = true
      await sleep(plan.delay)
      if (closed) return void req.socket.destroy()
    }

    switch (plan.terminal) {
      case 'reset':
        count('reset', seq, firstMethod)
        req.socket.resetAndDestroy()
        return
      case 'timeout':
        count('timeout', seq, firstMethod)
        return // never answer; close() destroys the socket
      case 'rateLimit':
        count('rateLimit', seq, firstMethod)
        return send(res, 429, 'Too Many Requests', { 'content-type': 'text/plain', 'retry-after': '1' })
      case 'rateLimitNoHeader':
        count('rateLimitNoHeader', seq, firstMethod)
        return send(res, 429, 'Too Many Requests', { 'content-type': 'text/plain' })
      case 'serverError':
        count('serverError', seq, firstMethod)
        return send(res, plan.serverErrorStatus, `upstream error ${plan.serverErrorStatus}`, { 'content-type': 'text/plain' })
    }

    // Per-element faults. Each eligible element draws from the same request PRNG, in element order.
    let headCache: Promise<bigint> | undefined
    const head = () => (headCache ??= upstreamHead())
    const synthetic = new Map<number, RpcMessage>() // element index → answer made up by the proxy
    const lagResult = new Set<number>() // eth_blockNumber elements whose result must be lowered
    const rewrittenElements: RpcMessage[] = elements.map((e) => e)
    for (const [i, msg] of elements.entries()) {
      if (!msg || typeof msg !== 'object') continue
      if (msg.method === 'eth_getLogs') {
        const roll = rng()
        const which = RANGE_ERRORS[Math.floor(rng() * RANGE_ERRORS.length)]!
        if (roll < rates.rangeError && (await isMultiBlockGetLogs(msg, head))) {
          count('rangeError', seq, msg.method)
          injected = true
          synthetic.set(i, { jsonrpc: '2.0', id: msg.id ?? null, error: { code: which.code, message: which.message } })
        }
      } else if (msg.method === 'eth_call') {
        if (rng() < rates.emptyCall) {
          count('emptyCall', seq, msg.method)
          injected = true
          synthetic.set(i, { jsonrpc: '2.0', id: msg.id ?? null, result: '0x' })
        }
      } else if (msg.method === 'eth_blockNumber') {
        if (rng() < rates.lagging) {
          count('lagging', seq, msg.method)
          injected = true
          lagResult.add(i)
        }
      } else if (msg.method === 'eth_getBlockByNumber' && Array.isArray(msg.params) && msg.params[0] === 'latest') {
        if (rng() < rates.lagging) {
          count('lagging', seq, msg.method)
          injected = true
          const lagged = (await head()) - lagBlocks
          rewrittenElements[i] = { ...msg, params: [toHex(lagged < 0n ? 0n : lagged), ...msg.params.slice(1)] }
        }
      }
    }
    if (closed) return void req.socket.destroy()

    const rewritten = synthetic.size > 0 || lagResult.size > 0 || rewrittenElements.some((m, i) => m !== elements[i])
    let status = 200
    let contentType: string | undefined = 'application/json'
    let body: string | Buffer
    if (!rewritten) {
      // Untouched: forward the exact bytes and answer with the exact upstream bytes.
      const up = await forward(raw)
      ;({ status, contentType, body } = up)
    } else {
      const toSend = rewrittenElements.filter((_, i) => !synthetic.has(i))
      let answers: RpcMessage[] = []
      let upstreamRaw: UpstreamResponse | undefined
      if (toSend.length > 0) {
        upstreamRaw = await forward(JSON.stringify(Array.isArray(parsed) ? toSend : toSend[0]))
        try {
          const decoded = JSON.parse(upstreamRaw.body.toString('utf8')) as RpcMessage | RpcMessage[]
          answers = Array.isArray(decoded) ? decoded : [decoded]
        } catch {
          answers = []
        }
      }
      if (upstreamRaw && answers.length !== toSend.length) {
        // Not a normal JSON-RPC answer (HTTP error, malformed): pass it on as it is.
        ;({ status, contentType, body } = upstreamRaw)
      } else {
        const byId = new Map<string, RpcMessage>()
        for (const a of answers) byId.set(JSON.stringify(a.id ?? null), a)
        let positional = 0
        const merged = elements.map((msg, i) => {
          const made = synthetic.get(i)
          if (made) return made
          const answer = byId.get(JSON.stringify(msg.id ?? null)) ?? answers[positional]
          positional++
          if (answer && lagResult.has(i)) {
            const real = parseQuantity(answer.result)
            if (real !== undefined) return { ...answer, result: toHex(real > lagBlocks ? real - lagBlocks : 0n) }
          }
          return answer
        })
        body = JSON.stringify(Array.isArray(parsed) ? merged : merged[0])
      }
    }

    if (plan.body === 'truncate') {
      count('truncate', seq, firstMethod)
      injected = true
      const buf = Buffer.isBuffer(body) ? body : Buffer.from(body)
      body = buf.subarray(0, Math.floor(buf.length / 2))
    } else if (plan.body === 'corrupt') {
      count('corrupt', seq, firstMethod)
      injected = true
      body = corruptText(Buffer.isBuffer(body) ? body.toString('utf8') : body, rng)
    }
    if (!injected) stats.passed++
    send(res, status, body, contentType ? { 'content-type': contentType } : {})
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (closed) return void req.socket.destroy()
      // A real upstream failure (not an injected one): answer 502 so the client sees an error, not a hang.
      send(res, 502, `fault proxy: upstream failed: ${err instanceof Error ? err.message : String(err)}`, { 'content-type': 'text/plain' })
    })
  })
  server.on('connection', (socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
  })
  server.on('clientError', (_err, socket) => socket.destroy())

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(opts.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject)
      resolve()
    })
  })
  const { port } = server.address() as AddressInfo

  let closePromise: Promise<void> | undefined
  return {
    url: `http://127.0.0.1:${port}`,
    stats: () => ({ ...stats }),
    setRates: (next) => {
      rates = normaliseRates(next)
    },
    setEnabled: (value) => {
      enabled = value
    },
    setTarget: (next) => {
      target = validateTarget(next) // kept-alive sockets are pooled per host:port: none is reused across targets
    },
    close: () =>
      (closePromise ??= new Promise<void>((resolve) => {
        closed = true
        for (const wake of [...sleepers]) wake()
        for (const req of outgoing) req.destroy()
        server.close(() => resolve())
        for (const socket of sockets) socket.destroy()
        server.closeAllConnections()
        agent.destroy()
      })),
  }
}
