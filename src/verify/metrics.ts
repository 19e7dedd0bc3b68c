/**
 * TRANSITIONAL re-export: the verify stage's metrics live in common/metrics.ts#createMetrics with the others.
 */
export { verificationJobsTotal, verificationRechecksTotal, verificationStatusChangesTotal } from '../common/metrics.js'
