import { describe, expect, it } from 'vitest'
import { RpcError } from '../errors/baseError.js'
import { validateRpcResult } from './validateRpcResult.js'

const h = (c: string) => `0x${c.repeat(64)}`
const log = {
  address: `0x${'5'.repeat(40)}`,
  blockHash: h('a'),
  blockNumber: '0x9c',
  data: '0x00ff',
  logIndex: '0x0',
  transactionHash: h('b'),
  topics: [h('c'), h('d')],
  removed: false,
}

describe('validateRpcResult', () => {
  it('accepts well-formed logs, blocks, call data and quantities', () => {
    expect(() => validateRpcResult('eth_getLogs', [log, { ...log, logIndex: '0x1' }])).not.toThrow()
    expect(() =>
      validateRpcResult('eth_getBlockByNumber', { number: '0x10', hash: h('1'), parentHash: h('2'), timestamp: '0x5f5e100', extra: 'x' }),
    ).not.toThrow()
    expect(() => validateRpcResult('eth_getBlockByNumber', null)).not.toThrow()
    expect(() => validateRpcResult('eth_call', '0x')).not.toThrow()
    expect(() => validateRpcResult('eth_blockNumber', '0x0')).not.toThrow()
    expect(() => validateRpcResult('anvil_whatever', { a: ['0xABCdef', 'plain text'] })).not.toThrow()
  })

  it.each([
    ['a topic with a stray character', 'eth_getLogs', [{ ...log, topics: [h('c'), `0x${'d'.repeat(30)}#${'d'.repeat(33)}`] }]],
    ['a log whose key lost a letter', 'eth_getLogs', [{ ...log, blockHash: undefined, block_ash: h('a') }]],
    ['data with a comma', 'eth_getLogs', [{ ...log, data: '0x00,f' }]],
    ['a block without parentHash', 'eth_getBlockByNumber', { number: '0x10', hash: h('1'), timestamp: '0x1' }],
    ['odd-length call data', 'eth_call', '0x123'],
    ['a quantity with junk', 'eth_blockNumber', '0x1}'],
    ['nested junk hex elsewhere', 'eth_feeHistory', { baseFeePerGas: ['0x1', '0x:2'] }],
  ])('rejects %s with a retryable RpcError', (_name, method, result) => {
    let error: unknown
    try {
      validateRpcResult(method, result)
    } catch (e) {
      error = e
    }
    expect(error).toBeInstanceOf(RpcError)
    expect((error as RpcError).retryable).toBe(true)
    expect((error as RpcError).message).toMatch(/malformed result/)
  })
})
