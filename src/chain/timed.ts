import { rpcErrors, rpcRequestDuration } from '../common/metrics.js'

/**
 * Runs one RPC action and records its latency (`sign_indexer_rpc_request_duration_seconds{method}`) and
 * failures (`sign_indexer_rpc_errors_total{method,code}`). Rethrows the error unchanged.
 */
export async function timed<T>(method: string, fn: () => Promise<T>): Promise<T> {
  const end = rpcRequestDuration.startTimer({ method })
  try {
    return await fn()
  } catch (error) {
    rpcErrors.inc({ method, code: String((error as { code?: unknown })?.code ?? (error as Error)?.name ?? 'unknown') })
    throw error
  } finally {
    end()
  }
}
