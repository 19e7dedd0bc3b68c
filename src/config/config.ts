/**
 * Configuration: parse and validate once into a frozen, typed {@link Config}; one `ConfigError` lists every problem.
 *
 * - `deployments.ts`: the built-in production Sign Protocol proxies (`getDeployment`).
 * - `parseConfig.ts`: the shapes, defaults and the single validation pass (`parseConfig`).
 * - `loadConfig.ts`: file < env < flags merging (`loadConfig`).
 * - `addConfigOptions.ts`: the commander flags (`addConfigOptions`).
 * - `warnDeprecations.ts`: the one warning per renamed key the CLI logs (`warnDeprecations`).
 */
export { addConfigOptions } from './addConfigOptions.js'
export { DEPLOYMENTS, getDeployment, MULTICALL3_ADDRESS, rpcUrlEnvNames, type Deployment } from './deployments.js'
export { type ConfigFlags, loadConfig, type LoadConfigParameters } from './loadConfig.js'
export {
  type ChainConfig,
  type Config,
  type ConfigDeprecation,
  defaultReadyLagBlocks,
  defaultReadyStaleMs,
  LOG_LEVELS,
  type LogLevel,
  MAX_BLOCK_RANGE,
  parseConfig,
  type ParseConfigOptions,
  POLL_INTERVAL_MS,
  type RawChainInput,
  type RawConfigInput,
  RPC_TIMEOUT_MS,
  STALL_AFTER_FAILURES,
} from './parseConfig.js'
export { warnDeprecations } from './warnDeprecations.js'
