/**
 * Gathers configuration from its three sources — a JSON file, the environment, command-line flags (in increasing
 * precedence) — into one {@link RawConfigInput}, remembering where each value came from, and validates it once with
 * {@link parseConfig}.
 */
import { readFile } from 'node:fs/promises'
import { resolve } from 'node:path'
import { getDeployment, rpcUrlEnvNames } from './deployments.js'
import { type Config, parseConfig, type RawConfigInput } from './parseConfig.js'

/**
 * The flags `addConfigOptions` registers, as commander hands them over (camel-cased, values still strings).
 * Numbers may also be given as numbers when calling {@link loadConfig} from code.
 */
export type ConfigFlags = {
  /** `--config <path>`: JSON config file */
  config?: string
  /** `--chain <name|id>` (repeatable, comma-separated allowed): built-in deployments */
  chain?: string | string[]
  /** `--rpc-url <url>` (repeatable: fallbacks) for the single selected chain */
  rpcUrl?: string | string[]
  /** `--ws-url <url>` for the single selected chain */
  wsUrl?: string
  /** `--chain-id <id>`: explicit chain (with --rpc-url, --contract, --start-block) */
  chainId?: string | number
  /** `--contract <address>` for the single selected chain */
  contract?: string
  /** `--start-block <block>` for the single selected chain */
  startBlock?: string | number | bigint
  /** `--confirmations <n>` for every chain */
  confirmations?: string | number
  databaseUrl?: string
  pubsub?: string
  redisUrl?: string
  dataDir?: string
  port?: string | number
  host?: string
  /** `--cors-origin <origin>` (repeatable or comma-separated; `*` or `none`) */
  corsOrigin?: string | string[]
  logLevel?: string
  /** `--graphiql` / `--no-graphiql` */
  graphiql?: boolean
  /** `--verifiers <n>`: verifier workers */
  verifiers?: string | number
  /** `--workers <n>`: gateway processes of `serve` */
  workers?: string | number
}

/** Parameters of {@link loadConfig}. */
export type LoadConfigParameters = {
  /** parsed command-line flags (default none) */
  flags?: ConfigFlags
  /** environment (default `process.env`) */
  env?: Record<string, string | undefined>
  /** directory a relative `--config` path is resolved against (default `process.cwd()`) */
  cwd?: string
}

type Json = Record<string, unknown>

function isPlainObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** Reads and parses the JSON config file; failures become problems and an empty object. */
async function readConfigFile(path: string, label: string, problems: string[]): Promise<Json> {
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'file not found' : (error as Error).message
    problems.push(`config file ${path}: cannot read it: ${reason} (from ${label})`)
    return {}
  }
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch (error) {
    problems.push(`config file ${path}: invalid JSON: ${(error as Error).message} (from ${label})`)
    return {}
  }
  if (!isPlainObject(parsed)) {
    problems.push(`config file ${path}: expected a JSON object at the top level (from ${label})`)
    return {}
  }
  return parsed
}

/** A string value counts only when non-empty after trimming (`PORT=` in a shell means unset). */
function present<T>(value: T | undefined | null): value is T {
  return value !== undefined && value !== null && !(typeof value === 'string' && value.trim() === '')
}

/** Flattens a repeatable, comma-separated flag into its non-empty entries. */
function listOf(value: string | string[] | undefined): string[] {
  if (value === undefined) return []
  return (Array.isArray(value) ? value : [value])
    .flatMap((v) => String(v).split(','))
    .map((v) => v.trim())
    .filter(Boolean)
}

/** A raw chain's built-in deployment (by `chain`, else `chainId`) and chain id, when they can be told yet. */
function resolveChain(chain: Json): { chainId?: number; name?: string } {
  const ref = chain.chain ?? chain.chainId
  const deployment = typeof ref === 'string' || typeof ref === 'number' ? getDeployment(ref) : undefined
  const rawId = Number(chain.chainId)
  return { chainId: deployment?.chainId ?? (Number.isSafeInteger(rawId) ? rawId : undefined), name: deployment?.name }
}

/** The env var names that may hold a raw chain's RPC URL, from its `chain`, `chainId` or `name`. */
function rpcEnvNamesFor(chain: Json): string[] {
  const names = rpcUrlEnvNames(resolveChain(chain))
  if (typeof chain.name === 'string') names.push(...rpcUrlEnvNames({ name: chain.name }))
  return [...new Set(names)]
}

/**
 * Loads the configuration: reads the JSON file named by `--config` or `SIGN_INDEXER_CONFIG` (if any), lays the
 * environment over it, then the flags, and validates the result once with {@link parseConfig}.
 *
 * - Top-level values: flag > env > file > default. Env: `DATABASE_URL`, `DATA_DIR`, `PORT`, `HOST`, `CORS_ORIGINS`, `LOG_LEVEL`,
 *   `DEVNET_PORT`, `CONFIRMATIONS` (every chain), `VERIFIERS`, `STALL_AFTER_FAILURES` (`limits.stallAfterFailures`),
 *   `QUERY_MAX_COMPLEXITY`, `QUERY_TIMEOUT` (ms), `MAX_IN_FLIGHT`, `MAX_QUEUED`, `MAX_REQUEST_BYTES` (the gateway's `limits`).
 *   `MEMORY_BUDGET_MIB` (`limits.memoryBudgetMiB`, resident memory — with PGlite in the process, V8's heap + ArrayBuffers — kept near by collecting garbage early; 0 = off).
 * - Chains: `--chain` / `--chain-id` on the command line replace the file's `chains` (a file entry for the same chain
 *   id still supplies that chain's settings). `--rpc-url`, `--ws-url`,
 *   `--contract`, `--start-block` (and `--chain-id` next to one `--chain`) apply to the single selected chain, which may
 *   also be the file's only chain. RPC URLs: `--rpc-url` > `RPC_URL_<CHAINID>` > `RPC_URL_<NAME>` > the file.
 *
 * @returns the deep-frozen {@link Config}.
 * @throws {ConfigError} listing every problem at once, including an unreadable or invalid-JSON file and conflicting
 *   flags; each names its path and source (`flag --port`, `env PORT`, `file /abs/path.json`).
 */
export async function loadConfig(params: LoadConfigParameters = {}): Promise<Config> {
  const flags = params.flags ?? {}
  const env = params.env ?? process.env
  const cwd = params.cwd ?? process.cwd()
  const problems: string[] = []
  const sources: Record<string, string> = {}

  const fileArg = present(flags.config)
    ? { path: flags.config, label: 'flag --config' }
    : present(env.SIGN_INDEXER_CONFIG)
      ? { path: env.SIGN_INDEXER_CONFIG, label: 'env SIGN_INDEXER_CONFIG' }
      : undefined
  const filePath = fileArg && resolve(cwd, fileArg.path)
  const raw: Json = fileArg && filePath ? structuredClone(await readConfigFile(filePath, fileArg.label, problems)) : {}

  /** Sets `raw[section][key]` (or `raw[key]`) unless the section in the file is not an object (that is reported). */
  const set = (path: string, value: unknown, source: string) => {
    if (!present(value)) return
    const [section, key] = path.includes('.') ? path.split('.') : [undefined, path]
    let target = raw
    if (section) {
      if (raw[section] === undefined) raw[section] = {}
      if (!isPlainObject(raw[section])) return
      target = raw[section]
    }
    target[key!] = value
    sources[path] = source
  }
  const envLayer: [string, string][] = [
    ['databaseUrl', 'DATABASE_URL'],
    ['dataDir', 'DATA_DIR'],
    ['preparedStatements', 'PREPARED_STATEMENTS'],
    ['deferIndexes', 'DEFER_INDEXES'],
    ['server.port', 'PORT'],
    ['server.host', 'HOST'],
    ['server.corsOrigins', 'CORS_ORIGINS'],
    ['server.workers', 'GATEWAY_WORKERS'],
    ['logLevel', 'LOG_LEVEL'],
    ['devnet.port', 'DEVNET_PORT'],
    ['pubsub', 'PUBSUB'],
    ['redisUrl', 'REDIS_URL'],
    ['verifiers', 'VERIFIERS'],
    ['limits.stallAfterFailures', 'STALL_AFTER_FAILURES'],
    ['limits.maxComplexity', 'QUERY_MAX_COMPLEXITY'],
    ['limits.queryTimeoutMs', 'QUERY_TIMEOUT'],
    ['limits.maxInFlight', 'MAX_IN_FLIGHT'],
    ['limits.maxQueued', 'MAX_QUEUED'],
    ['limits.maxRequestBytes', 'MAX_REQUEST_BYTES'],
    ['limits.memoryBudgetMiB', 'MEMORY_BUDGET_MIB'],
  ]
  for (const [path, name] of envLayer) set(path, env[name], `env ${name}`)
  const flagLayer: [string, keyof ConfigFlags, string][] = [
    ['databaseUrl', 'databaseUrl', '--database-url'],
    ['dataDir', 'dataDir', '--data-dir'],
    ['server.port', 'port', '--port'],
    ['server.host', 'host', '--host'],
    ['server.corsOrigins', 'corsOrigin', '--cors-origin'],
    ['server.workers', 'workers', '--workers'],
    ['logLevel', 'logLevel', '--log-level'],
    ['server.graphiql', 'graphiql', '--graphiql'],
    ['pubsub', 'pubsub', '--pubsub'],
    ['redisUrl', 'redisUrl', '--redis-url'],
    ['verifiers', 'verifiers', '--verifiers'],
  ]
  for (const [path, key, flag] of flagLayer) set(path, flags[key], `flag ${flag}`)

  // Chains: the command line's selection replaces the file's list.
  const flagChains = listOf(flags.chain)
  let chains: unknown[] = Array.isArray(raw.chains) ? raw.chains : []
  if (flagChains.length || present(flags.chainId)) {
    // A selected chain that the file also describes keeps the file's settings (RPC URLs, overrides) under the flags.
    const fileChains = chains.filter(isPlainObject)
    const fromFile = (chainId: number | undefined) => (chainId === undefined ? undefined : fileChains.find((c) => resolveChain(c).chainId === chainId))
    chains = flagChains.map((chain, i) => {
      const entry = fromFile(getDeployment(chain)?.chainId)
      if (!entry) sources[`chains[${i}]`] = `flag --chain ${chain}`
      return { ...entry, chain }
    })
    if (present(flags.chainId)) {
      if (chains.length > 1) problems.push(`--chain-id: cannot be combined with several --chain values (${flagChains.join(', ')})`)
      else {
        if (!chains.length) {
          const entry = fromFile(resolveChain({ chainId: flags.chainId }).chainId)
          if (!entry) sources['chains[0]'] = 'flag --chain-id'
          chains.push({ ...entry })
        }
        ;(chains[0] as Json).chainId = flags.chainId
        sources['chains[0].chainId'] = 'flag --chain-id'
      }
    }
    raw.chains = chains
  }

  chains.forEach((chain, i) => {
    if (!isPlainObject(chain)) return
    const envName = rpcEnvNamesFor(chain).find((name) => present(env[name]))
    if (envName) {
      delete chain.rpcUrl
      chain.rpcUrls = env[envName]
      sources[`chains[${i}].rpcUrls`] = `env ${envName}`
    }
    const confirmations = present(flags.confirmations)
      ? { value: flags.confirmations, source: 'flag --confirmations' }
      : present(env.CONFIRMATIONS)
        ? { value: env.CONFIRMATIONS, source: 'env CONFIRMATIONS' }
        : undefined
    if (confirmations) {
      chain.confirmations = confirmations.value
      sources[`chains[${i}].confirmations`] = confirmations.source
    }
  })

  // Flags that describe one chain: they need exactly one selected chain.
  const rpcFlag = listOf(flags.rpcUrl)
  const perChain: [string, unknown, string][] = [
    ['rpcUrls', rpcFlag.length ? rpcFlag : undefined, '--rpc-url'],
    ['wsUrl', flags.wsUrl, '--ws-url'],
    ['contract', flags.contract, '--contract'],
    ['startBlock', flags.startBlock, '--start-block'],
  ]
  const given = perChain.filter(([, value]) => present(value))
  if (given.length) {
    const names = given.map(([, , flag]) => flag).join(', ')
    if (chains.length === 1 && isPlainObject(chains[0])) {
      const chain = chains[0]
      for (const [key, value, flag] of given) {
        if (key === 'rpcUrls') delete chain.rpcUrl
        chain[key] = value
        sources[`chains[0].${key}`] = `flag ${flag}`
      }
    } else if (chains.length === 0) {
      problems.push(`${names}: no chain selected — pass --chain <name|id>, or --chain-id <id> with --rpc-url, --contract and --start-block`)
    } else if (chains.length > 1) {
      problems.push(
        `${names}: applies to one chain, but ${chains.length} are selected — configure each chain in the config file or set RPC_URL_<CHAINID> per chain`,
      )
    }
  }

  return parseConfig(raw as RawConfigInput, { sources, problems, ...(filePath && { defaultSource: `file ${filePath}` }) })
}
