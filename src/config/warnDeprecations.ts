import type { Logger } from '../common/logger.js'
import type { Config } from './parseConfig.js'

/**
 * Logs one warning per deprecated key the configuration used (`Config.deprecations`, filled by parseConfig), with
 * `key` and `replacement` fields, so an operator sees what to rename. Called once per command, by the CLI.
 */
export function warnDeprecations(config: Config, logger: Pick<Logger, 'warn'>): void {
  for (const d of config.deprecations ?? []) logger.warn({ key: d.key, replacement: d.replacement }, d.message)
}
