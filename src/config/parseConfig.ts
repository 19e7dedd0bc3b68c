/**
 * The configuration's shape and its one validation pass: raw input (the JSON config file's shape, with values that may
 * still be strings from env/flags) in, a deep-frozen typed {@link Config} out, or one {@link ConfigError} listing every
 * problem with its path and, when known, where the value came from.
 */
import { z } from 'zod'
import { ConfigError } from '../errors/baseError.js'
import { DEFAULT_CONFIRMATIONS, describeKnownChains, getDeployment, LOCAL_CHAIN_IDS, MULTICALL3_ADDRESS, rpcUrlEnvNames } from './deployments.js'
import {
  addressField,
  blockNumberField,
  booleanField,
  choiceField,
  describeValue,
  integerField,
  originListField,
  stringField,
  urlField,
  urlListField,
} from './fields.js'

/** pino levels, most to least severe. */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace'] as const
/** A pino log level. */
export type LogLevel = (typeof LOG_LEVELS)[number]

/** Default `eth_getLogs` block range per request (blocks). */
export const MAX_BLOCK_RANGE = 2_000
/** Default head polling interval (milliseconds). */
export const POLL_INTERVAL_MS = 2_000
/** Default `limits.stallAfterFailures`: sync steps failing in a row before a chain is reported stalled. */
export const STALL_AFTER_FAILURES = 5
/** The indexer's JSON-RPC request timeout (milliseconds), part of the default {@link defaultReadyStaleMs}. */
export const RPC_TIMEOUT_MS = 20_000

/**
 * Default `readyLagBlocks` of a chain: twice its confirmations plus 10 blocks of slack (blocks produced between two
 * polls and during a step), e.g. 10 on a devnet (0 confirmations), 34 on Ethereum (12).
 */
export function defaultReadyLagBlocks(confirmations: number): number {
  return 2 * confirmations + 10
}

/** Default `readyStaleMs` of a chain: three poll intervals plus one JSON-RPC timeout, e.g. 26 s for a 2 s poll. */
export function defaultReadyStaleMs(pollIntervalMs: number, rpcTimeoutMs = RPC_TIMEOUT_MS): number {
  return 3 * pollIntervalMs + rpcTimeoutMs
}

/** One chain to index: a Sign Protocol proxy on one EVM chain. */
export type ChainConfig = {
  /** name in logs and the database (`base`, or `chain-<id>` for an explicit chain without a name) */
  name: string
  /** EIP-155 chain id; unique across `Config.chains` */
  chainId: number
  /** JSON-RPC endpoints, http(s):// or ws(s)://, at least one; later ones are fallbacks */
  rpcUrls: string[]
  /**
   * ws(s):// endpoint used only to be woken by `newHeads` (blocks are read over `rpcUrls`; polling every
   * `pollIntervalMs` goes on); when not given, the first ws(s):// URL of `rpcUrls`, if any
   */
  wsUrl?: string
  /** the SP proxy address, lower-case */
  contract: `0x${string}`
  /** first block to scan */
  startBlock: bigint
  /** finality depth in blocks (≥ 0), used when the node has no `finalized` tag */
  confirmations: number
  /** Multicall3 address, lower-case */
  multicall3: `0x${string}`
  /** blocks per `eth_getLogs` request (default {@link MAX_BLOCK_RANGE}) */
  maxBlockRange: number
  /** head polling interval in ms (default {@link POLL_INTERVAL_MS}) */
  pollIntervalMs: number
  /** `/readyz`: most blocks the indexed block may trail the head (default {@link defaultReadyLagBlocks}) */
  readyLagBlocks: number
  /** `/readyz`: ms without a completed sync step after which the chain is not ready (default {@link defaultReadyStaleMs}) */
  readyStaleMs: number
}

/** The validated, deep-frozen configuration every subcommand receives. */
export type Config = {
  /** chains to index, unique chain ids; empty means "no chain configured" (the CLI then runs the embedded devnet) */
  chains: ChainConfig[]
  /** PostgreSQL URL (`postgres://` or `postgresql://`); absent: embedded PGlite under `dataDir` */
  databaseUrl?: string
  /**
   * PostgreSQL: send statements as named prepared statements, planned once per connection (default true); false for
   * a pooler that cannot keep them (PgBouncer in transaction mode before 1.21)
   */
  preparedStatements: boolean
  /**
   * a fresh database backfills without the secondary indexes of attestations and recipients and builds them once
   * the chain has caught up (default true; src/db/deferredIndexes.ts); false keeps every index in place throughout
   */
  deferIndexes: boolean
  /** directory for local state (PGlite, caches); default `./data`, relative to the process's cwd */
  dataDir: string
  /**
   * GraphQL server: host (default `127.0.0.1`: reachable from this machine only; `0.0.0.0` to serve the network),
   * port (default 4000, 0 = any free port), GraphiQL on/off (default on), CORS origins (default `['*']`: any origin,
   * never with credentials; `[]`: no cross-origin access), workers: processes `serve` runs the gateway in (default
   * 1; more share the port through node:cluster and need PostgreSQL)
   */
  server: { host: string; port: number; graphiql: boolean; corsOrigins: string[]; workers: number }
  /** default `info` */
  logLevel: LogLevel
  /** embedded devnet: anvil port (default 8545), block time in s (absent: mine per tx), live workload (default on). Always filled by {@link parseConfig}. */
  devnet?: { port: number; blockTimeS?: number; workload: boolean }
  /**
   * GraphQL page size cap (default 100), block ranges fetched in parallel per chain during backfill `parallelRanges`
   * (default 4; the old name `rpcConcurrency` is accepted with a deprecation, see {@link ConfigDeprecation}), live
   * subscriptions per gateway process (default 20,000) and operations at once per graphql-ws
   * connection (default 100), sync steps failing in a row before a chain is reported stalled (default
   * {@link STALL_AFTER_FAILURES}); gateway limits (README "Limits"): cost budget per operation `maxComplexity`
   * (50,000), deadline per query `queryTimeoutMs` (10,000; also the gateway pool's statement_timeout), GraphQL
   * requests worked on at once `maxInFlight` (64) and waiting `maxQueued` (64), request body / graphql-ws message
   * cap `maxRequestBytes` (1 MiB); resident memory the process keeps near by collecting garbage early
   * `memoryBudgetMiB` (384; 0 = off, see src/common/memoryBudget.ts)
   */
  limits: {
    maxPageSize: number
    parallelRanges: number
    maxSubscriptions: number
    maxSubscriptionsPerConnection: number
    stallAfterFailures: number
    maxComplexity: number
    queryTimeoutMs: number
    maxInFlight: number
    maxQueued: number
    maxRequestBytes: number
    memoryBudgetMiB: number
  }
  /**
   * How gateway replicas hear that the journal advanced: `none` (single process), `postgres` (LISTEN/NOTIFY),
   * `redis` (pub/sub through @graphql-yoga/redis-event-target; needs `redisUrl`). Default: `postgres` with a
   * databaseUrl, else `none`.
   */
  pubsub: 'none' | 'postgres' | 'redis'
  redisUrl?: string
  /** verifier workers run by `start` and `verify` (0..64); absent: the CLI's default (2) */
  verifiers?: number
  /** old keys the input used, each already mapped to its new name; absent when there are none (the CLI logs each once) */
  deprecations?: readonly ConfigDeprecation[]
}

/**
 * A configuration key that still works under its old name: `key` was given and read as `replacement`.
 * `limits.rpcConcurrency` → `limits.parallelRanges` (it never limited RPC concurrency, which the RPC governor adapts:
 * it sets how many block ranges a chain's backfill fetches at once).
 */
export type ConfigDeprecation = { key: string; replacement: string; message: string }

/**
 * One chain as written in the config file (and as built from env/flags by `loadConfig`): either a built-in deployment
 * by `chain` name/id, optionally overriding any field, or an explicit chain with `chainId`, `rpcUrl`, `contract`,
 * `startBlock`. Values may be strings (coerced).
 */
export type RawChainInput = {
  chain?: string | number
  name?: string
  chainId?: number | string
  rpcUrl?: string | string[]
  rpcUrls?: string | string[]
  wsUrl?: string
  contract?: string
  startBlock?: number | string | bigint
  confirmations?: number | string
  multicall3?: string
  maxBlockRange?: number | string
  pollIntervalMs?: number | string
  readyLagBlocks?: number | string
  readyStaleMs?: number | string
}

/** The config file's shape; every field optional, values may be strings (coerced). Unknown keys are problems. */
export type RawConfigInput = {
  /** ignored (lets editors point at a JSON schema) */
  $schema?: string
  chains?: RawChainInput[]
  databaseUrl?: string
  dataDir?: string
  preparedStatements?: boolean | string
  deferIndexes?: boolean | string
  server?: { host?: string; port?: number | string; graphiql?: boolean | string; corsOrigins?: string | string[]; workers?: number | string }
  logLevel?: string
  devnet?: { port?: number | string; blockTimeS?: number | string; workload?: boolean | string }
  limits?: {
    maxPageSize?: number | string
    parallelRanges?: number | string
    /** @deprecated old name of `parallelRanges`, accepted with a warning */
    rpcConcurrency?: number | string
    maxSubscriptions?: number | string
    maxSubscriptionsPerConnection?: number | string
    stallAfterFailures?: number | string
    maxComplexity?: number | string
    queryTimeoutMs?: number | string
    maxInFlight?: number | string
    maxQueued?: number | string
    maxRequestBytes?: number | string
    memoryBudgetMiB?: number | string
  }
  pubsub?: string
  redisUrl?: string
  verifiers?: number | string
}

/** Extra context for {@link parseConfig} messages. */
export type ParseConfigOptions = {
  /** where values came from, keyed by path (`server.port` → `env PORT`, `chains[0].rpcUrls` → `flag --rpc-url`) */
  sources?: Record<string, string>
  /** source for any path not in `sources` (e.g. `file /etc/sign-indexer.json`) */
  defaultSource?: string
  /** problems found before validation (unreadable file, conflicting flags); reported first, in the same error */
  problems?: string[]
}

const RPC_URL = ['http:', 'https:', 'ws:', 'wss:']
const port = integerField({ min: 0, max: 65_535 })

const topSchema = z.strictObject({
  $schema: z.unknown().optional(),
  chains: z.unknown().optional(), // validated chain by chain, see parseChain
  databaseUrl: urlField(['postgres:', 'postgresql:'], 'a postgres:// or postgresql:// URL'),
  dataDir: stringField().transform((v) => v ?? './data'),
  preparedStatements: booleanField().transform((v) => v ?? true),
  deferIndexes: booleanField().transform((v) => v ?? true),
  server: z
    .strictObject({
      host: stringField().transform((v) => v ?? '127.0.0.1'),
      port: port.transform((v) => v ?? 4_000),
      graphiql: booleanField().transform((v) => v ?? true),
      corsOrigins: originListField().transform((v) => v ?? ['*']),
      workers: integerField({ min: 1, max: 64 }).transform((v) => v ?? 1),
    })
    .prefault({}),
  logLevel: choiceField(LOG_LEVELS).transform((v) => v ?? 'info'),
  pubsub: choiceField(['none', 'postgres', 'redis'] as const),
  redisUrl: urlField(['redis:', 'rediss:'], 'a redis:// or rediss:// URL'),
  verifiers: integerField({ min: 0, max: 64 }),
  devnet: z
    .strictObject({
      port: port.transform((v) => v ?? 8_545),
      blockTimeS: integerField({ min: 1, max: 3_600 }),
      workload: booleanField().transform((v) => v ?? true),
    })
    .prefault({}),
  limits: z
    .strictObject({
      maxPageSize: integerField({ min: 1, max: 10_000 }).transform((v) => v ?? 100),
      parallelRanges: integerField({ min: 1, max: 256 }),
      rpcConcurrency: integerField({ min: 1, max: 256 }), // deprecated name of parallelRanges (see parseConfig)
      maxSubscriptions: integerField({ min: 1, max: 1_000_000 }).transform((v) => v ?? 20_000),
      maxSubscriptionsPerConnection: integerField({ min: 1, max: 10_000 }).transform((v) => v ?? 100),
      stallAfterFailures: integerField({ min: 1, max: 1_000 }).transform((v) => v ?? STALL_AFTER_FAILURES),
      maxComplexity: integerField({ min: 1, max: 1_000_000_000 }).transform((v) => v ?? 50_000),
      queryTimeoutMs: integerField({ min: 100, max: 3_600_000 }).transform((v) => v ?? 10_000),
      maxInFlight: integerField({ min: 1, max: 100_000 }).transform((v) => v ?? 64),
      maxQueued: integerField({ min: 0, max: 100_000 }).transform((v) => v ?? 64),
      maxRequestBytes: integerField({ min: 1_024, max: 1_073_741_824 }).transform((v) => v ?? 1_048_576),
      memoryBudgetMiB: integerField({ min: 0, max: 1_048_576 }).transform((v) => v ?? 384),
    })
    .prefault({}),
})

/** Makes a field required: `undefined` becomes an issue with `message` (skipped when `enabled` is false). */
function required<T>(schema: z.ZodType<T | undefined, unknown>, message: string, enabled: boolean) {
  return schema.transform((value, ctx): T => {
    if (value === undefined && enabled) {
      ctx.addIssue({ code: 'custom', message })
      return z.NEVER
    }
    return value as T
  })
}

function chainSchema(hints: { requireAll: boolean; explicitHint: string }) {
  const { requireAll, explicitHint } = hints
  return z.strictObject({
    chain: z.unknown().optional(), // resolved in parseChain
    name: stringField(),
    chainId: required(integerField({ min: 1, max: Number.MAX_SAFE_INTEGER }), `required — give "chain" (a built-in name) or "chainId"`, requireAll),
    rpcUrl: urlListField(RPC_URL, 'an http(s):// or ws(s):// URL'),
    rpcUrls: urlListField(RPC_URL, 'an http(s):// or ws(s):// URL'),
    wsUrl: urlField(['ws:', 'wss:'], 'a ws:// or wss:// URL'),
    contract: required(addressField(), `required ${explicitHint} — pass --contract or set "contract"`, requireAll),
    startBlock: required(blockNumberField(), `required ${explicitHint} — pass --start-block (the proxy's deployment block) or set "startBlock"`, requireAll),
    confirmations: integerField({ min: 0, max: 100_000 }),
    multicall3: addressField(),
    maxBlockRange: integerField({ min: 1, max: 1_000_000 }).transform((v) => v ?? MAX_BLOCK_RANGE),
    pollIntervalMs: integerField({ min: 50, max: 3_600_000 }).transform((v) => v ?? POLL_INTERVAL_MS),
    readyLagBlocks: integerField({ min: 0, max: 1_000_000 }),
    readyStaleMs: integerField({ min: 100, max: 86_400_000 }),
  })
}

type Problem = { path: string; message: string }

/** `['chains', 1, 'rpcUrl']` → `chains[1].rpcUrl`. */
function formatPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((out, key) => (typeof key === 'number' ? `${out}[${key}]` : out ? `${out}.${String(key)}` : String(key)), '')
}

function toProblems(issues: readonly z.core.$ZodIssue[], prefix: readonly PropertyKey[]): Problem[] {
  return issues.flatMap((issue) => {
    const path = [...prefix, ...issue.path]
    if (issue.code === 'unrecognized_keys') return issue.keys.map((key) => ({ path: formatPath([...path, key]), message: 'unknown key' }))
    if (issue.code === 'invalid_type') return [{ path: formatPath(path), message: `expected ${issue.expected}` }]
    return [{ path: formatPath(path), message: issue.message }]
  })
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

const CHAIN_FIELDS = ['chain', 'name', 'chainId', 'rpcUrl', 'rpcUrls', 'wsUrl', 'contract', 'startBlock']

/** Resolves one raw chain, validates it and pushes its problems in field order (`chain`, `chainId`, `rpcUrl`, …). */
function parseChain(raw: unknown, index: number, problems: Problem[]): ChainConfig | undefined {
  const own: Problem[] = []
  const chain = resolveAndParseChain(raw, index, own)
  const rank = (p: Problem) => {
    const i = CHAIN_FIELDS.indexOf(p.path.slice(`chains[${index}].`.length))
    return i === -1 ? CHAIN_FIELDS.length : i
  }
  problems.push(...own.sort((a, b) => rank(a) - rank(b)))
  return chain
}

/** Resolves one raw chain against the built-in table, then validates it; pushes problems, returns the chain or undefined. */
function resolveAndParseChain(raw: unknown, index: number, problems: Problem[]): ChainConfig | undefined {
  const at = (key: string) => `chains[${index}]${key ? `.${key}` : ''}`
  if (!isPlainObject(raw)) {
    problems.push({
      path: at(''),
      message: `expected an object like { "chain": "base" } or { "chainId", "rpcUrl", "contract", "startBlock" }, got ${describeValue(raw)}`,
    })
    return undefined
  }
  const rawChainId = typeof raw.chainId === 'number' || typeof raw.chainId === 'string' ? Number(raw.chainId) : undefined
  let deployment = undefined as ReturnType<typeof getDeployment>
  let resolved = true
  if (raw.chain !== undefined) {
    deployment = typeof raw.chain === 'string' || typeof raw.chain === 'number' ? getDeployment(raw.chain) : undefined
    if (!deployment) {
      resolved = false
      problems.push({
        path: at('chain'),
        message: `unknown chain ${describeValue(raw.chain)} — known: ${describeKnownChains()}; for another chain give chainId, rpcUrl, contract and startBlock (--chain-id, --rpc-url, --contract, --start-block)`,
      })
    } else if (rawChainId !== undefined && Number.isInteger(rawChainId) && rawChainId !== deployment.chainId) {
      problems.push({ path: at('chainId'), message: `${rawChainId} does not match chain "${deployment.name}" (${deployment.chainId})` })
    }
  } else if (rawChainId !== undefined && Number.isSafeInteger(rawChainId)) {
    deployment = getDeployment(rawChainId)
  }

  const chainId = deployment?.chainId ?? (Number.isSafeInteger(rawChainId) ? rawChainId : undefined)
  const defaults: Record<string, unknown> = deployment
    ? {
        name: deployment.name,
        chainId: deployment.chainId,
        contract: deployment.contract,
        startBlock: deployment.startBlock,
        confirmations: deployment.confirmations,
        multicall3: deployment.multicall3,
      }
    : { confirmations: chainId !== undefined && LOCAL_CHAIN_IDS.includes(chainId) ? 0 : DEFAULT_CONFIRMATIONS, multicall3: MULTICALL3_ADDRESS }
  const given = Object.fromEntries(Object.entries(raw).filter(([, v]) => v !== undefined))
  const merged = { ...defaults, ...given }
  const explicitHint = chainId === undefined ? 'for a chain without a built-in deployment' : `for chain id ${chainId}, which has no built-in deployment`

  const result = chainSchema({ requireAll: resolved, explicitHint }).safeParse(merged)
  const noRpc = ![merged.rpcUrl, merged.rpcUrls].some((v) => (typeof v === 'string' ? v.trim() !== '' : Array.isArray(v) && v.length > 0))
  if (noRpc && resolved) {
    const name = typeof merged.name === 'string' ? merged.name : undefined
    const envNames = rpcUrlEnvNames({ chainId, name: deployment?.name ?? name })
    const envHint = envNames.length ? ` or set ${envNames[0]}${envNames.length > 1 ? ` (or ${envNames.slice(1).join(', ')})` : ''}` : ''
    problems.push({ path: at('rpcUrl'), message: `required — pass --rpc-url${envHint}` })
  }
  if (!result.success) {
    problems.push(...toProblems(result.error.issues, ['chains', index]))
    return undefined
  }
  const c = result.data
  const confirmations = c.confirmations ?? DEFAULT_CONFIRMATIONS
  const rpcUrls = [...new Set([...(c.rpcUrl ?? []), ...(c.rpcUrls ?? [])])]
  if (!rpcUrls.length) return undefined
  // newHeads: the explicit wsUrl, else the first ws(s):// RPC URL (the same socket protocol serves both)
  const wsUrl = c.wsUrl ?? rpcUrls.find((u) => /^wss?:/i.test(u))
  return {
    name: c.name ?? `chain-${c.chainId}`,
    chainId: c.chainId,
    rpcUrls,
    ...(wsUrl !== undefined && { wsUrl }),
    contract: c.contract,
    startBlock: c.startBlock,
    confirmations,
    multicall3: c.multicall3 ?? MULTICALL3_ADDRESS,
    maxBlockRange: c.maxBlockRange,
    pollIntervalMs: c.pollIntervalMs,
    readyLagBlocks: c.readyLagBlocks ?? defaultReadyLagBlocks(confirmations),
    readyStaleMs: c.readyStaleMs ?? defaultReadyStaleMs(c.pollIntervalMs),
  }
}

/** Chain ids must be unique: a second chain with the same id is a problem naming the first one. */
function findDuplicateChains(rawChains: unknown[], problems: Problem[]): void {
  const firstIndex = new Map<number, number>()
  rawChains.forEach((raw, index) => {
    if (!isPlainObject(raw)) return
    const chainId =
      (raw.chain !== undefined && (typeof raw.chain === 'string' || typeof raw.chain === 'number') ? getDeployment(raw.chain)?.chainId : undefined) ??
      Number(raw.chainId)
    if (!Number.isSafeInteger(chainId)) return
    const first = firstIndex.get(chainId)
    if (first === undefined) firstIndex.set(chainId, index)
    else
      problems.push({
        path: `chains[${index}].chainId`,
        message: `duplicate chain id ${chainId} (already chains[${first}]) — each chain may be configured once`,
      })
  })
}

const LAST_SEGMENT = /(\.[^.[\]]+|\[\d+\])$/

/** The source recorded for `path` or its nearest recorded parent (`chains[0].rpcUrl` → `chains[0]`), else the default. */
function sourceOf(path: string, options: ParseConfigOptions): string | undefined {
  const sources = options.sources ?? {}
  for (let p = path; p; ) {
    if (sources[p]) return sources[p]
    const parent = p.replace(LAST_SEGMENT, '')
    if (parent === p) break
    p = parent
  }
  return options.defaultSource
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value)
    for (const v of Object.values(value)) deepFreeze(v)
  }
  return value
}

/**
 * Validates raw configuration once and returns it deep-frozen with every default applied.
 *
 * Chains: `{ chain: "base" }` (name or id from `deployments.ts`) takes the built-in contract, start block,
 * confirmations and Multicall3, any of which the entry may override; otherwise `chainId`, `contract` and `startBlock`
 * are required. Every chain needs an RPC URL (`rpcUrl`/`rpcUrls`, comma-separated strings allowed).
 * Defaults: dataDir `./data`, server `127.0.0.1:4000` with GraphiQL and CORS for any origin without credentials, logLevel `info`, devnet port 8545 with workload,
 * limits maxPageSize 100 / parallelRanges 4 / maxSubscriptions 20,000 /
 * maxSubscriptionsPerConnection 100 / stallAfterFailures 5, chain maxBlockRange 2000 / pollIntervalMs 2000 /
 * readyLagBlocks 2 × confirmations + 10 / readyStaleMs 3 × pollIntervalMs + 20 s.
 *
 * Renamed keys: `limits.rpcConcurrency` is read as `limits.parallelRanges` and listed in `deprecations` (both at once
 * is a problem).
 *
 * @param input the config file's shape; strings are coerced (`"4000"` → 4000, `"0x1"` start block → 1n).
 * @param options value sources for messages and problems found earlier (see {@link ParseConfigOptions}).
 * @throws {ConfigError} listing EVERY problem as `path: message (from source)`, e.g.
 *   `chains[1].rpcUrl: required — pass --rpc-url or set RPC_URL_8453 (or RPC_URL_BASE)`.
 */
export function parseConfig(input: RawConfigInput, options: ParseConfigOptions = {}): Config {
  const problems: Problem[] = []
  const top = topSchema.safeParse(input)
  if (!top.success) problems.push(...toProblems(top.error.issues, []))

  const rawChains = isPlainObject(input) ? (input as Record<string, unknown>).chains : undefined
  const chains: ChainConfig[] = []
  if (rawChains !== undefined && !Array.isArray(rawChains))
    problems.push({ path: 'chains', message: `expected an array of chains, got ${describeValue(rawChains)}` })
  else if (rawChains) {
    rawChains.forEach((raw, index) => {
      const chain = parseChain(raw, index, problems)
      if (chain) chains.push(chain)
    })
    findDuplicateChains(rawChains, problems)
  }

  const messages = [
    ...(options.problems ?? []),
    ...problems.map((p) => {
      // "required" problems are about a value nobody gave: no source to name.
      const source = p.message.startsWith('required') ? undefined : sourceOf(p.path, options)
      return `${p.path || '(root)'}: ${p.message}${source ? ` (from ${source})` : ''}`
    }),
  ]
  if (top.success && top.data.pubsub === 'redis' && top.data.redisUrl === undefined) {
    messages.push('redisUrl: required with pubsub redis — pass --redis-url or set REDIS_URL')
  }
  if (top.success && top.data.limits.rpcConcurrency !== undefined && top.data.limits.parallelRanges !== undefined) {
    messages.push('limits.rpcConcurrency: the old name of limits.parallelRanges — give only limits.parallelRanges')
  }
  if (messages.length || !top.success) throw new ConfigError(messages)

  const t = top.data
  const { rpcConcurrency, parallelRanges, ...limits } = t.limits
  const deprecations: ConfigDeprecation[] = []
  if (rpcConcurrency !== undefined) {
    deprecations.push({
      key: 'limits.rpcConcurrency',
      replacement: 'limits.parallelRanges',
      message: 'Config key limits.rpcConcurrency is deprecated: rename it limits.parallelRanges (block ranges fetched in parallel)',
    })
  }
  return deepFreeze<Config>({
    chains,
    ...(t.databaseUrl !== undefined && { databaseUrl: t.databaseUrl }),
    dataDir: t.dataDir,
    preparedStatements: t.preparedStatements,
    deferIndexes: t.deferIndexes,
    server: t.server,
    logLevel: t.logLevel,
    devnet: { port: t.devnet.port, ...(t.devnet.blockTimeS !== undefined && { blockTimeS: t.devnet.blockTimeS }), workload: t.devnet.workload },
    limits: { ...limits, parallelRanges: parallelRanges ?? rpcConcurrency ?? 4 },
    pubsub: t.pubsub ?? (t.databaseUrl ? 'postgres' : 'none'),
    ...(t.redisUrl !== undefined && { redisUrl: t.redisUrl }),
    ...(t.verifiers !== undefined && { verifiers: t.verifiers }),
    ...(deprecations.length > 0 && { deprecations }),
  })
}
