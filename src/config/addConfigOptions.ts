/**
 * The configuration flags shared by every `sign-indexer` subcommand. They are registered as plain strings: parsing and
 * validation happen once, in `loadConfig`/`parseConfig`, so a bad flag is reported together with every other problem.
 */
import type { Command } from 'commander'
import { describeKnownChains } from './deployments.js'

/** Commander collector for repeatable options: `--chain a --chain b` → `['a', 'b']`. */
function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value]
}

/**
 * Registers the configuration flags on `command` (see `ConfigFlags` for what each one yields) and returns it for
 * chaining. Help texts name the matching environment variable and the default. Pass the resulting `command.opts()`
 * (or the action's options argument) to `loadConfig({ flags })`.
 *
 * @example addConfigOptions(program.command('start')).action((flags) => loadConfig({ flags }))
 */
export function addConfigOptions(command: Command): Command {
  return command
    .option('--config <path>', 'JSON config file (env SIGN_INDEXER_CONFIG); flags and env override it')
    .option('--chain <name|id>', `index a built-in Sign Protocol deployment; repeatable or comma-separated. Known: ${describeKnownChains()}`, collect)
    .option(
      '--rpc-url <url>',
      'JSON-RPC endpoint, http(s):// or ws(s)://, of the selected chain; repeat for fallbacks (env RPC_URL_<CHAINID> or RPC_URL_<NAME>, e.g. RPC_URL_8453, RPC_URL_BASE_SEPOLIA)',
      collect,
    )
    .option('--ws-url <url>', 'ws(s):// endpoint of the selected chain, used to follow new heads')
    .option('--chain-id <id>', 'chain id of an explicit chain, given with --rpc-url, --contract and --start-block')
    .option('--contract <address>', 'Sign Protocol proxy address (explicit chain, or overrides the built-in one)')
    .option('--start-block <block>', 'first block to scan (explicit chain, or overrides the built-in one)')
    .option('--confirmations <blocks>', "finality depth for every chain when the node has no 'finalized' tag (env CONFIRMATIONS; default per chain)")
    .option(
      '--pubsub <kind>',
      'how gateway replicas hear of new journal entries: none | postgres | redis (env PUBSUB; default postgres with a database URL, else none)',
    )
    .option('--redis-url <url>', 'Redis URL for --pubsub redis (env REDIS_URL)')
    .option('--database-url <url>', 'PostgreSQL URL (env DATABASE_URL); default: embedded PGlite in <data-dir>/pglite')
    .option('--data-dir <path>', 'directory for local state (env DATA_DIR; default ./data)')
    .option('--port <port>', 'GraphQL server port, 0 for any free port (env PORT; default 4000)')
    .option('--host <host>', 'GraphQL server interface (env HOST; default 127.0.0.1, this machine only; 0.0.0.0 serves the network)')
    .option(
      '--cors-origin <origin>',
      'browser origin allowed to call the gateway, repeatable or comma-separated; * for any, none for no cross-origin access; never with credentials (env CORS_ORIGINS; default *)',
      collect,
    )
    .option('--log-level <level>', 'fatal, error, warn, info, debug or trace (env LOG_LEVEL; default info)')
    .option('--verifiers <n>', 'verifier workers in this process, 0 to run none (env VERIFIERS; default 2)')
    .option('--graphiql', 'serve GraphiQL on the GraphQL endpoint (default)')
    .option('--no-graphiql', 'do not serve GraphiQL')
}
