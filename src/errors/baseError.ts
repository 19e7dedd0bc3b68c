/**
 * Base of every error this project throws on purpose.
 *
 * - `code`: stable machine-readable identifier (also exposed as GraphQL `extensions.code`).
 * - `retryable`: whether the stage loop may retry the operation that failed.
 * - `shortMessage`: one human sentence; `details`: extra context; `cause`: the underlying error.
 */
export class BaseError extends Error {
  readonly code: string
  readonly retryable: boolean
  readonly shortMessage: string
  readonly details?: string

  constructor(
    shortMessage: string,
    opts: { code: string; retryable?: boolean; details?: string; cause?: unknown } = { code: 'INTERNAL' },
  ) {
    super(opts.details ? `${shortMessage}\n\nDetails: ${opts.details}` : shortMessage, { cause: opts.cause })
    this.name = new.target.name
    this.code = opts.code
    this.retryable = opts.retryable ?? false
    this.shortMessage = shortMessage
    this.details = opts.details
  }
}

/** Configuration could not be parsed; `problems` lists every invalid value at once. */
export class ConfigError extends BaseError {
  readonly problems: string[]
  constructor(problems: string[]) {
    super('Invalid configuration', { code: 'CONFIG_INVALID', details: problems.map((p) => `- ${p}`).join('\n') })
    this.problems = problems
  }
}

/** A database operation (migration, commit) failed. */
export class DatabaseError extends BaseError {
  constructor(shortMessage: string, opts: { cause?: unknown; details?: string; retryable?: boolean } = {}) {
    super(shortMessage, { code: 'DATABASE', ...opts })
  }
}

/** A JSON-RPC request failed; `retryable` tells whether a retry may help (timeouts, 429, 5xx). */
export class RpcError extends BaseError {
  readonly method: string
  constructor(method: string, shortMessage: string, opts: { cause?: unknown; details?: string; retryable?: boolean } = {}) {
    super(`${method}: ${shortMessage}`, { code: 'RPC', retryable: true, ...opts })
    this.method = method
  }
}

/** A log or record could not be decoded; stored raw with this reason, never fatal. */
export class DecodeError extends BaseError {
  constructor(shortMessage: string, opts: { cause?: unknown; details?: string } = {}) {
    super(shortMessage, { code: 'DECODE', ...opts })
  }
}
