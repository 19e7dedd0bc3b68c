/**
 * The subcommands' bodies and the composition root: each command makes the process's dependency bag once
 * ({@link beginCommand}: logger, metrics, shutdown signal, clock — src/common/common.ts) and hands it to every stage
 * it starts. Each one owns its resources and releases them on SIGINT/SIGTERM: the shutdown signal aborts, the
 * indexer stops after its current transaction, the server closes, the database (PGlite!) is closed, exit code 0.
 */
import cluster from 'node:cluster'
import { join } from 'node:path'
import type { Address } from 'viem'
import { type Common, createCommon } from '../common/common.js'
import { createMemoryBudget } from '../common/memoryBudget.js'
import { createLogger, type Logger } from '../common/logger.js'
import { redactText, redactUrl } from '../common/redactUrl.js'
import { type Config, warnDeprecations } from '../config/config.js'
import { createDb, type Db } from '../db/createDb.js'
import { BaseError, ConfigError } from '../errors/baseError.js'
import { createClusterMetricsReader } from '../common/clusterMetrics.js'
import { applyMigrations } from '../db/migrate.js'
import { resetChain } from '../db/resetChain.js'
import type { startGatewayServer } from '../gateway/index.js'
import { createJournalNotifier } from '../journal/journalNotifier.js'
import { createIndexer, type IndexerChain } from '../sync/createIndexer.js'
import { createVerifier, type Verifier } from '../verify/index.js'
import { createProgressReporter } from './progress.js'
import { runServePrimary, STOP_MESSAGE } from './serveCluster.js'

type Cleanup = () => Promise<void> | void

let stopRequested = false
let cleanupPass: Promise<void> = Promise.resolve()

/**
 * Takes `cleanups` out of the list and runs them, last registered first, after any pass already running (a failed
 * start-up's own pass, then the shutdown's: the shutdown's exit waits for both). Each cleanup runs once; one that
 * throws is logged and the rest still run.
 */
function runCleanups(cleanups: Cleanup[], logger: Logger): Promise<void> {
  const list = cleanups.splice(0).reverse()
  cleanupPass = cleanupPass.then(async () => {
    for (const cleanup of list) {
      try {
        await cleanup()
      } catch (error) {
        logger.error({ error }, 'Cleanup failed')
      }
    }
  })
  return cleanupPass
}

/**
 * Whether this process is shutting down (a signal, or `fail`): an error that then ends a command's start-up (PGlite
 * closed under it, the devnet's anvil gone with the terminal's Ctrl-C) is a consequence of the stop, not a failure —
 * src/cli/main.ts leaves the exit to the shutdown (0 after a signal) instead of reporting it.
 */
export function isShuttingDown(): boolean {
  return stopRequested
}
/** `ephemeral`: a devnet started by this process, whose history is new on every run */
type ResolvedChain = IndexerChain & { ephemeral: boolean }

/**
 * Runs cleanups in reverse order on the first SIGINT/SIGTERM, then exits 0 (a second signal exits 1 at once).
 * `fail(error)` does the same for a component that cannot go on (e.g. a chain whose node is on another chain), and
 * exits 1 after printing the error (a BaseError's message as plain text on stderr, like a configuration error).
 * Each cleanup runs once: the shutdown takes the list as it is, so a start-up step failing meanwhile (its devnet gone
 * with the terminal's Ctrl-C) finds nothing left to close twice.
 */
function onShutdown(logger: Logger, cleanups: Cleanup[], shutdown: AbortController): { done: Promise<void>; fail: (error: unknown) => void } {
  let stopping = false
  let resolveDone!: () => void
  const done = new Promise<void>((resolve) => {
    resolveDone = resolve
  })
  const stop = async (code: number) => {
    stopRequested = true
    shutdown.abort() // every stage holding the bag's signal stops now; the cleanups below wait for them
    await runCleanups(cleanups, logger)
    resolveDone()
    process.exit(code)
  }
  let signals = 0
  const handler = (signal: string) => {
    // a second signal exits at once; a stop request from a cluster primary is not a signal (see below)
    if (signal !== 'stop request' && signals++ > 0) process.exit(1)
    if (stopping) return
    stopping = true
    logger.info({ signal }, 'Shutting down')
    void stop(0)
  }
  // `on`, not `once`: a listener that removed itself left the devnet's signal hook alone, which then re-raised
  // the signal and killed the process mid-shutdown (exit 130 instead of 0); a second signal exits 1 above
  // a gateway worker of `serve --workers` stops when its primary asks (./serveCluster.ts); a signal it already got
  // (a terminal's Ctrl-C reaches the whole process group) has started the same shutdown: the request is then ignored
  if (cluster.isWorker) process.on('message', (message) => message === STOP_MESSAGE && handler('stop request'))
  process.on('SIGINT', () => handler('SIGINT'))
  process.on('SIGTERM', () => handler('SIGTERM'))
  const fail = (error: unknown) => {
    if (stopping) return
    stopping = true
    // a BaseError is a known condition (port in use, wrong chain): its message says it all, no stack
    if (error instanceof BaseError) {
      logger.fatal({ code: error.code }, `Stopping: ${error.shortMessage}`)
      process.stderr.write(`${redactText(error.message)}\n`)
    } else logger.fatal({ error }, 'Stopping: fatal error')
    void stop(1)
  }
  return { done, fail }
}

function openDb(config: Config): Promise<Db> {
  return createDb(
    config.databaseUrl ? { databaseUrl: config.databaseUrl, preparedStatements: config.preparedStatements } : { dataDir: join(config.dataDir, 'pglite') },
  )
}

/**
 * The gateway's database client: on PostgreSQL a pool of its own whose connections carry `statement_timeout` =
 * `limits.queryTimeoutMs` (the indexer's and verifier's writes never run under it); with PGlite (one instance per
 * directory) the process's one client, `shared`, where only the request deadline applies.
 */
async function openGatewayDb(config: Config, cleanups: Cleanup[], shared?: Db): Promise<Db> {
  if (!config.databaseUrl) return shared ?? closedOnShutdown(openDb(config), cleanups)
  const opening = createDb({
    databaseUrl: config.databaseUrl,
    migrate: shared === undefined,
    statementTimeoutMs: config.limits.queryTimeoutMs,
    preparedStatements: config.preparedStatements,
  })
  return closedOnShutdown(opening, cleanups)
}

/**
 * Registers the close of a database still opening: a shutdown meanwhile waits for the open, then closes it (PGlite
 * creating its directory must finish and be closed, or the directory may be left half-made).
 * @returns `opening`
 */
function closedOnShutdown(opening: Promise<Db>, cleanups: Cleanup[]): Promise<Db> {
  cleanups.push(async () => (await opening.catch(() => undefined))?.close())
  return opening
}

/**
 * {@link resolveChains} and the database at once: the embedded default's devnet (anvil starting, the contract
 * deployed: ~0.6 s of waiting on another process) overlaps PGlite's start (~1 s). The database's cleanup is
 * registered before it opens (a shutdown meanwhile waits for the open, then closes it: PGlite must be closed); when
 * either fails, both are waited for, what did open is closed, and the first error is thrown (the other is logged).
 */
async function openChainsAndDb(config: Config, logger: Logger, cleanups: Cleanup[], shutdown: AbortSignal): Promise<[ResolvedChain[], Db]> {
  const opening = closedOnShutdown(openDb(config), cleanups)
  const [chains, db] = await Promise.allSettled([resolveChains(config, logger, cleanups, shutdown), opening])
  if (chains.status === 'fulfilled' && db.status === 'fulfilled') return [chains.value, db.value]
  // a shutdown under way closes what opened; its own error (e.g. the devnet gone with a terminal's Ctrl-C) is not ours
  if (shutdown.aborted) throw chains.status === 'rejected' ? chains.reason : (db as PromiseRejectedResult).reason
  if (chains.status === 'rejected' && db.status === 'rejected') logger.error({ error: db.reason }, 'The database did not open either')
  await runCleanups(cleanups, logger)
  throw chains.status === 'rejected' ? chains.reason : (db as PromiseRejectedResult).reason
}

/**
 * Starts the devnet and workload when no chain is configured; returns the chains to index. The live workload stops
 * sending at `shutdown` (a terminal's Ctrl-C has already stopped anvil: it would go on failing until its cleanup).
 */
async function resolveChains(config: Config, logger: Logger, cleanups: Cleanup[], shutdown: AbortSignal): Promise<ResolvedChain[]> {
  if (config.chains.length) return config.chains.map((c) => ({ ...c, ephemeral: false }))
  // loaded here, not at the top: a command with chains configured never pays for the devnet's modules
  const { startDevnet } = await import('../devnet/index.js')
  const { createWorkload } = await import('../devnet/workload.js')
  const devnet = await startDevnet({ port: config.devnet?.port ?? 8545, blockTime: config.devnet?.blockTimeS })
  cleanups.push(() => devnet.stop())
  logger.info({ rpc_url: devnet.rpcUrl, contract: devnet.address, chain_id: devnet.chainId }, 'Devnet running the Sign Protocol contract')
  if (config.devnet?.workload !== false) {
    const workload = createWorkload({ rpcUrl: devnet.rpcUrl, address: devnet.address, logger })
    await workload.seedScenario()
    const controller = new AbortController()
    const live = workload
      .runLive({ intervalMs: 2_000, signal: AbortSignal.any([controller.signal, shutdown]) })
      .catch((error) => logger.error({ error }, 'Workload stopped'))
    cleanups.push(async () => {
      controller.abort()
      await live
    })
  }
  return [
    {
      name: 'devnet',
      chainId: devnet.chainId,
      rpcUrls: [devnet.rpcUrl],
      wsUrl: devnet.wsUrl,
      contract: devnet.address as Address,
      multicall3: devnet.multicall3,
      startBlock: devnet.deployBlock,
      confirmations: 0,
      maxBlockRange: 2_000,
      pollIntervalMs: 1_000,
      ephemeral: true,
    },
  ]
}

async function openNotifier(config: Config, logger: Logger, cleanups: Cleanup[]) {
  const notifier = await createJournalNotifier({ kind: config.pubsub, databaseUrl: config.databaseUrl, redisUrl: config.redisUrl, logger })
  cleanups.push(() => notifier.close())
  return notifier
}

/** Starts the indexer; a chain that refuses to run (wrong chain id) stops the process through `fail`. */
async function startIndexer(config: Config, db: Db, chains: ResolvedChain[], command: Command, onCommit?: (seq: string) => void) {
  const { common, logger, cleanups } = command
  for (const chain of chains.filter((c) => c.ephemeral)) {
    const removed = await resetChain(db.prisma, chain.chainId)
    if (removed) logger.info({ chain_id: chain.chainId, attestations: removed }, "Fresh devnet: removed the previous run's rows for its chain id")
  }
  const progress = createProgressReporter(logger)
  const indexer = createIndexer({
    prisma: db.prisma,
    chains,
    common,
    databaseUrl: config.databaseUrl,
    parallelRanges: config.limits.parallelRanges,
    deferIndexes: config.deferIndexes,
    writer: db.writer,
    stallAfterFailures: config.limits.stallAfterFailures,
    onProgress: progress.onProgress,
    onCommit: (e) => e.lastSeq !== null && onCommit?.(e.lastSeq.toString()),
  })
  const running = indexer.run()
  running.catch(command.fail)
  cleanups.push(async () => {
    indexer.stop()
    await running.catch(() => {})
    progress.stop()
  })
  return indexer
}

/** Verifier workers when neither `--verifiers` nor `VERIFIERS` says otherwise. */
const DEFAULT_VERIFIERS = 2

/**
 * Starts the verify stage's workers (and its re-check scheduler) in this process; stopped on shutdown. `wakeOn`:
 * see `CreateVerifierParameters.wakeOn` (`verify` wakes on the journal notifier; `start` calls `notify()` itself).
 */
function startVerifier(
  config: Config,
  db: Db,
  common: Common,
  cleanups: Cleanup[],
  onCommit?: (seq: string) => void,
  wakeOn?: (wake: () => void) => () => void,
): Verifier {
  const verifier = createVerifier({
    prisma: db.prisma,
    common,
    workers: config.verifiers ?? DEFAULT_VERIFIERS,
    onCommit: (e) => onCommit?.(e.lastSeq.toString()),
    wakeOn,
  })
  const running = verifier.run()
  cleanups.push(async () => {
    verifier.stop()
    await running
  })
  return verifier
}

/** Starts the GraphQL server; a failure to listen (port in use) stops the command through `fail` (cleanups, exit 1). */
async function listenOrFail(command: Command, ...args: Parameters<typeof startGatewayServer>): Promise<Awaited<ReturnType<typeof startGatewayServer>>> {
  try {
    const { startGatewayServer } = await import('../gateway/index.js')
    return await startGatewayServer(...args)
  } catch (error) {
    command.fail(error)
    return new Promise(() => {}) // `fail` exits the process once the cleanups ran
  }
}

/**
 * A running command's dependency bag (and its logger, for short), the cleanup list run on shutdown, the promise that
 * resolves then, and `fail`.
 */
type Command = { common: Common; logger: Logger; cleanups: Cleanup[]; done: Promise<void>; fail: (error: unknown) => void }

/**
 * Every command's start: the composition root of the process. Makes the one dependency bag (logger at the configured
 * level, the process's metrics, the shutdown signal that {@link onShutdown} aborts, the system clock), logs the
 * configuration's deprecations, installs the shutdown handlers.
 */
function beginCommand(config: Config): Command {
  const logger = createLogger({ level: config.logLevel })
  warnDeprecations(config, logger)
  const shutdown = new AbortController()
  const common = createCommon({ logger, signal: shutdown.signal })
  // without a database URL the command runs PGlite in this process (`devnet`, which opens none, reads the same way)
  const memoryBudget = createMemoryBudget({ budgetMiB: config.limits.memoryBudgetMiB, logger, wasmDatabase: !config.databaseUrl })
  const cleanups: Cleanup[] = [() => memoryBudget.stop()]
  return { common, logger, cleanups, ...onShutdown(logger, cleanups, shutdown) }
}

/** The gateway with the configured limits (page size, subscriptions, cost, deadline, in-flight, sizes), GraphiQL and CORS settings. */
async function createConfiguredGateway(config: Config, db: Db, common: Common, readMetrics?: () => Promise<string>) {
  // the gateway's modules (yoga, Pothos, graphql-js: ~50 MB resident) load only in a command that serves
  const { createGateway } = await import('../gateway/index.js')
  const { maxPageSize, maxSubscriptions, maxSubscriptionsPerConnection, maxComplexity, queryTimeoutMs, maxInFlight, maxQueued, maxRequestBytes } = config.limits
  const { graphiql, corsOrigins } = config.server
  return createGateway({
    prisma: db.prisma,
    pingDatabase: db.ping,
    common,
    graphiql,
    corsOrigins,
    maxPageSize,
    maxSubscriptions,
    maxSubscriptionsPerConnection,
    maxComplexity,
    queryTimeoutMs,
    maxInFlight,
    maxQueued,
    maxRequestBytes,
    readMetrics,
  })
}

/** `start`: index + verify + serve; the embedded default when no chain is configured. */
export async function runStart(config: Config): Promise<void> {
  const command = beginCommand(config)
  const { logger, cleanups, done } = command
  if (config.server.workers > 1) logger.warn({ workers: config.server.workers }, 'server.workers applies to `serve` only: `start` serves from this one process')
  const [chains, db] = await openChainsAndDb(config, logger, cleanups, command.common.signal)
  const notifier = await openNotifier(config, logger, cleanups)
  const publish = (seq: string) => void notifier.publish(seq).catch(() => {})
  const verifier = startVerifier(config, db, command.common, cleanups, publish)
  // the indexer first: building the gateway (loading yoga, Pothos and graphql-js, the schema) is ~0.4 s the
  // backfill need not wait for; the gateway's journal starts from the journal's head and serves nothing before listening
  const indexer = await startIndexer(config, db, chains, command, (seq) => {
    publish(seq)
    verifier.notify()
  })
  const gateway = await createConfiguredGateway(config, await openGatewayDb(config, cleanups, db), command.common)
  cleanups.push(() => gateway.close())
  notifier.subscribe(() => gateway.journal.notify())
  const server = await listenOrFail(command, { gateway, port: config.server.port, host: config.server.host, isReady: () => indexer.isReady() })
  cleanups.push(() => server.close())
  logger.info(
    { graphql_url: server.url, rpc_urls: chains.map((c) => redactUrl(c.rpcUrls[0]!)), contracts: chains.map((c) => c.contract), database: db.kind },
    'Sign indexer running',
  )
  process.stdout.write(
    `\n  GraphQL   ${server.url}  (GraphiQL in a browser)\n${chains.map((c) => `  Chain     ${c.name} (${c.chainId})  RPC ${redactUrl(c.rpcUrls[0]!)}  contract ${c.contract}\n`).join('')}  Database  ${db.kind === 'pglite' ? `PGlite in ${join(config.dataDir, 'pglite')}` : 'PostgreSQL'}\n\n`,
  )
  await done
}

/** `index`: indexing only. */
export async function runIndex(config: Config): Promise<void> {
  const command = beginCommand(config)
  const { logger, cleanups, done } = command
  const [chains, db] = await openChainsAndDb(config, logger, cleanups, command.common.signal)
  const notifier = await openNotifier(config, logger, cleanups)
  await startIndexer(config, db, chains, command, (seq) => void notifier.publish(seq).catch((error) => logger.warn({ error }, 'Journal notification failed')))
  await done
}

/**
 * `verify`: the verify stage's workers only (other processes index and serve); `--verifiers` of them. Its workers
 * wake on the journal notifier (`--pubsub`, postgres by default with a database URL): the indexer publishes after
 * every commit, and that commit holds the new jobs; the 1 s idle poll stays as the fallback (`--pubsub none`, a
 * lost notification).
 */
export async function runVerify(config: Config): Promise<void> {
  const { common, logger, cleanups, done } = beginCommand(config)
  const db = await closedOnShutdown(openDb(config), cleanups)
  const notifier = await openNotifier(config, logger, cleanups)
  startVerifier(
    config,
    db,
    common,
    cleanups,
    (seq) => void notifier.publish(seq).catch((error) => logger.warn({ error }, 'Journal notification failed')),
    (wake) => notifier.subscribe(() => wake()),
  )
  await done
}

/**
 * `serve`: GraphQL only (another process indexes). With `server.workers` above 1, this process is the primary of a
 * node:cluster gateway (./serveCluster.ts) and each worker it forks runs this function again as one gateway process.
 * @throws {ConfigError} for more than one worker without PostgreSQL (PGlite's database belongs to one process)
 */
export async function runServe(config: Config): Promise<void> {
  if (config.server.workers > 1 && cluster.isPrimary) {
    if (!config.databaseUrl)
      throw new ConfigError([
        `server.workers: ${config.server.workers} gateway workers need PostgreSQL (--database-url); PGlite's database belongs to one process`,
      ])
    process.exit(await runServePrimary(config.server.workers, createLogger({ level: config.logLevel })))
  }
  const command = beginCommand(config)
  const { logger, cleanups, done } = command
  const db = await openGatewayDb(config, cleanups)
  const readMetrics = cluster.isWorker ? createClusterMetricsReader(command.common.metrics.registry) : undefined
  const gateway = await createConfiguredGateway(config, db, command.common, readMetrics)
  cleanups.push(() => gateway.close())
  const notifier = await openNotifier(config, logger, cleanups)
  notifier.subscribe(() => gateway.journal.notify())
  const server = await listenOrFail(command, { gateway, port: config.server.port, host: config.server.host })
  cleanups.push(() => server.close())
  // the pid tells the workers of `serve --workers` apart (the log lines carry no pid otherwise)
  logger.info({ graphql_url: server.url, pid: process.pid }, 'GraphQL gateway running')
  await done
}

/** `migrate`: apply pending migrations and exit. */
export async function runMigrate(config: Config): Promise<void> {
  const logger = createLogger({ level: config.logLevel })
  if (config.databaseUrl) {
    const applied = await applyMigrations({ kind: 'postgres', url: config.databaseUrl })
    logger.info({ applied }, applied.length ? 'Migrations applied' : 'Database is up to date')
  } else {
    const db = await createDb({ dataDir: join(config.dataDir, 'pglite') }) // applies pending migrations
    await db.close()
    logger.info({ data_dir: config.dataDir }, 'Embedded database is up to date')
  }
  process.exit(0)
}

/** `devnet`: anvil + contract + workload, no indexing. */
export async function runDevnet(config: Config): Promise<void> {
  const { common, logger, cleanups, done } = beginCommand(config)
  const chains = await resolveChains({ ...config, chains: [] }, logger, cleanups, common.signal)
  process.stdout.write(`\n  RPC       ${redactUrl(chains[0]!.rpcUrls[0]!)}\n  Contract  ${chains[0]!.contract}\n  Chain id  ${chains[0]!.chainId}\n\n`)
  await done
}
