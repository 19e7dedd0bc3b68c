import { describe, expect, it } from 'vitest'
import { redactText, redactUrl } from './redactUrl.js'

describe('redactUrl', () => {
  it('keeps a URL with nothing secret byte for byte', () => {
    for (const url of [
      'http://127.0.0.1:8545',
      'ws://127.0.0.1:8545',
      'https://mainnet.base.org',
      'https://rpc.ankr.com/eth',
      'https://arb1.arbitrum.io/rpc',
      'https://polygon-rpc.com/',
      'https://ethereum-mainnet.example/',
    ])
      expect(redactUrl(url)).toBe(url)
  })

  it('redacts credentials, the query string and the fragment', () => {
    expect(redactUrl('https://user:pass@host.example/?apikey=abc')).toBe('https://***@host.example/?***')
    expect(redactUrl('https://:secret@host.example')).toBe('https://***@host.example')
    expect(redactUrl('https://host.example/rpc?key=abc&x=1#frag')).toBe('https://host.example/rpc?***#***')
    expect(redactUrl('postgres://app:hunter2@db:5432/sign')).toBe('postgres://***@db:5432/sign')
    expect(redactUrl('redis://:pw@redis:6379/0')).toBe('redis://***@redis:6379/0')
    expect(redactUrl('postgresql://u:p@a@db/x')).toBe('postgresql://***@db/x') // the last @ ends the credentials
  })

  it('redacts the key after /v2/ or /v3/ and after key-naming segments, and key-like segments anywhere', () => {
    expect(redactUrl('https://eth-mainnet.g.alchemy.com/v2/AbC')).toBe('https://eth-mainnet.g.alchemy.com/v2/***')
    expect(redactUrl('wss://mainnet.infura.io/ws/v3/0123456789abcdef0123456789abcdef')).toBe('wss://mainnet.infura.io/ws/v3/***')
    expect(redactUrl('https://x.example/api-key/short/rpc')).toBe('https://x.example/api-key/***/rpc')
    expect(redactUrl('https://name.quiknode.pro/4a5b6c7d8e9f0a1b2c3d4e5f60718293a4b5c6d7/')).toBe('https://name.quiknode.pro/***/')
    expect(redactUrl('https://rpc.ankr.com/eth/9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08')).toBe('https://rpc.ankr.com/eth/***')
    expect(redactUrl('https://lb.drpc.org/ogrpc?network=base&dkey=Ak80')).toBe('https://lb.drpc.org/ogrpc?***')
  })

  it('never throws and leaves text without a scheme alone', () => {
    expect(redactUrl('not a url')).toBe('not a url')
    expect(redactUrl('https://us er:pa ss@host/')).toBe('https://***@host/')
  })
})

describe('redactText', () => {
  it('redacts every URL in a viem error message and in a JSON log line', () => {
    const message = 'HTTP request failed.\n\nStatus: 500\nURL: http://127.0.0.1:9/v2/AbCdEf123?apikey=s3cr3t\nRequest body: {"method":"eth_chainId"}'
    expect(redactText(message)).toBe('HTTP request failed.\n\nStatus: 500\nURL: http://127.0.0.1:9/v2/***?***\nRequest body: {"method":"eth_chainId"}')
    const line = JSON.stringify({ msg: 'x', error: { url: 'https://u:p@h/v3/k?apikey=s3cr3t', message: 'URL: https://u:p@h/v3/k?apikey=s3cr3t\nDetails' } })
    expect(redactText(line)).not.toMatch(/s3cr3t|u:p@|\/v3\/k/)
    expect(JSON.parse(redactText(line)).error.message).toBe('URL: https://***@h/v3/***?***\nDetails')
  })

  it('keeps trailing punctuation and plain text', () => {
    expect(redactText('see https://h.example/?k=v.')).toBe('see https://h.example/?***.')
    expect(redactText('nothing here')).toBe('nothing here')
  })
})

describe('createLogger', () => {
  it('writes no secret of an RPC URL, wherever it sits in a line (viem error url, message, stack, cause, fields)', async () => {
    const { HttpRequestError } = await import('viem')
    const { createLogger } = await import('./logger.js')
    const url = 'https://rpcuser:rpcpass@eth.example/v2/AbCdEfGh12345678?apikey=s3cr3tValue'
    const lines: string[] = []
    const logger = createLogger({ level: 'debug', destination: { write: (s: string) => void lines.push(s) } })
    const error = new HttpRequestError({ url, status: 500, body: { method: 'eth_blockNumber' }, details: 'Internal Server Error' })
    logger.error({ error: new Error('Sync step failed', { cause: error }), rpc_urls: [url], nested: { deeper: url } }, `Calling ${url}`)
    logger.child({ rpc_url: url }).info('child')
    expect(lines).toHaveLength(2)
    for (const line of lines) expect(line).not.toMatch(/rpcuser|rpcpass|AbCdEfGh12345678|s3cr3tValue/)
    expect(lines[0]).toContain('https://***@eth.example/v2/***?***')
  })
})
