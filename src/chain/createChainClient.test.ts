import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createMetrics } from '../common/metrics.js'
import { createChainClient } from './createChainClient.js'

/** A JSON-RPC endpoint that records each HTTP body it receives: one request, or a batch of them. */
let server: Server
const bodies: unknown[] = []
const answer = (r: { id: number; method: string }) => ({ jsonrpc: '2.0', id: r.id, result: r.method === 'eth_getLogs' ? [] : '0x1' })

beforeAll(async () => {
  server = createServer((req, res) => {
    let text = ''
    req.on('data', (d) => {
      text += d
    })
    req.on('end', () => {
      const body = JSON.parse(text)
      bodies.push(body)
      res.setHeader('content-type', 'application/json')
      res.end(JSON.stringify(Array.isArray(body) ? body.map(answer) : answer(body)))
    })
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
})

afterAll(() => new Promise<void>((r) => server.close(() => r())))

describe('createChainClient', () => {
  it('sends eth_getLogs alone, never in a JSON-RPC batch with other requests (one body per answer, under the body limit)', async () => {
    const client = createChainClient({ chainId: 1, rpcUrls: [`http://127.0.0.1:${(server.address() as AddressInfo).port}`], metrics: createMetrics() })
    const getLogs = (from: number) =>
      client.request({ method: 'eth_getLogs', params: [{ fromBlock: `0x${from.toString(16)}`, toBlock: `0x${(from + 1).toString(16)}` }] })
    // issued in the same tick: the batching transport would pack them into one body
    await Promise.all([getLogs(1), getLogs(3), client.request({ method: 'eth_blockNumber' }), client.request({ method: 'eth_chainId' })])
    const batches = bodies.filter((b): b is { method: string }[] => Array.isArray(b))
    const single = bodies.filter((b): b is { method: string } => !Array.isArray(b))
    expect(batches.flat().map((r) => r.method)).not.toContain('eth_getLogs')
    expect(single.filter((r) => r.method === 'eth_getLogs')).toHaveLength(2)
    expect(batches.flat().map((r) => r.method)).toEqual(['eth_blockNumber', 'eth_chainId']) // the others are still batched
  })

  it('a stop aborts the requests in flight: a node that holds them unanswered does not hold the stop for the RPC timeout', async () => {
    const held = new Set<import('node:http').ServerResponse>()
    const closed: string[] = []
    const hung = createServer((req, res) => {
      held.add(res) // accepted, never answered
      req.socket.on('close', () => closed.push('request'))
    })
    await new Promise<void>((r) => hung.listen(0, '127.0.0.1', r))
    try {
      const stop = new AbortController()
      const url = `http://127.0.0.1:${(hung.address() as AddressInfo).port}`
      // a timeout far beyond the test's: only the stop can end the request in time
      const client = createChainClient({ chainId: 1, rpcUrls: [url], metrics: createMetrics(), timeoutMs: 600_000, signal: stop.signal })
      const head = client.governor.run('eth_getBlockByNumber', () => client.getBlockNumber()).catch((error: Error) => error)
      while (!held.size) await new Promise((r) => setTimeout(r, 5))
      stop.abort()
      const error = await head
      expect(String(error)).toMatch(/abort/i)
      expect(String(error)).not.toMatch(/took too long|timed out/i)
      while (!closed.length) await new Promise((r) => setTimeout(r, 5)) // the held connection is let go
    } finally {
      for (const res of held) res.destroy()
      hung.closeAllConnections()
      await new Promise<void>((r) => hung.close(() => r()))
    }
  }, 20_000)
})
