/**
 * The GraphQL gateway as a value: a graphql-yoga instance over the Pothos schema, the journal tail feeding its
 * subscriptions, and a graphql-ws attachment for an HTTP server. Test it in-process with `gateway.yoga.fetch`.
 *
 * Routes served by `yoga` itself: `/graphql` (queries; subscriptions over SSE; GraphiQL in a browser),
 * `/healthz` (200 while the process is up), `/readyz` (200 when ready, else 503), `/metrics` (Prometheus).
 * Limits (each answers with a code, see limitErrors.ts): request body size, in-flight requests (load shedding), document
 * limits and the page-aware cost model, a per-request deadline, graphql-ws message size.
 * `/index…`: the SignScan-compatible REST index API (src/rest/useSignScanRest.ts), under the same in-flight bound and deadline.
 */
import type { Server } from 'node:http'
import { type ExecutionArgs, GraphQLError } from 'graphql'
import { useServer } from 'graphql-ws/use/ws'
import { createYoga, type Plugin, type YogaServerInstance } from 'graphql-yoga'
import { useCompiledQueries } from './useCompiledQueries.js'
import { useCodedEmptyAnswers, useRequestParseErrors } from './useRequestParseErrors.js'
import { type WebSocket, WebSocketServer } from 'ws'
import type { Common } from '../common/common.js'
import type { Metrics } from '../common/metrics.js'
import { useSignScanRest } from '../rest/useSignScanRest.js'
import type { PrismaClient } from '../generated/prisma/client.js'
import type { ChainStatusOverride, GatewayContext } from './builder.js'
import { toCorsOptions } from './corsOptions.js'
import { createDirectDelivery } from './live/directTransports.js'
import { GRAPHIQL_OPTIONS, renderBundledGraphiQL } from './graphiql.js'
import { maskGatewayError } from './errors.js'
import { QueryTimeoutError } from './limitErrors.js'
import { createInFlightLimiter, useLoadShedding } from './loadShedding.js'
import { createReadinessProbe, type ReadinessCheck } from './readinessProbe.js'
import { isStatementTimeout, QUERY_TIMEOUT_MS, useDeadline } from './useDeadline.js'
import { QUERY_LIMITS, useQueryLimits } from './useQueryLimits.js'
import { MAX_REQUEST_BYTES, useRequestSizeLimit } from './useRequestSizeLimit.js'
import { useInputLimits } from './inputLimits.js'
import { getAttestationFactsAnnotator } from './live/attestationFacts.js'
import { createJournalHub, type JournalHub } from '../journal/journalHub.js'
import { schema } from './gatewaySchema.js'
import { useGraphqlMetrics } from './useGraphqlMetrics.js'
import { createSharedSubscriptions } from './live/useSharedSubscriptions.js'
import { logGatewayError, useCodedRequestErrors } from './userErrors.js'

/** Document limits (graphql-armor) and the complexity budget: rejected before any resolver runs. */
export const ARMOR_LIMITS = QUERY_LIMITS

export type { ReadinessCheck } from './readinessProbe.js'

export type CreateGatewayParameters = {
  prisma: PrismaClient
  /** the process's dependency bag: logger, metrics (served on `/metrics`), clock, shutdown signal */
  common: Common
  /** live head/safe/indexed blocks from an in-process indexer; merged over the database values */
  getChainStatus?: () => ChainStatusOverride[] | Promise<ChainStatusOverride[]>
  /** `/readyz` says 200 when this returns true; default: `pingDatabase` resolves */
  isReady?: ReadinessCheck
  /** the default readiness check; give it a connection of its own (createDb `ping`); default `SELECT 1` through `prisma` */
  pingDatabase?: () => Promise<unknown>
  /**
   * what `/metrics` serves, as Prometheus text: default the process's registry; a gateway worker of `serve --workers`
   * gives every worker's, aggregated by the primary (src/common/clusterMetrics.ts)
   */
  readMetrics?: () => Promise<string>
  /** execute queries and mutations with graphql-jit (compiled once per document, see useCompiledQueries.ts); default true */
  compiledQueries?: boolean
  /** cost budget of one operation (default 50,000; see complexity.ts) */
  maxComplexity?: number
  /** deadline of one query/mutation execution in ms (default 10,000): then QUERY_TIMEOUT */
  queryTimeoutMs?: number
  /** GraphQL HTTP requests worked on at once (default 64); beyond it and `maxQueued`: 503 OVERLOADED */
  maxInFlight?: number
  /** requests waiting for a slot, each at most 1 s (default 64) */
  maxQueued?: number
  /** cap of a request body and of a graphql-ws message, in bytes (default 1 MiB) */
  maxRequestBytes?: number
  /** hard cap on `first`/`last` of every connection (default 100) */
  maxPageSize?: number
  /** browser origins allowed (CORS, never with credentials): default `['*']`, `[]` for none (see corsOptions.ts) */
  corsOrigins?: readonly string[]
  /** serve GraphiQL on GET /graphql from a browser (default true) */
  graphiql?: boolean
  /** journal poll interval when nobody calls `journal.notify()`, in ms (default 500) */
  journalPollMs?: number
  /** per-subscriber buffer, in events (default 1000) */
  subscriberBufferSize?: number
  /** live subscriptions this process serves at most (default 20,000); one more gets a SUBSCRIPTION_LIMIT error */
  maxSubscriptions?: number
  /** operations one graphql-ws connection may run at once (default 100); an SSE request carries exactly one */
  maxSubscriptionsPerConnection?: number
}

export type Gateway = {
  yoga: YogaServerInstance<Record<string, unknown>, GatewayContext>
  /** the tails feeding subscriptions, one per finality level; the in-process indexer calls `journal.notify()` after each commit */
  journal: JournalHub
  /** live subscribers (each client subscription) and the distinct executions serving them (shared when identical) */
  subscriptionStats(): { subscribers: number; executions: number }
  /** GraphQL requests holding a slot, waiting for one, and shed since start */
  loadStats(): { inFlight: number; queued: number; shed: number }
  /** replaces the readiness check (e.g. once an indexer exists: "caught up with the head") */
  setReadinessCheck(check: ReadinessCheck): void
  /** serves graphql-ws on `httpServer` at the GraphQL path; returns a function that closes it */
  attachWebSocket(httpServer: Server): () => Promise<void>
  /** closes WebSocket attachments and the journal (ending every subscription); idempotent */
  close(): Promise<void>
}

/**
 * Creates the gateway. Does not listen: hand `yoga` to `http.createServer` (see `startGatewayServer`) or call
 * `yoga.fetch` in-process. The journal tail starts at once, at the journal's current end.
 * @returns the gateway; errors reaching clients are masked unless they carry `extensions.code`
 */
export function createGateway(params: CreateGatewayParameters): Gateway {
  const { prisma, common } = params
  const { logger, metrics } = common
  const maxPageSize = params.maxPageSize ?? 100
  const maxPerConnection = params.maxSubscriptionsPerConnection ?? 100
  const maxSubscriptions = params.maxSubscriptions ?? 20_000
  const journal = createJournalHub({
    prisma,
    metrics,
    pollIntervalMs: params.journalPollMs ?? 500,
    bufferSize: params.subscriberBufferSize,
    annotate: getAttestationFactsAnnotator(prisma).annotate,
    logger: logger.child({ component: 'journal' }),
  })
  const subscriptions = createSharedSubscriptions({
    metrics,
    bufferSize: params.subscriberBufferSize,
    maxSubscriptions,
    streamOf: (contextValue) => (contextValue as GatewayContext).eventStream,
  })
  const delivery = createDirectDelivery({ subscriptions, maskError: maskGatewayError, logger: logger.child({ component: 'subscriptions' }) })
  const ping = params.pingDatabase ?? (() => prisma.$queryRaw`SELECT 1`)
  let isReady: ReadinessCheck = params.isReady ?? (async () => (await ping(), true))
  const readiness = createReadinessProbe(() => isReady, { onError: (error) => logger.warn({ error }, 'Readiness check failed') })
  const queryTimeoutMs = params.queryTimeoutMs ?? QUERY_TIMEOUT_MS
  const maxRequestBytes = params.maxRequestBytes ?? MAX_REQUEST_BYTES
  const limiter = createInFlightLimiter({ maxInFlight: params.maxInFlight, maxQueued: params.maxQueued, metrics })
  const maskError: typeof maskGatewayError = (error, message, isDev) =>
    isStatementTimeout(error) ? new QueryTimeoutError(queryTimeoutMs) : maskGatewayError(error, message, isDev)

  const yoga = createYoga<Record<string, unknown>, GatewayContext>({
    schema,
    graphqlEndpoint: '/graphql',
    healthCheckEndpoint: '/healthz',
    graphiql: (params.graphiql ?? true) ? GRAPHIQL_OPTIONS : false,
    renderGraphiQL: renderBundledGraphiQL, // bundled assets: works offline (graphiql.ts)
    landingPage: false,
    // useRequestSizeLimit refuses a body over the cap from its Content-Length (413) and one without it (411) before a
    // byte is read, and Node's HTTP parser delivers exactly Content-Length bytes: yoga's own 25 MB limit piped every
    // body through a counting TransformStream (a new Request, a stream pipeline and its abort signal per request:
    // ~4 % of the gateway's CPU on 50-item pages, bench:queries --cpu-prof at 1M rows)
    maxRequestBodySize: false,
    // no Upload scalar: multipart/form-data is 415 like any other unsupported body (yoga's parser answered 200 with an uncoded error)
    multipart: false,
    cors: toCorsOptions(params.corsOrigins),
    logging: {
      debug: (...args) => logger.debug({ args }, 'yoga'),
      info: (...args) => logger.info({ args }, 'yoga'),
      warn: (...args) => logger.warn({ args }, 'yoga'),
      error: (...args) => logGatewayError(logger, args), // user errors at info without their input (userErrors.ts)
    },
    maskedErrors: { maskError },
    context: () => ({ prisma, journal, maxPageSize, getChainStatus: params.getChainStatus, loaders: new Map() }),
    plugins: [
      useSignScanRest({ prisma, logger: logger.child({ component: 'rest' }), limiter, timeoutMs: queryTimeoutMs }),
      useOpsEndpoints(readiness.isReady, metrics, params.readMetrics),
      useRequestSizeLimit(maxRequestBytes, '/graphql'),
      useRequestParseErrors(), // variables/extensions that are not JSON in a GET or form request: 400, not 500
      useCodedEmptyAnswers('/graphql'), // yoga's empty 415 / 406 get a coded error body
      useLoadShedding(limiter, '/graphql'),
      useInputLimits(), // before anything parses the request: document, variables, strings, cursors
      useCodedRequestErrors(logger),
      useGraphqlMetrics(metrics),
      ...useQueryLimits(params.maxComplexity === undefined ? {} : { maxComplexity: params.maxComplexity }),
      ...(params.compiledQueries === false ? [] : [useCompiledQueries(metrics)]), // before the deadline, which wraps the executor it finds
      useDeadline(queryTimeoutMs),
      subscriptions.plugin, // last: wraps the subscribe function every other plugin has set
      delivery.ssePlugin, // after yoga's result processors: takes over SSE for shared subscriptions
    ],
  })

  const detachers = new Set<() => Promise<void>>()

  function attachWebSocket(httpServer: Server): () => Promise<void> {
    // a message above maxPayload closes the connection with 1009 (message too big)
    const wss = new WebSocketServer({ server: httpServer, path: yoga.graphqlEndpoint, maxPayload: maxRequestBytes })
    // yoga's recipe: run graphql-ws operations through the same envelop pipeline (context, armor, masking).
    const disposable = useServer(
      {
        // queries over graphql-ws take an in-flight slot like HTTP ones (subscriptions do not)
        execute: async (args) => {
          const result = await limiter.run(() => (args.rootValue as EnvelopedRoot).execute(args))
          return (result instanceof GraphQLError ? { errors: [result] } : result) as never
        },
        subscribe: async (args) => {
          const result = await (args.rootValue as EnvelopedRoot).subscribe(args)
          const { wsOperation } = args.contextValue as { wsOperation?: { id: string; socket: WebSocket } }
          if (!wsOperation || !result || typeof result !== 'object' || !(Symbol.asyncIterator in result)) return result as never
          return delivery.webSocketStream(wsOperation, result as AsyncIterableIterator<unknown>, wsOperation.socket, wsOperation.id) as never
        },
        onSubscribe: async (ctx, id, payload) => {
          // graphql-ws has already registered this operation in ctx.subscriptions
          if (Object.keys(ctx.subscriptions).length > maxPerConnection) {
            return [
              new GraphQLError(`At most ${maxPerConnection} operations at once on one connection; open another connection`, {
                extensions: { code: 'SUBSCRIPTION_LIMIT' },
              }),
            ]
          }
          const {
            schema: enveloped,
            execute,
            subscribe,
            contextFactory,
            parse,
            validate,
          } = yoga.getEnveloped({
            ...ctx,
            req: ctx.extra.request,
            socket: ctx.extra.socket,
            params: payload,
          })
          // parse/validate throw for graphql-armor rejections: hand them to the client as errors
          let document: ExecutionArgs['document']
          try {
            document = parse(payload.query)
            const errors = validate(enveloped, document)
            if (errors.length) return errors
          } catch (error) {
            if (error instanceof GraphQLError) return [error]
            throw error
          }
          const args: ExecutionArgs = {
            schema: enveloped,
            operationName: payload.operationName,
            document,
            variableValues: payload.variables,
            contextValue: Object.assign(await contextFactory(), { wsOperation: { id, socket: ctx.extra.socket } }),
            rootValue: { execute, subscribe } satisfies EnvelopedRoot,
          }
          return args
        },
      },
      wss,
    )
    const detach = async () => {
      if (!detachers.delete(detach)) return
      await disposable.dispose()
      await new Promise<void>((resolve) => wss.close(() => resolve()))
    }
    detachers.add(detach)
    return detach
  }

  let closing: Promise<void> | undefined
  return {
    yoga,
    journal,
    subscriptionStats: subscriptions.stats,
    loadStats: limiter.stats,
    setReadinessCheck: (check) => {
      isReady = check
    },
    attachWebSocket,
    close: () => {
      closing ??= (async () => {
        await Promise.all([...detachers].map((detach) => detach()))
        await journal.close()
        await yoga.dispose()
      })()
      return closing
    },
  }
}

type EnvelopedRoot = {
  execute: (args: ExecutionArgs) => unknown
  subscribe: (args: ExecutionArgs) => unknown
}

/** `/readyz` and `/metrics` (yoga serves `/healthz` itself, see `healthCheckEndpoint`); neither waits for a GraphQL slot. */
function useOpsEndpoints(isReady: () => Promise<boolean>, { registry }: Metrics, readMetrics = () => registry.metrics()): Plugin {
  return {
    async onRequest({ url, endResponse, fetchAPI }) {
      if (url.pathname === '/readyz') {
        const ready = await isReady()
        endResponse(new fetchAPI.Response(ready ? 'ready\n' : 'not ready\n', { status: ready ? 200 : 503 }))
      } else if (url.pathname === '/metrics') {
        const text = await readMetrics().catch((error: Error) => error)
        endResponse(
          typeof text === 'string'
            ? new fetchAPI.Response(text, { status: 200, headers: { 'content-type': registry.contentType } })
            : new fetchAPI.Response(`metrics unavailable: ${text.message}\n`, { status: 503 }),
        )
      }
    },
  }
}
