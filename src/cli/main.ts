/**
 * `sign-indexer` — one binary, several subcommands:
 *   start    index every configured chain, verify and serve GraphQL (no chain configured: the embedded devnet default)
 *   index    index only            serve    serve GraphQL only         migrate  apply database migrations
 *   verify   verifier workers only (the verify stage as its own process)
 *   devnet   anvil + the real Sign Protocol contract + a live workload, nothing else
 * Configuration comes from flags, environment and an optional JSON file, validated once (src/config).
 */
import { Command } from 'commander'
import { createLogger } from '../common/logger.js'
import { redactText } from '../common/redactUrl.js'
import { addConfigOptions, loadConfig } from '../config/config.js'
import type { Config } from '../config/config.js'
import { BaseError } from '../errors/baseError.js'
import { isShuttingDown, runDevnet, runIndex, runMigrate, runServe, runStart, runVerify } from './commands.js'

const program = new Command('sign-indexer').description('Index Sign Protocol attestations into PostgreSQL and serve them over GraphQL').showHelpAfterError()

function subcommand(name: string, description: string, action: (config: Config) => Promise<void>) {
  const cmd = program.command(name).description(description)
  addConfigOptions(cmd)
  cmd.action(async (flags) => {
    const config = await loadConfig({ flags, env: process.env, cwd: process.cwd() })
    await action(config)
  })
  return cmd
}

subcommand('start', 'index the configured chains, verify attestations and serve GraphQL (embedded devnet + PGlite when no chain is configured)', runStart)
subcommand('index', 'index the configured chains (no GraphQL server)', runIndex)
subcommand('serve', 'serve GraphQL from the database (no indexing)', runServe).option(
  '--workers <n>',
  'gateway processes sharing the port (node:cluster; PostgreSQL only; env GATEWAY_WORKERS; default 1)',
)
subcommand('verify', 'run verifier workers (--verifiers, default 2) on the database: the verify stage as its own process', runVerify)
subcommand('migrate', 'apply pending database migrations and exit', runMigrate)
subcommand('devnet', 'run anvil with the real Sign Protocol contract and a live workload', runDevnet)

try {
  await program.parseAsync(process.argv)
} catch (error) {
  const logger = createLogger()
  // a start-up step ended by a terminal's Ctrl-C (it stopped the devnet's anvil too) can fail before the signal's
  // handler has run: a moment's grace, then a shutdown under way runs the cleanups and exits (0 after a signal)
  await new Promise((resolve) => setTimeout(resolve, 100))
  if (isShuttingDown()) {
    logger.debug({ error }, 'Start-up ended by the shutdown')
    await new Promise(() => {})
  }
  if (error instanceof BaseError) {
    process.stderr.write(`${redactText(error.message)}\n`)
  } else logger.fatal({ error }, 'Fatal error')
  process.exit(1)
}
