import { type DestinationStream, pino, stdSerializers, type Logger } from 'pino'
import { redactText } from './redactUrl.js'

export type { Logger }

/**
 * Creates the process logger (pino, JSON lines on stdout; level from `LOG_LEVEL`, default `info`).
 * Log keys follow one vocabulary: chain_id, block_number, from_block, to_block, attestation_id, duration_ms, error.
 *
 * Every line is passed through {@link redactText} just before it is written (pino `hooks.streamWrite`), so a URL's
 * credentials, query string and key-like path segments never reach the output, wherever the URL sits: a field, an
 * error's `message`, `stack` or `url` (viem keeps the full RPC URL there), a nested `cause`, the message itself.
 */
export function createLogger(opts: { level?: string; name?: string /** default stdout */; destination?: DestinationStream } = {}): Logger {
  const options = {
    name: opts.name ?? 'sign-indexer',
    level: opts.level ?? process.env.LOG_LEVEL ?? 'info',
    base: undefined,
    serializers: { error: stdSerializers.err },
    hooks: { streamWrite: redactText },
  }
  return opts.destination ? pino(options, opts.destination) : pino(options)
}

/** A logger that drops everything (tests, benchmarks). */
export function createSilentLogger(): Logger {
  return pino({ level: 'silent' })
}
