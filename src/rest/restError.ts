/**
 * An expected failure of the SignScan-compatible index API: sent as a non-2xx answer in SignScan's envelope,
 * `{ success: false, statusCode, code, message, data: null }`. `code` uses the gateway's GraphQL vocabulary
 * (`extensions.code`): BAD_USER_INPUT, NOT_FOUND, METHOD_NOT_ALLOWED, OVERLOADED (503), QUERY_TIMEOUT (504),
 * INTERNAL_SERVER_ERROR.
 */
import { BaseError } from '../errors/baseError.js'

export class RestError extends BaseError {
  /** HTTP status, 4xx for the caller's mistakes */
  readonly status: number
  /** extra machine-readable facts for the client (e.g. `{ parameter: 'page' }`) */
  readonly extensions: Record<string, unknown>

  constructor(status: number, code: string, message: string, extensions: Record<string, unknown> = {}) {
    super(message, { code })
    this.status = status
    this.extensions = extensions
  }
}
