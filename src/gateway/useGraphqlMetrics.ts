/**
 * Envelop/yoga plugin recording GraphQL request counts and execution time into the process's metrics (from its bag)
 * (`sign_indexer_graphql_requests_total{operation,status}`, `sign_indexer_graphql_request_duration_seconds{operation}`).
 * Labels are low-cardinality on purpose: no operation names, which clients choose freely.
 */
import { getOperationAST } from 'graphql'
import type { Plugin } from 'graphql-yoga'
import type { Metrics } from '../common/metrics.js'

type OperationLabel = 'query' | 'mutation' | 'subscription' | 'unknown'

function hasErrors(result: unknown): boolean {
  return (
    typeof result === 'object' &&
    result !== null &&
    Array.isArray((result as { errors?: unknown }).errors) &&
    (result as { errors: unknown[] }).errors.length > 0
  )
}

/** Creates the metrics plugin; parse and validation failures count as `status="rejected"`. */
export function useGraphqlMetrics(metrics: Metrics): Plugin {
  const { graphqlRequestDuration, graphqlRequests } = metrics
  return {
    onParse() {
      return ({ result }) => {
        if (result instanceof Error) graphqlRequests.inc({ operation: 'unknown', status: 'rejected' })
      }
    },
    onValidate({ params }) {
      return ({ valid }) => {
        if (valid) return
        const operation: OperationLabel = getOperationAST(params.documentAST)?.operation ?? 'unknown'
        graphqlRequests.inc({ operation, status: 'rejected' })
      }
    },
    onExecute({ args }) {
      const operation: OperationLabel = getOperationAST(args.document, args.operationName)?.operation ?? 'unknown'
      const end = graphqlRequestDuration.startTimer({ operation })
      return {
        onExecuteDone({ result }) {
          end()
          graphqlRequests.inc({ operation, status: hasErrors(result) ? 'error' : 'ok' })
        },
      }
    },
    onSubscribe() {
      const end = graphqlRequestDuration.startTimer({ operation: 'subscription' })
      return {
        onSubscribeResult({ result }) {
          end()
          graphqlRequests.inc({ operation: 'subscription', status: hasErrors(result) ? 'error' : 'ok' })
        },
        onSubscribeError() {
          end()
          graphqlRequests.inc({ operation: 'subscription', status: 'error' })
        },
      }
    },
  }
}
