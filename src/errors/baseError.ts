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

  constructor(shortMessage: string, opts: { code: string; retryable?: boolean; details?: string; cause?: unknown } = { code: 'INTERNAL' }) {
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

/**
 * The RPC node serves another chain than the one configured (`eth_chainId`, EIP-695, differs from the chain id):
 * indexing it would store another chain's data under this chain id. Not retryable as such; the stage loop refuses to
 * start (exit 1) when the first answer differs, and stalls the chain (no commit) when a later one does, e.g. after a
 * reconnect or a fail-over to a wrongly configured node.
 */
export class ChainIdMismatchError extends BaseError {
  readonly expected: number
  readonly actual: number
  constructor(opts: { expected: number; actual: number; name: string }) {
    super(`The RPC node answers eth_chainId ${opts.actual}, but chain "${opts.name}" is configured as chain id ${opts.expected}`, {
      code: 'CHAIN_ID_MISMATCH',
      details: `Refusing to index chain ${opts.actual}'s data as chain ${opts.expected}: point the RPC URL (--rpc-url, RPC_URL_${opts.expected}) at a node of chain ${opts.expected}, or fix the chain id (--chain-id).`,
    })
    this.expected = opts.expected
    this.actual = opts.actual
  }
}
