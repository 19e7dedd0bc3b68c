import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Command } from 'commander'
import { afterAll, describe, expect, it } from 'vitest'
import { addConfigOptions, DEPLOYMENTS, getDeployment, loadConfig, parseConfig, rpcUrlEnvNames, warnDeprecations } from '../src/config/config.js'
import { createLogger } from '../src/common/logger.js'
import { ConfigError } from '../src/errors/baseError.js'

const dir = mkdtempSync(join(tmpdir(), 'sign-indexer-config-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

let fileCount = 0
/** Writes `content` (an object is JSON-encoded) to a fresh file in the temp dir and returns its absolute path. */
function configFile(content: unknown): string {
  const path = join(dir, `config-${++fileCount}.json`)
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content))
  return path
}

/** Runs `fn`, expects a ConfigError, returns its problems. */
async function problemsOf(fn: () => unknown): Promise<string[]> {
  try {
    await fn()
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError)
    return (error as ConfigError).problems
  }
  throw new Error('expected a ConfigError')
}

/** Parses argv through commander exactly as the CLI does. */
function flagsOf(argv: string[]) {
  const command = addConfigOptions(new Command('test')).exitOverride()
  command.parse(argv, { from: 'user' })
  return command.opts()
}

const EXPLICIT = '0x1111111111111111111111111111111111111111'

describe('deployments', () => {
  it('resolves every built-in chain by name and by id, with lower-case addresses and bigint start blocks', () => {
    const names = ['ethereum', 'base', 'arbitrum', 'optimism', 'polygon', 'bnb', 'scroll', 'opbnb', 'zetachain', 'gnosis', 'celo', 'sepolia', 'base-sepolia']
    expect(DEPLOYMENTS.map((d) => d.name)).toEqual(names)
    for (const name of names) {
      const d = getDeployment(name)!
      expect(d.contract).toMatch(/^0x[0-9a-f]{40}$/)
      expect(typeof d.startBlock).toBe('bigint')
      expect(d.multicall3).toBe('0xca11bde05977b3631167028862be2a173976ca11')
      expect(getDeployment(d.chainId)).toBe(d)
      expect(getDeployment(String(d.chainId))).toBe(d)
    }
    expect(getDeployment('base')).toMatchObject({ chainId: 8453, contract: '0x2b3224d080452276a76690341e5cfa81a945a985', startBlock: 11877970n })
    expect(getDeployment('ethereum')).toMatchObject({ chainId: 1, startBlock: 19182884n, confirmations: 12 })
    expect(getDeployment('Base_Sepolia')?.chainId).toBe(84532)
    expect(getDeployment('mainnet')?.chainId).toBe(1)
    expect(getDeployment('nope')).toBeUndefined()
    expect(getDeployment(31337)).toBeUndefined()
  })

  it('names the RPC env vars by chain id, then by upper-cased name', () => {
    expect(rpcUrlEnvNames({ chainId: 84532, name: 'base-sepolia' })).toEqual(['RPC_URL_84532', 'RPC_URL_BASE_SEPOLIA'])
  })
})

describe('parseConfig', () => {
  it('fills a built-in chain and every default, and freezes the result', () => {
    const config = parseConfig({ chains: [{ chain: 'base', rpcUrl: 'https://base.example' }] })
    expect(config).toEqual({
      chains: [
        {
          name: 'base',
          chainId: 8453,
          rpcUrls: ['https://base.example'],
          contract: '0x2b3224d080452276a76690341e5cfa81a945a985',
          startBlock: 11877970n,
          confirmations: 10,
          multicall3: '0xca11bde05977b3631167028862be2a173976ca11',
          maxBlockRange: 2000,
          pollIntervalMs: 2000,
          readyLagBlocks: 30,
          readyStaleMs: 26_000,
        },
      ],
      dataDir: './data',
      preparedStatements: true,
      deferIndexes: true,
      server: { host: '127.0.0.1', port: 4000, graphiql: true, corsOrigins: ['*'], workers: 1 },
      logLevel: 'info',
      devnet: { port: 8545, workload: true },
      limits: {
        maxPageSize: 100,
        parallelRanges: 4,
        maxSubscriptions: 20_000,
        maxSubscriptionsPerConnection: 100,
        stallAfterFailures: 5,
        maxComplexity: 50_000,
        queryTimeoutMs: 10_000,
        maxInFlight: 64,
        maxQueued: 64,
        maxRequestBytes: 1_048_576,
        memoryBudgetMiB: 384,
      },
      pubsub: 'none',
    })
    expect(Object.isFrozen(config)).toBe(true)
    expect(Object.isFrozen(config.chains[0]!.rpcUrls)).toBe(true)
    expect(Object.isFrozen(config.server)).toBe(true)
  })

  it('listens on 127.0.0.1 unless told otherwise, and takes CORS origins from file, env or flag', async () => {
    expect(parseConfig({}).server).toEqual({ host: '127.0.0.1', port: 4000, graphiql: true, corsOrigins: ['*'], workers: 1 })
    expect(parseConfig({ server: { host: '0.0.0.0', corsOrigins: ['https://App.example.com', 'http://localhost:3000/'] } }).server).toMatchObject({
      host: '0.0.0.0',
      corsOrigins: ['https://app.example.com', 'http://localhost:3000'],
    })
    expect(parseConfig({ server: { corsOrigins: 'none' } }).server.corsOrigins).toEqual([])
    expect(() => parseConfig({ server: { corsOrigins: 'https://app.example.com/path, ftp://x' } })).toThrow(
      /server\.corsOrigins: expected an origin like https:\/\/app\.example\.com.*"https:\/\/app\.example\.com\/path"/s,
    )
    expect((await loadConfig({ env: { HOST: '0.0.0.0', CORS_ORIGINS: 'https://a.example,https://b.example' } })).server).toMatchObject({
      host: '0.0.0.0',
      corsOrigins: ['https://a.example', 'https://b.example'],
    })
    expect((await loadConfig({ flags: { corsOrigin: ['https://c.example'] }, env: { CORS_ORIGINS: '*' } })).server.corsOrigins).toEqual(['https://c.example'])
  })

  it('reads limits.parallelRanges, and the old key limits.rpcConcurrency with a logged deprecation warning', async () => {
    const current = parseConfig({ limits: { parallelRanges: '7' } })
    expect(current.limits.parallelRanges).toBe(7)
    expect(current.deprecations).toBeUndefined()
    expect(parseConfig({}).limits.parallelRanges).toBe(4)

    const old = await loadConfig({ flags: { config: configFile({ limits: { rpcConcurrency: 3 } }) }, env: {} })
    expect(old.limits.parallelRanges).toBe(3)
    expect(old.limits).not.toHaveProperty('rpcConcurrency')
    expect(old.deprecations).toEqual([expect.objectContaining({ key: 'limits.rpcConcurrency', replacement: 'limits.parallelRanges' })])
    const lines: string[] = []
    const logger = createLogger({ level: 'info', destination: { write: (line: string) => void lines.push(line) } })
    warnDeprecations(old, logger)
    warnDeprecations(current, logger)
    expect(lines.map((l) => JSON.parse(l))).toEqual([
      expect.objectContaining({
        level: 40,
        key: 'limits.rpcConcurrency',
        replacement: 'limits.parallelRanges',
        msg: expect.stringMatching(/deprecated.*parallelRanges/),
      }),
    ])

    expect(await problemsOf(() => parseConfig({ limits: { rpcConcurrency: 2, parallelRanges: 2 } }))).toEqual([
      'limits.rpcConcurrency: the old name of limits.parallelRanges — give only limits.parallelRanges',
    ])
    expect(await problemsOf(() => parseConfig({ limits: { rpcConcurrency: 0 } }))).toEqual([expect.stringMatching(/^limits\.rpcConcurrency: /)])
  })

  it('refuses pubsub redis without a Redis URL', () => {
    expect(() => parseConfig({ pubsub: 'redis' })).toThrow(/redisUrl: required with pubsub redis — pass --redis-url or set REDIS_URL/)
    expect(parseConfig({ pubsub: 'redis', redisUrl: 'redis://127.0.0.1:6379' }).pubsub).toBe('redis')
  })

  it('accepts no chain at all (the CLI then runs the devnet)', () => {
    expect(parseConfig({}).chains).toEqual([])
  })

  it('lets a chain entry override built-in values and coerces strings', () => {
    const config = parseConfig({
      chains: [
        {
          chain: 'ethereum',
          rpcUrls: 'https://a.example, wss://b.example',
          startBlock: '0x10',
          confirmations: '0',
          contract: '0x996a99676d286fCeFCc1920369548c62ff7d6D11',
        },
      ],
      server: { port: '8080', graphiql: 'false' },
      logLevel: 'DEBUG',
    })
    expect(config.chains[0]).toMatchObject({
      rpcUrls: ['https://a.example', 'wss://b.example'],
      startBlock: 16n,
      confirmations: 0,
      contract: '0x996a99676d286fcefcc1920369548c62ff7d6d11',
    })
    expect(config.server).toEqual({ host: '127.0.0.1', port: 8080, graphiql: false, corsOrigins: ['*'], workers: 1 })
    expect(config.logLevel).toBe('debug')
  })

  it('takes gateway workers and prepared statements from file, env or flag, and refuses a worker count out of range', async () => {
    expect((await loadConfig({ env: { GATEWAY_WORKERS: '3', PREPARED_STATEMENTS: 'false' } })).server.workers).toBe(3)
    expect((await loadConfig({ env: { PREPARED_STATEMENTS: 'false' } })).preparedStatements).toBe(false)
    expect((await loadConfig({ flags: { workers: '4' }, env: { GATEWAY_WORKERS: '3' } })).server.workers).toBe(4)
    expect(parseConfig({ server: { workers: 2 } }).server.workers).toBe(2)
    for (const workers of [0, 65, '2.5', 'many']) expect(() => parseConfig({ server: { workers } }), String(workers)).toThrow(ConfigError)
  })

  it('takes the readiness and stall limits, and never echoes the secret of an unparseable URL', async () => {
    const config = parseConfig({
      chains: [{ chain: 'base', rpcUrl: 'https://base.example', readyLagBlocks: '3', readyStaleMs: 5_000 }],
      limits: { stallAfterFailures: '2' },
    })
    expect(config.chains[0]).toMatchObject({ readyLagBlocks: 3, readyStaleMs: 5_000 })
    expect(config.limits.stallAfterFailures).toBe(2)
    expect((await loadConfig({ env: { STALL_AFTER_FAILURES: '7' } })).limits.stallAfterFailures).toBe(7)
    const gatewayEnv = { QUERY_MAX_COMPLEXITY: '9000', QUERY_TIMEOUT: '2500', MAX_IN_FLIGHT: '8', MAX_QUEUED: '0', MAX_REQUEST_BYTES: '65536' }
    expect((await loadConfig({ env: gatewayEnv })).limits).toMatchObject({
      maxComplexity: 9000,
      queryTimeoutMs: 2500,
      maxInFlight: 8,
      maxQueued: 0,
      maxRequestBytes: 65_536,
    })
    expect(await problemsOf(() => loadConfig({ env: { QUERY_TIMEOUT: '10s' } }))).toContain(
      'limits.queryTimeoutMs: expected an integer from 100 to 3600000, got "10s" (from env QUERY_TIMEOUT)',
    )
    const problems = await problemsOf(() =>
      parseConfig({
        chains: [{ chain: 'base', rpcUrl: 'https://user:s3cret@[bad/v2/K3y0123456789abcdef', readyLagBlocks: -1 }],
        limits: { stallAfterFailures: 0 },
      }),
    )
    expect(problems).toEqual(
      expect.arrayContaining([
        'chains[0].rpcUrl: expected an http(s):// or ws(s):// URL, got "https://***@[bad/v2/***"',
        'chains[0].readyLagBlocks: expected an integer from 0 to 1000000, got -1',
        'limits.stallAfterFailures: expected an integer from 1 to 1000, got 0',
      ]),
    )
    expect(problems.join('\n')).not.toMatch(/s3cret|K3y0123456789abcdef/)
  })

  it('reports every problem at once, each with its path', async () => {
    const problems = await problemsOf(() =>
      parseConfig({
        chains: [{ chain: 'base', rpcUrl: 'https://x.example' }, { chainId: 'x', rpcUrl: 'ftp://x', contract: '0x12', startBlock: -1 }, { chain: 'atlantis' }],
        server: { port: 70000, extra: 1 } as never,
        limits: { maxPageSize: 0 },
        logLevel: 'loud',
      }),
    )
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^server\.port: expected an integer from 0 to 65535, got 70000/),
        'server.extra: unknown key',
        expect.stringMatching(/^limits\.maxPageSize: /),
        expect.stringMatching(/^logLevel: expected one of fatal, error, warn, info, debug, trace, got "loud"/),
        expect.stringMatching(/^chains\[1\]\.chainId: expected an integer/),
        expect.stringMatching(/^chains\[1\]\.rpcUrl: expected an http\(s\):\/\/ or ws\(s\):\/\/ URL, got a ftp:\/\/ URL/),
        expect.stringMatching(/^chains\[1\]\.contract: expected a 0x-prefixed 20-byte hex address/),
        expect.stringMatching(/^chains\[1\]\.startBlock: expected a block number/),
        expect.stringMatching(/^chains\[2\]\.chain: unknown chain "atlantis" — known: ethereum \(1\), base \(8453\)/),
      ]),
    )
    expect(problems).toHaveLength(9)
  })

  it('takes a ws(s):// wsUrl for newHeads, refuses any other scheme, and derives it from a ws(s):// rpcUrl', async () => {
    const withWs = parseConfig({ chains: [{ chain: 'base', rpcUrl: 'https://base.example', wsUrl: 'wss://base.example/ws' }] })
    expect(withWs.chains[0]).toMatchObject({ rpcUrls: ['https://base.example'], wsUrl: 'wss://base.example/ws' })
    expect(parseConfig({ chains: [{ chain: 'base', rpcUrl: 'https://base.example' }] }).chains[0]!.wsUrl).toBeUndefined()
    expect(parseConfig({ chains: [{ chain: 'base', rpcUrls: ['https://a.example', 'ws://b.example:8546'] }] }).chains[0]!.wsUrl).toBe('ws://b.example:8546')
    expect(parseConfig({ chains: [{ chain: 'base', rpcUrl: 'ws://b.example:8546', wsUrl: 'ws://c.example' }] }).chains[0]!.wsUrl).toBe('ws://c.example')
    const problems = await problemsOf(() => parseConfig({ chains: [{ chain: 'base', rpcUrl: 'https://base.example', wsUrl: 'https://base.example' }] }))
    expect(problems).toEqual(['chains[0].wsUrl: expected a ws:// or wss:// URL, got a https:// URL'])
  })

  it('rejects a mixed-case address with a bad checksum', async () => {
    const problems = await problemsOf(() =>
      parseConfig({ chains: [{ chain: 'base', rpcUrl: 'http://x', contract: '0x2b3224D080452276a76690341e5Cfa81A945a986' }] }),
    )
    expect(problems).toEqual([expect.stringMatching(/^chains\[0\]\.contract: invalid EIP-55 checksum/)])
  })

  it('rejects duplicate chain ids', async () => {
    const problems = await problemsOf(() =>
      parseConfig({
        chains: [
          { chain: 'base', rpcUrl: 'http://a' },
          { chainId: 8453, rpcUrl: 'http://b' },
        ],
      }),
    )
    expect(problems).toEqual([expect.stringMatching(/^chains\[1\]\.chainId: duplicate chain id 8453 \(already chains\[0\]\)/)])
  })

  it('rejects a chainId that contradicts the named chain', async () => {
    const problems = await problemsOf(() => parseConfig({ chains: [{ chain: 'base', chainId: 10, rpcUrl: 'http://a' }] }))
    expect(problems).toEqual(['chains[0].chainId: 10 does not match chain "base" (8453)'])
  })
})

describe('loadConfig', () => {
  it('gives two built-in chains for --chain base --chain optimism, RPC URLs from the environment', async () => {
    const config = await loadConfig({
      flags: flagsOf(['--chain', 'base', '--chain', 'optimism']),
      env: { RPC_URL_8453: 'https://base.example', RPC_URL_OPTIMISM: 'https://op.example,https://op2.example' },
    })
    expect(config.chains.map((c) => [c.name, c.chainId, c.rpcUrls])).toEqual([
      ['base', 8453, ['https://base.example']],
      ['optimism', 10, ['https://op.example', 'https://op2.example']],
    ])
    expect(config.chains[1]!.contract).toBe('0x945c44803e92a3495c32be951052a62e45a5d964')
  })

  it('builds an explicit chain from --rpc-url, --chain-id, --contract and --start-block', async () => {
    const flags = flagsOf(['--rpc-url', 'http://127.0.0.1:8545', '--chain-id', '31337', '--contract', EXPLICIT, '--start-block', '7'])
    const config = await loadConfig({ flags, env: {} })
    expect(config.chains).toEqual([
      {
        name: 'chain-31337',
        chainId: 31337,
        rpcUrls: ['http://127.0.0.1:8545'],
        contract: EXPLICIT,
        startBlock: 7n,
        confirmations: 0,
        multicall3: '0xca11bde05977b3631167028862be2a173976ca11',
        maxBlockRange: 2000,
        pollIntervalMs: 2000,
        readyLagBlocks: 10,
        readyStaleMs: 26_000,
      },
    ])
  })

  it('requires all four values for an unknown chain id', async () => {
    const problems = await problemsOf(() => loadConfig({ flags: flagsOf(['--chain-id', '999']), env: {} }))
    expect(problems).toEqual([
      'chains[0].rpcUrl: required — pass --rpc-url or set RPC_URL_999',
      expect.stringMatching(/^chains\[0\]\.contract: required for chain id 999/),
      expect.stringMatching(/^chains\[0\]\.startBlock: required for chain id 999/),
    ])
  })

  it('lets --rpc-url override the RPC of one known --chain', async () => {
    const config = await loadConfig({ flags: flagsOf(['--chain', 'base', '--rpc-url', 'https://flag.example']), env: { RPC_URL_8453: 'https://env.example' } })
    expect(config.chains[0]!.rpcUrls).toEqual(['https://flag.example'])
  })

  it('reports a bad port, a bad address and a missing RPC URL together in one ConfigError, naming their sources', async () => {
    const flags = flagsOf(['--port', 'abc', '--chain-id', '31337', '--contract', '0xnot-an-address', '--start-block', '1'])
    const problems = await problemsOf(() => loadConfig({ flags, env: { LOG_LEVEL: 'chatty' } }))
    expect(problems).toEqual([
      'server.port: expected an integer from 0 to 65535, got "abc" (from flag --port)',
      'logLevel: expected one of fatal, error, warn, info, debug, trace, got "chatty" (from env LOG_LEVEL)',
      'chains[0].rpcUrl: required — pass --rpc-url or set RPC_URL_31337',
      'chains[0].contract: expected a 0x-prefixed 20-byte hex address, got "0xnot-an-address" (from flag --contract)',
    ])
  })

  it('applies flag > env > file precedence', async () => {
    const path = configFile({
      server: { port: 1000, host: 'file-host' },
      dataDir: '/file',
      chains: [{ chain: 'base', rpcUrl: 'https://file.example', confirmations: 3 }],
    })
    const fileOnly = await loadConfig({ flags: { config: path }, env: {} })
    expect([fileOnly.server.port, fileOnly.server.host, fileOnly.dataDir, fileOnly.chains[0]!.rpcUrls, fileOnly.chains[0]!.confirmations]).toEqual([
      1000,
      'file-host',
      '/file',
      ['https://file.example'],
      3,
    ])

    const env = { SIGN_INDEXER_CONFIG: path, PORT: '2000', DATA_DIR: '/env', RPC_URL_BASE: 'https://env.example', CONFIRMATIONS: '4' }
    const withEnv = await loadConfig({ env })
    expect([withEnv.server.port, withEnv.server.host, withEnv.dataDir, withEnv.chains[0]!.rpcUrls, withEnv.chains[0]!.confirmations]).toEqual([
      2000,
      'file-host',
      '/env',
      ['https://env.example'],
      4,
    ])

    const withFlags = await loadConfig({ env, flags: flagsOf(['--port', '3000', '--rpc-url', 'https://flag.example', '--confirmations', '5']) })
    expect([withFlags.server.port, withFlags.dataDir, withFlags.chains[0]!.rpcUrls, withFlags.chains[0]!.confirmations]).toEqual([
      3000,
      '/env',
      ['https://flag.example'],
      5,
    ])
  })

  it('keeps the file settings of a chain selected with --chain', async () => {
    const path = configFile({
      chains: [
        { chain: 'optimism', rpcUrl: 'https://op.example' },
        { chain: 'base', rpcUrl: 'https://base.example', maxBlockRange: 500 },
      ],
    })
    const config = await loadConfig({ flags: { config: path, chain: ['base'] }, env: {} })
    expect(config.chains.map((c) => [c.name, c.rpcUrls, c.maxBlockRange])).toEqual([['base', ['https://base.example'], 500]])
  })

  it('reports an invalid JSON file together with the other problems', async () => {
    const path = configFile('{ "server": { "port": 4000, } ')
    const problems = await problemsOf(() => loadConfig({ flags: { config: path }, env: { PORT: '-1' } }))
    expect(problems).toHaveLength(2)
    expect(problems[0]).toMatch(new RegExp(`^config file ${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: invalid JSON: .* \\(from flag --config\\)$`))
    expect(problems[1]).toBe('server.port: expected an integer from 0 to 65535, got "-1" (from env PORT)')
  })

  it('reports a missing config file, resolved against cwd', async () => {
    const problems = await problemsOf(() => loadConfig({ env: { SIGN_INDEXER_CONFIG: 'missing.json' }, cwd: dir }))
    expect(problems).toEqual([`config file ${join(dir, 'missing.json')}: cannot read it: file not found (from env SIGN_INDEXER_CONFIG)`])
  })

  it('names the file as the source of its bad values and unknown keys', async () => {
    const path = configFile({ server: { prot: 1 }, chains: [{ chain: 'base', rpcUrl: 'https://x.example', startBlock: 'soon' }] })
    const problems = await problemsOf(() => loadConfig({ flags: { config: path }, env: {} }))
    expect(problems).toEqual([
      `server.prot: unknown key (from file ${path})`,
      `chains[0].startBlock: expected a block number ≥ 0, got "soon" (from file ${path})`,
    ])
  })

  it('rejects duplicate chain ids from flags', async () => {
    const problems = await problemsOf(() => loadConfig({ flags: flagsOf(['--chain', 'base,8453']), env: { RPC_URL_8453: 'http://x' } }))
    expect(problems).toEqual(['chains[1].chainId: duplicate chain id 8453 (already chains[0]) — each chain may be configured once (from flag --chain 8453)'])
  })

  it('lists the known chains for an unknown --chain', async () => {
    const problems = await problemsOf(() => loadConfig({ flags: flagsOf(['--chain', 'atlantis']), env: {} }))
    expect(problems).toHaveLength(1)
    expect(problems[0]).toMatch(/^chains\[0\]\.chain: unknown chain "atlantis" — known: ethereum \(1\), base \(8453\), .*base-sepolia \(84532\)/)
  })

  it('rejects per-chain flags without exactly one chain', async () => {
    const none = await problemsOf(() => loadConfig({ flags: flagsOf(['--contract', EXPLICIT]), env: {} }))
    expect(none).toEqual([expect.stringMatching(/^--contract: no chain selected/)])
    const two = await problemsOf(() =>
      loadConfig({
        flags: flagsOf(['--chain', 'base', '--chain', 'optimism', '--rpc-url', 'http://x']),
        env: { RPC_URL_10: 'http://a', RPC_URL_8453: 'http://b' },
      }),
    )
    expect(two).toEqual([expect.stringMatching(/^--rpc-url: applies to one chain, but 2 are selected/)])
  })

  it('reads the remaining env vars and flags', async () => {
    const config = await loadConfig({
      flags: flagsOf(['--host', '127.0.0.1', '--no-graphiql', '--log-level', 'warn', '--database-url', 'postgres://u:p@db:5432/sign']),
      env: { HOST: 'ignored', DEVNET_PORT: '9545', DATABASE_URL: 'postgresql://other' },
    })
    expect(config).toMatchObject({
      databaseUrl: 'postgres://u:p@db:5432/sign',
      server: { host: '127.0.0.1', port: 4000, graphiql: false },
      logLevel: 'warn',
      devnet: { port: 9545 },
    })
    const problems = await problemsOf(() => loadConfig({ env: { DATABASE_URL: 'mysql://u:secret@db/x' } }))
    expect(problems).toEqual(['databaseUrl: expected a postgres:// or postgresql:// URL, got a mysql:// URL (from env DATABASE_URL)'])
  })
})
