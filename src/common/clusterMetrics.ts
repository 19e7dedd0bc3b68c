/**
 * Prometheus metrics of a gateway run as several processes (`serve --workers N`, node:cluster): `/metrics` reaches
 * one worker, which asks the primary over the cluster's IPC channel; the primary gathers every worker's registry with
 * prom-client's `AggregatorRegistry.clusterMetrics()` (counters and histograms summed, gauges summed or as the
 * metric's own aggregator says) and answers. One scrape therefore sees the whole gateway, as with one process.
 */
import cluster from 'node:cluster'
import { AggregatorRegistry, type PrometheusContentType, type Registry } from 'prom-client'

const REQUEST = 'sign-indexer:cluster-metrics-request'
const RESPONSE = 'sign-indexer:cluster-metrics-response'

type Request = { type: typeof REQUEST; id: number }
type Response = { type: typeof RESPONSE; id: number; metrics?: string; error?: string }

/**
 * In the primary: answers every worker's request with the aggregated metrics of all workers.
 * @returns the aggregating registry (its `contentType` is the one to serve)
 */
export function serveClusterMetrics(): AggregatorRegistry<PrometheusContentType> {
  const aggregator = new AggregatorRegistry<PrometheusContentType>()
  cluster.on('message', (worker, message: Request) => {
    if (message?.type !== REQUEST) return
    aggregator.clusterMetrics().then(
      (metrics) => worker.isConnected() && worker.send({ type: RESPONSE, id: message.id, metrics } satisfies Response),
      (error: Error) => worker.isConnected() && worker.send({ type: RESPONSE, id: message.id, error: error.message } satisfies Response),
    )
  })
  return aggregator
}

/**
 * In a worker: makes its registry the one the primary aggregates, and returns the function `/metrics` calls.
 * @param registry the worker's registry (src/common/metrics.ts)
 * @param timeoutMs how long to wait for the primary (prom-client waits 5 s for the workers)
 * @returns the metrics of every worker as Prometheus text
 * @throws when the primary does not answer in time or a worker's registry fails
 */
export function createClusterMetricsReader(registry: Registry, timeoutMs = 7_000): () => Promise<string> {
  AggregatorRegistry.setRegistries([registry])
  new AggregatorRegistry() // installs the worker's listener that hands its registry to the primary
  const pending = new Map<number, { resolve: (text: string) => void; reject: (error: Error) => void; timer: NodeJS.Timeout }>()
  let next = 0
  process.on('message', (message: Response) => {
    if (message?.type !== RESPONSE) return
    const request = pending.get(message.id)
    if (!request) return
    pending.delete(message.id)
    clearTimeout(request.timer)
    if (message.error !== undefined) request.reject(new Error(message.error))
    else request.resolve(message.metrics ?? '')
  })
  return () =>
    new Promise<string>((resolve, reject) => {
      const id = next++
      const timer = setTimeout(() => {
        pending.delete(id)
        reject(new Error('the cluster primary did not answer the metrics request'))
      }, timeoutMs)
      pending.set(id, { resolve, reject, timer })
      process.send?.({ type: REQUEST, id } satisfies Request)
    })
}
