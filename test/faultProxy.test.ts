/**
 * The fault-injecting JSON-RPC proxy against a real anvil: every fault kind is observable by a plain client, nothing
 * changes at rate 0, and the same seed gives the same fault sequence.
 */
import { connect } from 'node:net'
import { createPublicClient, http } from 'viem'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { createSilentLogger } from '../src/common/logger.js'
import { type AnvilInstance, startAnvil } from '../src/devnet/startAnvil.js'
import { createFaultProxy, type FaultProxy, type FaultProxyOptions, FAULT_KINDS, mulberry32 } from './helpers/faultProxy.js'

let anvil: AnvilInstance
const proxies: FaultProxy[] = []

/** Starts a proxy in front of anvil; closed after each test. */
async function proxy(rates: FaultProxyOptions['rates'], extra: Partial<FaultProxyOptions> = {}): Promise<FaultProxy> {
  const p = await createFaultProxy({ target: anvil.rpcUrl, seed: 42, rates, ...extra })
  proxies.push(p)
  return p
}

const post = (url: string, body: unknown, signal?: AbortSignal) =>
  fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), signal })
const call = (method: string, params: unknown[] = [], id: number = 1) => ({ jsonrpc: '2.0', id, method, params })
const text = async (url: string, body: unknown) => (await post(url, body)).text()
async function rpc<T = unknown>(url: string, method: string, params: unknown[] = []): Promise<T> {
  const res = (await (await post(url, call(method, params))).json()) as { result?: T; error?: unknown }
  if (res.error) throw new Error(`rpc error: ${JSON.stringify(res.error)}`)
  return res.result as T
}
const viemClient = (url: string) => createPublicClient({ transport: http(url, { retryCount: 0, timeout: 2_000 }) })
const isJson = (s: string) => {
  try {
    JSON.parse(s)
    return true
  } catch {
    return false
  }
}
const only = (p: FaultProxy) => Object.fromEntries(Object.entries(p.stats()).filter(([, n]) => n > 0))

beforeAll(async () => {
  anvil = await startAnvil({ port: 0 })
  for (let i = 0; i < 10; i++) await rpc(anvil.rpcUrl, 'evm_mine')
})

afterEach(async () => {
  await Promise.all(proxies.splice(0).map((p) => p.close()))
})

afterAll(async () => {
  await anvil?.stop()
})

describe('mulberry32', () => {
  it('is deterministic by seed and stays in [0, 1)', () => {
    const a = mulberry32(7)
    const b = mulberry32(7)
    const c = mulberry32(8)
    const sa = Array.from({ length: 100 }, a)
    expect(Array.from({ length: 100 }, b)).toEqual(sa)
    expect(Array.from({ length: 100 }, c)).not.toEqual(sa)
    expect(sa.every((x) => x >= 0 && x < 1)).toBe(true)
  })
})

describe('fault proxy, all rates 0', () => {
  it('passes single and batch requests through byte for byte', async () => {
    const p = await proxy({})
    const requests = [
      call('eth_getBlockByNumber', ['latest', false]),
      call('eth_getBlockByNumber', ['0x1', true]),
      call('eth_blockNumber'),
      call('eth_getLogs', [{ fromBlock: '0x0', toBlock: 'latest' }]),
      [call('eth_chainId', [], 1), call('eth_getBlockByNumber', ['0x2', false], 2), call('eth_getLogs', [{ fromBlock: '0x0', toBlock: '0x5' }], 3)],
    ]
    for (const body of requests) expect(await text(p.url, body)).toBe(await text(anvil.rpcUrl, body))
    expect(await viemClient(p.url).getBlockNumber({ cacheTime: 0 })).toBe(await viemClient(anvil.rpcUrl).getBlockNumber({ cacheTime: 0 }))
    expect(only(p)).toEqual({ passed: requests.length + 1 })
  })

  it('setEnabled(false) and setRates switch faults off and on', async () => {
    const logged: Array<Record<string, unknown>> = []
    const p = await proxy({ rateLimit: 1 }, { logger: { debug: (obj) => logged.push(obj) } })
    expect((await post(p.url, call('eth_chainId'))).status).toBe(429)
    expect(logged).toEqual([{ fault: 'rateLimit', seq: 0, method: 'eth_chainId' }])
    p.setEnabled(false)
    expect((await post(p.url, call('eth_chainId'))).status).toBe(200)
    p.setEnabled(true)
    expect((await post(p.url, call('eth_chainId'))).status).toBe(429)
    p.setRates({})
    expect((await post(p.url, call('eth_chainId'))).status).toBe(200)
    p.setRates({ serverError: 1 })
    expect((await post(p.url, call('eth_chainId'))).status).toBeGreaterThanOrEqual(500)
    expect(only(p)).toEqual({ rateLimit: 2, serverError: 1, passed: 2 })
  })

  it('refuses targets other than plain-http loopback', async () => {
    await expect(createFaultProxy({ target: 'http://example.com:8545', seed: 1, rates: {} })).rejects.toThrow(/loopback/)
    await expect(createFaultProxy({ target: 'https://127.0.0.1:8545', seed: 1, rates: {} })).rejects.toThrow(/http/)
    await expect(createFaultProxy({ target: anvil.rpcUrl, seed: 1, rates: { reset: 2 } })).rejects.toThrow(RangeError)
  })
})

describe('fault proxy, each kind at rate 1', () => {
  it('delay: answers correctly after 50–500 ms', async () => {
    const p = await proxy({ delay: 1 })
    const body = call('eth_getBlockByNumber', ['0x1', false])
    const expected = await text(anvil.rpcUrl, body)
    for (let i = 0; i < 3; i++) {
      const started = performance.now()
      expect(await text(p.url, body)).toBe(expected)
      expect(performance.now() - started).toBeGreaterThanOrEqual(49)
    }
    expect(only(p)).toEqual({ delay: 3 })
  })

  it('rateLimit: 429 with Retry-After: 1', async () => {
    const p = await proxy({ rateLimit: 1 }, { logger: createSilentLogger() }) // a pino logger fits
    const res = await post(p.url, call('eth_chainId'))
    expect(res.status).toBe(429)
    expect(res.headers.get('retry-after')).toBe('1')
    await expect(viemClient(p.url).getChainId()).rejects.toMatchObject({ status: 429 })
    expect(only(p)).toEqual({ rateLimit: 2 })
  })

  it('rateLimitNoHeader: 429 without Retry-After', async () => {
    const p = await proxy({ rateLimitNoHeader: 1 })
    const res = await post(p.url, call('eth_chainId'))
    expect(res.status).toBe(429)
    expect(res.headers.get('retry-after')).toBeNull()
    expect(only(p)).toEqual({ rateLimitNoHeader: 1 })
  })

  it('serverError: 500, 502 or 503', async () => {
    const p = await proxy({ serverError: 1 })
    const statuses = new Set<number>()
    for (let i = 0; i < 20; i++) statuses.add((await post(p.url, call('eth_chainId'))).status)
    expect([...statuses].every((s) => [500, 502, 503].includes(s))).toBe(true)
    expect(statuses.size).toBeGreaterThan(1)
    expect(only(p)).toEqual({ serverError: 20 })
  })

  it('reset: the connection is reset without an answer', async () => {
    const p = await proxy({ reset: 1 })
    const err = await post(p.url, call('eth_chainId')).then(
      () => undefined,
      (e: unknown) => e as Error & { cause?: { code?: string } },
    )
    expect(err).toBeInstanceOf(TypeError) // undici: "fetch failed"
    expect(['ECONNRESET', 'UND_ERR_SOCKET']).toContain(err?.cause?.code)
    await expect(viemClient(p.url).getChainId()).rejects.toThrow(/HTTP request failed/)
    expect(only(p)).toEqual({ reset: 2 })
  })

  it('timeout: never answers, keeps the socket open until the client gives up or the proxy closes', async () => {
    const p = await proxy({ timeout: 1 })
    await expect(post(p.url, call('eth_chainId'), AbortSignal.timeout(300))).rejects.toMatchObject({ name: 'TimeoutError' })

    // A raw socket stays open (no answer, no close) until close() destroys it.
    const socket = connect(Number(new URL(p.url).port), '127.0.0.1')
    const payload = JSON.stringify(call('eth_chainId'))
    socket.write(`POST / HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/json\r\ncontent-length: ${payload.length}\r\n\r\n${payload}`)
    let received = ''
    socket.on('data', (d) => (received += d.toString()))
    const closedAt = new Promise<number>((resolve) => socket.on('close', () => resolve(performance.now())))
    socket.on('error', () => {})
    await new Promise((r) => setTimeout(r, 400))
    expect(socket.destroyed).toBe(false)
    expect(received).toBe('')
    const closeStarted = performance.now()
    await p.close()
    expect((await closedAt) - closeStarted).toBeLessThan(1_000)
    expect(received).toBe('')
    expect(p.stats().timeout).toBe(2)
  })

  it('truncate: the body is cut in half', async () => {
    const p = await proxy({ truncate: 1 })
    const body = call('eth_getBlockByNumber', ['0x1', true])
    const full = await text(anvil.rpcUrl, body)
    const cut = await text(p.url, body)
    expect(cut).toBe(full.slice(0, Math.floor(full.length / 2)))
    expect(isJson(cut)).toBe(false)
    await expect(viemClient(p.url).getBlock({ blockNumber: 1n })).rejects.toThrow()
    expect(only(p)).toEqual({ truncate: 2 })
  })

  it('corrupt: the body is not valid JSON any more', async () => {
    const p = await proxy({ corrupt: 1 })
    const body = call('eth_getBlockByNumber', ['0x1', false])
    const full = await text(anvil.rpcUrl, body)
    for (let i = 0; i < 10; i++) {
      const bad = await text(p.url, body)
      expect(bad).not.toBe(full)
      expect(isJson(bad)).toBe(false)
    }
    await expect(viemClient(p.url).getBlockNumber({ cacheTime: 0 })).rejects.toThrow()
    expect(only(p)).toEqual({ corrupt: 11 })
  })

  it('rangeError: provider-style errors for multi-block eth_getLogs only', async () => {
    const p = await proxy({ rangeError: 1 })
    const codes = new Set<number>()
    for (let i = 0; i < 12; i++) {
      const res = (await (await post(p.url, call('eth_getLogs', [{ fromBlock: '0x0', toBlock: 'latest' }], i))).json()) as {
        id: number
        error?: { code: number; message: string }
      }
      expect(res.id).toBe(i)
      expect(res.error).toBeDefined()
      const { code, message } = res.error!
      expect(code === -32005 ? message === 'query returned more than 10000 results' : code === -32602 && message === 'block range too large').toBe(true)
      codes.add(code)
    }
    expect(codes).toEqual(new Set([-32005, -32602]))
    await expect(viemClient(p.url).getLogs({ fromBlock: 1n, toBlock: 2n })).rejects.toSatisfy((e: { walk(): { code?: number } }) =>
      [-32005, -32602].includes(e.walk().code!),
    )
    expect(p.stats().rangeError).toBe(13)

    // Single block (numbers, tags, blockHash): untouched; other methods untouched.
    const block1 = await rpc<{ hash: string }>(anvil.rpcUrl, 'eth_getBlockByNumber', ['0x1', false])
    for (const filter of [{ fromBlock: '0x1', toBlock: '0x1' }, { fromBlock: 'latest', toBlock: 'latest' }, { blockHash: block1.hash }, {}]) {
      const body = call('eth_getLogs', [filter])
      expect(await text(p.url, body)).toBe(await text(anvil.rpcUrl, body))
    }
    expect(await viemClient(p.url).getLogs({ fromBlock: 3n, toBlock: 3n })).toEqual([])
    expect(await rpc(p.url, 'eth_chainId')).toBe('0x7a69')

    // Batch: decided per element.
    const batch = (await (
      await post(p.url, [
        call('eth_chainId', [], 1),
        call('eth_getLogs', [{ fromBlock: '0x1', toBlock: '0x4' }], 2),
        call('eth_getLogs', [{ fromBlock: '0x2', toBlock: '0x2' }], 3),
      ])
    ).json()) as Array<{ id: number; result?: unknown; error?: { code: number } }>
    expect(batch.map((r) => r.id)).toEqual([1, 2, 3])
    expect(batch[0]!.result).toBe('0x7a69')
    expect([-32005, -32602]).toContain(batch[1]!.error?.code)
    expect(batch[2]!.result).toEqual([])
    expect(p.stats().rangeError).toBe(14)
    expect(p.stats().passed).toBe(6)
  })

  it('lagging: the head is lagBlocks behind the real head', async () => {
    for (let i = 0; i < 3; i++) await rpc(anvil.rpcUrl, 'evm_mine')
    const p = await proxy({ lagging: 1 }, { lagBlocks: 4 })
    const real = BigInt(await rpc<string>(anvil.rpcUrl, 'eth_blockNumber'))
    expect(real).toBeGreaterThan(10n)
    expect(BigInt(await rpc<string>(p.url, 'eth_blockNumber'))).toBe(real - 4n)
    const latest = await rpc<{ number: string; hash: string }>(p.url, 'eth_getBlockByNumber', ['latest', false])
    expect(BigInt(latest.number)).toBe(real - 4n)
    expect(latest).toEqual(await rpc(anvil.rpcUrl, 'eth_getBlockByNumber', [latest.number, false]))
    const client = viemClient(p.url)
    expect(await client.getBlockNumber({ cacheTime: 0 })).toBe(real - 4n)
    expect((await client.getBlock()).number).toBe(real - 4n)
    // Explicit numbers are untouched.
    expect(BigInt((await rpc<{ number: string }>(p.url, 'eth_getBlockByNumber', [`0x${real.toString(16)}`, false])).number)).toBe(real)

    // Batch: per element; other elements untouched.
    const batch = (await (
      await post(p.url, [call('eth_blockNumber', [], 1), call('eth_chainId', [], 2), call('eth_getBlockByNumber', ['latest', false], 3)])
    ).json()) as Array<{
      id: number
      result: string | { number: string }
    }>
    expect(batch.map((r) => r.id)).toEqual([1, 2, 3])
    expect(BigInt(batch[0]!.result as string)).toBe(real - 4n)
    expect(batch[1]!.result).toBe('0x7a69')
    expect(BigInt((batch[2]!.result as { number: string }).number)).toBe(real - 4n)
    expect(p.stats().lagging).toBe(6)

    // Default lag is 5 blocks.
    const p5 = await proxy({ lagging: 1 })
    expect(BigInt(await rpc<string>(p5.url, 'eth_blockNumber'))).toBe(real - 5n)
  })

  it('emptyCall answers eth_call with 0x, as a node without the state at the block does', async () => {
    // the identity precompile (0x…04) echoes its input: 0x1234 from the node, 0x through the fault
    const identity = [{ to: '0x0000000000000000000000000000000000000004', data: '0x1234' }, 'latest']
    expect(await rpc<string>((await proxy({})).url, 'eth_call', identity)).toBe('0x1234')
    const p = await proxy({ emptyCall: 1 })
    expect(await rpc<string>(p.url, 'eth_call', identity)).toBe('0x')
    expect(await rpc<string>(p.url, 'eth_chainId')).toMatch(/^0x/)
    expect(p.stats().emptyCall).toBe(1)
  })
})

describe('fault proxy determinism', () => {
  const rates = {
    delay: 0.05,
    rateLimit: 0.1,
    rateLimitNoHeader: 0.1,
    serverError: 0.1,
    reset: 0.1,
    truncate: 0.1,
    corrupt: 0.1,
    rangeError: 0.3,
    lagging: 0.3,
    emptyCall: 0.3,
  }
  const requests = [
    call('eth_blockNumber'),
    call('eth_call', [{ to: '0xca11bde05977b3631167028862be2a173976ca11', data: '0x' }, 'latest']),
    call('eth_getLogs', [{ fromBlock: '0x0', toBlock: '0x8' }]),
    call('eth_chainId'),
    call('eth_getBlockByNumber', ['latest', false]),
    [call('eth_blockNumber', [], 1), call('eth_getLogs', [{ fromBlock: '0x1', toBlock: '0x3' }], 2)],
  ]

  /** Sends 60 requests in sequence and describes what the client observed for each. */
  async function observe(seed: number): Promise<{ outcomes: string[]; stats: Record<string, number> }> {
    const p = await createFaultProxy({ target: anvil.rpcUrl, seed, rates })
    proxies.push(p)
    const outcomes: string[] = []
    for (let i = 0; i < 60; i++) {
      try {
        const res = await post(p.url, requests[i % requests.length])
        const body = await res.text()
        outcomes.push(`${res.status} ${res.headers.get('retry-after') ?? '-'} ${isJson(body) ? body : `invalid:${body.length}`}`)
      } catch (err) {
        outcomes.push(`error ${(err as { cause?: { code?: string } }).cause?.code ?? String(err)}`)
      }
    }
    return { outcomes, stats: p.stats() }
  }

  it('the same seed gives the same fault sequence; another seed a different one', async () => {
    const a = await observe(1234)
    const b = await observe(1234)
    const c = await observe(4321)
    expect(b.outcomes).toEqual(a.outcomes)
    expect(b.stats).toEqual(a.stats)
    expect(c.outcomes).not.toEqual(a.outcomes)
    // All configured kinds showed up, and the counters add up.
    for (const kind of FAULT_KINDS) if (kind !== 'timeout') expect(a.stats[kind], kind).toBeGreaterThan(0)
    expect(a.outcomes.filter((o) => o.startsWith('429 1 ')).length).toBe(a.stats.rateLimit)
    expect(a.outcomes.filter((o) => o.startsWith('429 - ')).length).toBe(a.stats.rateLimitNoHeader)
    expect(a.outcomes.filter((o) => /^50[023] /.test(o)).length).toBe(a.stats.serverError)
    expect(a.outcomes.filter((o) => o.startsWith('error ')).length).toBe(a.stats.reset)
  })
})
