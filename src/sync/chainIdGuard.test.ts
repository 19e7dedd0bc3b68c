import { describe, expect, it } from 'vitest'
import type { ChainClient } from '../chain/createChainClient.js'
import { ChainIdMismatchError } from '../errors/baseError.js'
import { CHAIN_ID_RECHECK_MS, createChainIdGuard } from './chainIdGuard.js'

/** A client whose node answers `answer` to eth_chainId; `failures` is what rpcFailureCount reports. */
function fakeClient(state: { answer: number; failures: number; asked: number }): ChainClient {
  return {
    rpcFailureCount: () => state.failures,
    governor: { run: (_method: string, fn: () => Promise<unknown>) => fn(), concurrency: () => 1 },
    getChainId: async () => {
      state.asked++
      return state.answer
    },
  } as unknown as ChainClient
}

describe('createChainIdGuard', () => {
  it('asks first, then again only after an RPC failure, a recheck() or the interval', async () => {
    const state = { answer: 10, failures: 0, asked: 0 }
    let now = 1_000
    const guard = createChainIdGuard({ client: fakeClient(state), chainId: 10, name: 'optimism', clock: { now: () => now } })
    expect(guard.verified).toBe(false)
    await guard.ensure()
    await guard.ensure()
    expect([state.asked, guard.verified]).toEqual([1, true])
    state.failures++
    await guard.ensure()
    await guard.ensure()
    expect(state.asked).toBe(2)
    guard.recheck()
    await guard.ensure()
    expect(state.asked).toBe(3)
    now += CHAIN_ID_RECHECK_MS - 1
    await guard.ensure()
    expect(state.asked).toBe(3)
    now += 1
    await guard.ensure()
    expect(state.asked).toBe(4)
  })

  it('throws ChainIdMismatchError for another chain, and stays unverified until an answer matches', async () => {
    const state = { answer: 8453, failures: 0, asked: 0 }
    const guard = createChainIdGuard({ client: fakeClient(state), chainId: 10, name: 'optimism', clock: { now: () => 0 } })
    await expect(guard.ensure()).rejects.toBeInstanceOf(ChainIdMismatchError)
    expect(guard.verified).toBe(false)
    await expect(guard.ensure()).rejects.toBeInstanceOf(ChainIdMismatchError) // a failed check is asked again
    state.answer = 10
    await guard.ensure()
    expect(guard.verified).toBe(true)
  })
})
