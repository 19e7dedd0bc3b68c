/**
 * Prometheus metrics of the verify stage, on the process registry (served on `/metrics` by the gateway).
 */
import { Counter } from 'prom-client'
import { registry } from '../common/metrics.js'

export const verificationJobsTotal = new Counter({
  name: 'sign_indexer_verification_jobs_total',
  help: 'Verification jobs done, and batches that failed and were parked',
  labelNames: ['result'],
  registers: [registry],
})
export const verificationStatusChangesTotal = new Counter({
  name: 'sign_indexer_verification_status_changes_total',
  help: 'Verdicts whose status or reasons changed (STATUS_CHANGED journal entries), by new status',
  labelNames: ['status'],
  registers: [registry],
})
export const verificationRechecksTotal = new Counter({
  name: 'sign_indexer_verification_rechecks_total',
  help: 'RECHECK jobs queued by the scheduler (expiry, confirmations, finality)',
  registers: [registry],
})
