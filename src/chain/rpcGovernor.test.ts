import { getEventListeners } from 'node:events'
import { describe, expect, it } from 'vitest'
import { createMetrics } from '../common/metrics.js'
import { ResponseBodyTooLargeError } from 'viem'
import { classifyRpcError, createRpcGovernor } from './rpcGovernor.js'

const metrics = createMetrics()

const httpError = (status: number, headers: Record<string, string> = {}) =>
  Object.assign(new Error(`HTTP ${status}`), { name: 'HttpRequestError', status, headers: new Headers(headers) })

describe('classifyRpcError', () => {
  it('tells range errors, congestion, transient and fatal failures apart', () => {
    expect(classifyRpcError(Object.assign(new Error('x'), { code: -32005, details: 'query returned more than 10000 results' }))).toBe('range')
    expect(classifyRpcError(Object.assign(new Error('block range too large'), { code: -32602 }))).toBe('range')
    expect(classifyRpcError(new ResponseBodyTooLargeError({ maxSize: 10_485_760, size: 44_413_850 }))).toBe('range')
    expect(classifyRpcError(httpError(429))).toBe('congestion')
    expect(classifyRpcError(Object.assign(new Error('The request took too long to respond.'), { name: 'TimeoutError' }))).toBe('congestion')
    expect(classifyRpcError(httpError(502))).toBe('transient')
    expect(classifyRpcError(new Error('Unexpected end of JSON input'))).toBe('transient')
    expect(classifyRpcError(Object.assign(new Error('execution reverted'), { code: 3 }))).toBe('fatal')
  })
})

describe('createRpcGovernor', () => {
  it('retries transient failures and returns the eventual result', async () => {
    const governor = createRpcGovernor({ metrics, chainId: 1, baseDelayMs: 1 })
    let calls = 0
    const result = await governor.run('eth_test', async () => {
      if (++calls < 3) throw httpError(500)
      return 'ok'
    })
    expect(result).toBe('ok')
    expect(calls).toBe(3)
  })

  it('throws range and fatal errors at once', async () => {
    const governor = createRpcGovernor({ metrics, chainId: 1, baseDelayMs: 1 })
    let calls = 0
    await expect(
      governor.run('eth_getLogs', async () => {
        calls++
        throw new Error('query returned more than 10000 results')
      }),
    ).rejects.toThrow(/10000/)
    expect(calls).toBe(1)
  })

  it('halves concurrency on congestion and grows it back on success (AIMD)', async () => {
    const governor = createRpcGovernor({ metrics, chainId: 1, baseDelayMs: 1, initialConcurrency: 8 })
    let first = true
    await governor.run('eth_test', async () => {
      if (first) {
        first = false
        throw httpError(429)
      }
      return 1
    })
    expect(governor.concurrency()).toBe(4)
    for (let i = 0; i < 20; i++) await governor.run('eth_test', async () => 1)
    expect(governor.concurrency()).toBeGreaterThan(4)
  })

  it('waits for Retry-After when the provider sends one', async () => {
    const governor = createRpcGovernor({ metrics, chainId: 1, baseDelayMs: 1 })
    let calls = 0
    const started = Date.now()
    await governor.run('eth_test', async () => {
      if (++calls === 1) throw httpError(429, { 'Retry-After': '1' })
      return 1
    })
    expect(Date.now() - started).toBeGreaterThanOrEqual(950)
  })

  it('stops retrying when its owner stops: the pending backoff ends and the last error is thrown', async () => {
    const stop = new AbortController()
    // a backoff of 60–120 s: the run can only end within the test's timeout if the abort ends it
    const governor = createRpcGovernor({ metrics, chainId: 1, baseDelayMs: 120_000, maxDelayMs: 120_000, signal: stop.signal })
    let calls = 0
    const run = governor.run('eth_getBlockByNumber', async () => {
      calls++
      throw new Error('fetch failed: connect ECONNREFUSED 127.0.0.1:8545')
    })
    await new Promise((resolve) => setTimeout(resolve, 20)) // the first attempt failed; the backoff is pending
    stop.abort()
    await expect(run).rejects.toThrow(/ECONNREFUSED/)
    expect(calls).toBe(1)
    // and once stopped, nothing more is sent
    await expect(governor.run('eth_call', async () => calls++)).rejects.toThrow(/abort/i)
    expect(calls).toBe(1)
  }, 10_000)

  it('holds one abort listener on its stop signal however many requests are backing off (an RPC outage)', async () => {
    const stop = new AbortController()
    const governor = createRpcGovernor({ metrics, chainId: 1, baseDelayMs: 120_000, maxDelayMs: 120_000, initialConcurrency: 32, signal: stop.signal })
    let calls = 0
    const runs = Array.from({ length: 200 }, () =>
      governor
        .run('eth_getBlockByNumber', async () => {
          calls++
          throw new Error('fetch failed: connect ECONNREFUSED 127.0.0.1:8545')
        })
        .catch((error: Error) => error),
    )
    while (calls < 200) await new Promise((resolve) => setTimeout(resolve, 5))
    // 200 backoffs pending: before, a listener each (Node warns past 10: MaxListenersExceededWarning)
    expect(getEventListeners(stop.signal, 'abort').length).toBe(1)
    stop.abort()
    expect((await Promise.all(runs)).every((e) => /ECONNREFUSED/.test(String(e)))).toBe(true)
    expect(getEventListeners(stop.signal, 'abort').length).toBe(0)
  }, 10_000)
})
