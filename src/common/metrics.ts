/**
 * Prometheus metrics (prom-client). `createMetrics` makes one set on one registry; the CLI's composition root makes
 * one per process and hands it to every stage in its dependency bag (common.ts; tests make their own, so no test sees
 * another's counts). The gateway
 * serves the registry on `/metrics`. Units are in the names (seconds, blocks, totals).
 */
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client'

/**
 * Creates every metric of the indexer, gateway and verifier on `registry` (a new one by default), with Node's default
 * process metrics. Returns the registry and the metrics by name; `Metrics` is its type.
 */
export function createMetrics(registry: Registry = new Registry()) {
  collectDefaultMetrics({ register: registry })
  const headBlock = new Gauge({
    name: 'sign_indexer_head_block',
    help: 'Latest block number seen on the chain',
    labelNames: ['chain_id'],
    registers: [registry],
  })
  const indexedBlock = new Gauge({
    name: 'sign_indexer_indexed_block',
    help: 'Last block committed (checkpoint)',
    labelNames: ['chain_id'],
    registers: [registry],
  })
  const lagBlocks = new Gauge({ name: 'sign_indexer_lag_blocks', help: 'Head block minus indexed block', labelNames: ['chain_id'], registers: [registry] })
  const eventsTotal = new Counter({
    name: 'sign_indexer_events_total',
    help: 'Contract events committed, by kind',
    labelNames: ['chain_id', 'kind'],
    registers: [registry],
  })
  const rpcRequestDuration = new Histogram({
    name: 'sign_indexer_rpc_request_duration_seconds',
    help: 'JSON-RPC action latency by method',
    labelNames: ['method'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  })
  const rpcErrors = new Counter({
    name: 'sign_indexer_rpc_errors_total',
    help: 'JSON-RPC failures by method and error code',
    labelNames: ['method', 'code'],
    registers: [registry],
  })
  const dbCommitDuration = new Histogram({
    name: 'sign_indexer_db_commit_duration_seconds',
    help: 'Duration of one ingest transaction (rows + journal + checkpoint)',
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  })

  // GraphQL gateway (src/gateway). `operation` is query | mutation | subscription | unknown; `status` is
  // ok | error (the result carried errors) | rejected (parse/validation failed, e.g. graphql-armor limits).
  const graphqlRequests = new Counter({
    name: 'sign_indexer_graphql_requests_total',
    help: 'GraphQL operations by operation type and outcome',
    labelNames: ['operation', 'status'],
    registers: [registry],
  })
  const graphqlRequestDuration = new Histogram({
    name: 'sign_indexer_graphql_request_duration_seconds',
    help: 'GraphQL execution time by operation type (subscriptions: until the source stream is set up)',
    labelNames: ['operation'],
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  })
  const journalSeq = new Gauge({
    name: 'sign_indexer_journal_seq',
    help: 'Last journal (Event) seq fanned out to subscribers',
    registers: [registry],
    aggregator: 'max', // gateway workers (serve --workers) each fan out the same journal: the furthest one, not a sum
  })
  const subscriptionsActive = new Gauge({
    name: 'sign_indexer_subscriptions_active',
    help: 'Journal subscribers currently attached',
    registers: [registry],
  })
  const liveSubscribers = new Gauge({
    name: 'sign_indexer_live_subscribers',
    help: 'Client subscriptions this gateway serves (each subscriber of a shared execution counts)',
    registers: [registry],
  })
  const subscriptionExecutions = new Gauge({
    name: 'sign_indexer_subscription_executions',
    help: 'GraphQL executions serving live subscriptions (identical ones share one; a resumed one runs alone until it merges)',
    registers: [registry],
  })
  const subscriptionOverflows = new Counter({
    name: 'sign_indexer_subscription_overflows_total',
    help: 'Subscribers disconnected because their bounded buffer overflowed',
    registers: [registry],
  })
  const reorgsTotal = new Counter({
    name: 'sign_indexer_reorgs_total',
    help: 'Reorgs detected and rolled back',
    labelNames: ['chain_id'],
    registers: [registry],
  })
  const rpcRetries = new Counter({
    name: 'sign_indexer_rpc_retries_total',
    help: 'JSON-RPC retries by method and failure kind',
    labelNames: ['method', 'kind'],
    registers: [registry],
  })
  const rpcConcurrency = new Gauge({
    name: 'sign_indexer_rpc_concurrency',
    help: 'Current adaptive (AIMD) JSON-RPC concurrency limit',
    labelNames: ['chain_id'],
    registers: [registry],
  })
  const multicallFallbackReads = new Counter({
    name: 'sign_indexer_multicall_fallback_reads_total',
    help: 'Records read with plain eth_call instead of Multicall3 aggregate3, by reason (no_code: no code at the Multicall3 address at the block; bad_result: its answer was not an aggregate3 result)',
    labelNames: ['chain_id', 'reason'],
    registers: [registry],
  })
  const chainConsecutiveFailures = new Gauge({
    name: 'sign_indexer_chain_consecutive_failures',
    help: 'Sync steps of the chain that failed in a row (0 once a step succeeds)',
    labelNames: ['chain_id'],
    registers: [registry],
  })
  const newHeadsActive = new Gauge({
    name: 'sign_indexer_new_heads_active',
    help: '1 while the chain follows the head by a live newHeads subscription (WebSocket), 0 while it follows by polling',
    labelNames: ['chain_id'],
    registers: [registry],
  })
  const newHeadsFallbacks = new Counter({
    name: 'sign_indexer_new_heads_fallbacks_total',
    help: 'Times the chain fell back from newHeads to polling, by reason (connect: no WebSocket; refused: eth_subscribe refused; dropped: socket closed; silent: no pong)',
    labelNames: ['chain_id', 'reason'],
    registers: [registry],
  })
  const chainStalled = new Gauge({
    name: 'sign_indexer_chain_stalled',
    help: '1 while the chain is stalled (limits.stallAfterFailures failures in a row, or the RPC node is on another chain), else 0',
    labelNames: ['chain_id'],
    registers: [registry],
  })

  // load shedding (src/gateway/loadShedding.ts)
  const graphqlShedTotal = new Counter({ name: 'sign_indexer_graphql_shed_total', help: 'GraphQL requests refused with 503 OVERLOADED', registers: [registry] })
  const graphqlInFlight = new Gauge({
    name: 'sign_indexer_graphql_in_flight',
    help: 'GraphQL requests being worked on (holding a slot)',
    registers: [registry],
  })

  // executor of each query/mutation (src/gateway/useCompiledQueries.ts): compiled (graphql-jit) or reference
  const graphqlExecutions = new Counter({
    name: 'sign_indexer_graphql_executions_total',
    help: 'Query and mutation executions by executor: compiled (graphql-jit) or reference (subscriptions, variables that do not coerce, documents graphql-jit cannot compile)',
    labelNames: ['executor'],
    registers: [registry],
  })

  const verificationJobsTotal = new Counter({
    name: 'sign_indexer_verification_jobs_total',
    help: 'Verification jobs done, and batches that failed and were parked',
    labelNames: ['result'],
    registers: [registry],
  })
  const verificationStatusChangesTotal = new Counter({
    name: 'sign_indexer_verification_status_changes_total',
    help: 'Verdicts whose status or reasons changed (STATUS_CHANGED journal entries), by new status',
    labelNames: ['status'],
    registers: [registry],
  })
  const verificationRechecksTotal = new Counter({
    name: 'sign_indexer_verification_rechecks_total',
    help: 'RECHECK jobs queued by the scheduler (expiry, confirmations, finality)',
    registers: [registry],
  })

  return {
    registry,
    headBlock,
    indexedBlock,
    lagBlocks,
    eventsTotal,
    rpcRequestDuration,
    rpcErrors,
    dbCommitDuration,
    graphqlRequests,
    graphqlRequestDuration,
    graphqlShedTotal,
    graphqlInFlight,
    graphqlExecutions,
    journalSeq,
    subscriptionsActive,
    liveSubscribers,
    subscriptionExecutions,
    subscriptionOverflows,
    reorgsTotal,
    rpcRetries,
    rpcConcurrency,
    multicallFallbackReads,
    chainConsecutiveFailures,
    chainStalled,
    newHeadsActive,
    newHeadsFallbacks,
    verificationJobsTotal,
    verificationStatusChangesTotal,
    verificationRechecksTotal,
  }
}

/** The metrics of one process (or one test): see createMetrics. */
export type Metrics = ReturnType<typeof createMetrics>
