import { pino, stdSerializers, type Logger } from 'pino'

export type { Logger }

/**
 * Creates the process logger (pino, JSON lines on stdout; level from `LOG_LEVEL`, default `info`).
 * Log keys follow one vocabulary: chain_id, block_number, from_block, to_block, attestation_id, duration_ms, error.
 */
export function createLogger(opts: { level?: string; name?: string } = {}): Logger {
  return pino({
    name: opts.name ?? 'sign-indexer',
    level: opts.level ?? process.env.LOG_LEVEL ?? 'info',
    base: undefined,
    serializers: { error: stdSerializers.err },
  })
}

/** A logger that drops everything (tests, benchmarks). */
export function createSilentLogger(): Logger {
  return pino({ level: 'silent' })
}
