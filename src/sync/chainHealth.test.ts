import { describe, expect, it } from 'vitest'
import { createLogger } from '../common/logger.js'
import { createMetrics } from '../common/metrics.js'

const metrics = createMetrics()
import { ChainIdMismatchError, DatabaseError } from '../errors/baseError.js'
import { createChainHealth, describeError, errorCode } from './chainHealth.js'

function setup(chainId: number, level = 'info') {
  const lines: Record<string, unknown>[] = []
  const logger = createLogger({ level, destination: { write: (s: string) => void lines.push(JSON.parse(s)) } })
  let clock = 1_000_000
  const health = createChainHealth({ chainId, logger, readyLagBlocks: 2, readyStaleMs: 5_000, stallAfterFailures: 3, metrics, now: () => clock })
  return {
    health,
    lines,
    tick: (ms: number) => {
      clock += ms
    },
  }
}

async function gauge(name: string, chainId: number): Promise<number | undefined> {
  const metric = (await metrics.registry.getMetricsAsJSON()).find((m) => m.name === name)
  return metric?.values.find((v) => v.labels.chain_id === String(chainId))?.value
}

describe('chain health', () => {
  it('is ready only within readyLagBlocks of the head and while steps keep completing', () => {
    const { health, tick } = setup(1001)
    expect(health.isReady()).toBe(false) // nothing seen yet
    health.recordHead(100n)
    health.recordProgress(97n)
    expect(health.isReady()).toBe(false) // 3 behind, limit 2
    health.recordProgress(98n)
    expect(health.isReady()).toBe(true)
    tick(5_001)
    expect(health.isReady()).toBe(false) // no step completed for longer than readyStaleMs: stuck, whatever the lag
    health.recordProgress(100n)
    expect(health.isReady()).toBe(true)
  })

  it('warns below the limit, logs ONE error with the cause when crossing it, then only debug; recovers', async () => {
    const { health, lines } = setup(1002)
    health.recordHead(10n)
    health.recordProgress(10n)
    const cause = new Error('injected commit failure')
    for (let i = 0; i < 10; i++) health.recordFailure(new DatabaseError('Committing blocks 11-11 failed', { cause, retryable: true }), { backoffMs: 500 })
    const warnings = lines.filter((l) => l.level === 40)
    const errors = lines.filter((l) => l.level === 50)
    expect(warnings.map((l) => l.msg)).toEqual(['Sync step failed; resuming from the checkpoint', 'Sync step failed; resuming from the checkpoint'])
    expect(warnings.every((l) => l.error === undefined && String(l.reason).includes('injected commit failure'))).toBe(true)
    expect(errors).toHaveLength(1)
    expect(errors[0]!.msg).toMatch(/^Chain stalled: the same sync step failed 3 times in a row/)
    expect(JSON.stringify(errors[0]!.error)).toContain('injected commit failure')
    expect(lines).toHaveLength(3) // failures 4..10 log at debug only
    expect(health.isReady()).toBe(false)
    expect(health.status()).toMatchObject({ consecutiveFailures: 10, stalled: true, lastError: { code: 'DATABASE' } })
    expect(await gauge('sign_indexer_chain_stalled', 1002)).toBe(1)
    expect(await gauge('sign_indexer_chain_consecutive_failures', 1002)).toBe(10)

    health.recordProgress(11n)
    expect(lines.at(-1)).toMatchObject({ level: 30, msg: 'Chain recovered: a sync step succeeded again', consecutive_failures: 10 })
    expect(health.isReady()).toBe(true)
    expect(health.status()).toMatchObject({ consecutiveFailures: 0, stalled: false, lastError: { code: 'DATABASE' } })
    expect(await gauge('sign_indexer_chain_stalled', 1002)).toBe(0)
  })

  it('stalls at once when the node is on another chain', () => {
    const { health, lines } = setup(1003)
    health.recordFailure(new ChainIdMismatchError({ expected: 1, actual: 31337, name: 'ethereum' }))
    expect(health.status()).toMatchObject({ stalled: true, consecutiveFailures: 1, lastError: { code: 'CHAIN_ID_MISMATCH' } })
    expect(lines).toHaveLength(1)
    expect(lines[0]!.msg).toMatch(/^Chain stalled: the RPC node is on another chain/)
  })
})

describe('describeError / errorCode', () => {
  it('gives one redacted line with the cause chain, and a code by origin', () => {
    const error = new DatabaseError('Commit failed', { cause: new Error('connect ECONNREFUSED postgres://app:pw@db:5432/sign') })
    expect(describeError(error)).toBe('DatabaseError: Commit failed ← caused by Error: connect ECONNREFUSED postgres://***@db:5432/sign')
    expect(errorCode(error)).toBe('DATABASE')
    expect(errorCode(new Error('x'))).toBe('INTERNAL')
    expect(describeError('a string')).toBe('a string')
    expect(describeError(new Error('x'.repeat(5_000))).length).toBe(1_000)
  })
})

describe('describeError of an RPC failure', () => {
  it('names the endpoint (redacted) and the HTTP status', async () => {
    const { HttpRequestError } = await import('viem')
    const error = new HttpRequestError({
      url: 'https://u:p@rpc.example/v2/AbC?apikey=k',
      status: 503,
      body: { method: 'eth_blockNumber' },
      details: 'upstream error 503',
    })
    expect(describeError(error)).toBe('HttpRequestError: HTTP request failed. (HTTP 503, https://***@rpc.example/v2/***?***): upstream error 503')
    expect(errorCode(error)).toBe('RPC')
  })
})
