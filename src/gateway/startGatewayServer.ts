import { createServer } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import { BaseError } from '../errors/baseError.js'
import type { Gateway, ReadinessCheck } from './createGateway.js'

/** The server could not bind its port (in use, not permitted, no such interface): an operator's problem, not retryable. */
export class ListenError extends BaseError {
  constructor(host: string, port: number, cause: NodeJS.ErrnoException) {
    const where = `${host.includes(':') ? `[${host}]` : host}:${port}`
    const why: Record<string, string> = {
      EADDRINUSE: `port ${port} is already in use — stop the other process or choose another port (--port / PORT)`,
      EACCES: `binding port ${port} is not permitted — choose a port above 1023 (--port / PORT)`,
      EADDRNOTAVAIL: `${host} is not an address of this machine — fix --host / HOST`,
    }
    super(`Cannot listen on ${where}: ${why[cause.code ?? ''] ?? cause.message}`, { code: 'LISTEN', cause })
  }
}

export type StartGatewayServerParameters = {
  gateway: Gateway
  /** TCP port; 0 picks a free one (the returned `url` has the real port) */
  port: number
  /** interface to bind (default 127.0.0.1) */
  host?: string
  /** `/readyz` answers 200 only while this returns true (e.g. the indexer has caught up with the head) */
  isReady?: ReadinessCheck
  /** also close the gateway (journal, subscriptions) when the server closes (default true) */
  closeGateway?: boolean
}

export type GatewayServer = {
  /** e.g. `http://127.0.0.1:4000/graphql` */
  url: string
  /** stops accepting connections, ends WebSocket and SSE streams, closes the gateway unless told not to */
  close(): Promise<void>
}

/**
 * Serves a gateway over HTTP: `/graphql` (queries, SSE subscriptions, GraphiQL) plus graphql-ws on the same
 * path, and `/healthz`, `/readyz`, `/metrics`.
 * @throws {ListenError} when the port cannot be bound (`EADDRINUSE`, `EACCES`, `EADDRNOTAVAIL`); the gateway is
 *   left open (the caller owns it)
 */
export async function startGatewayServer(params: StartGatewayServerParameters): Promise<GatewayServer> {
  const { gateway } = params
  const host = params.host ?? '127.0.0.1'
  if (params.isReady) gateway.setReadinessCheck(params.isReady)
  const server = createServer(gateway.yoga)
  server.on('connection', coalesceWrites)
  await new Promise<void>((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => reject(new ListenError(host, params.port, error))
    server.once('error', onError)
    server.listen(params.port, host, () => {
      server.off('error', onError)
      resolve()
    })
  })
  // attached once listening: graphql-ws would otherwise print the listen error with a stack on stderr
  const detachWebSocket = gateway.attachWebSocket(server)
  const { port } = server.address() as AddressInfo
  const urlHost = host.includes(':') ? `[${host}]` : host === '0.0.0.0' ? '127.0.0.1' : host
  let closing: Promise<void> | undefined
  return {
    url: `http://${urlHost}:${port}${gateway.yoga.graphqlEndpoint}`,
    close: () => {
      closing ??= (async () => {
        const closed = new Promise<void>((resolve) => server.close(() => resolve()))
        await detachWebSocket()
        if (params.closeGateway !== false) await gateway.close()
        server.closeAllConnections()
        await closed
      })()
      return closing
    },
  }
}

/**
 * Coalesces a socket's writes within one event-loop turn into one `writev` (cork now, uncork on `setImmediate`).
 * A live event reaches a subscriber as several small writes (SSE: `event:` and `data:` chunks with chunked-encoding
 * framing; graphql-ws: frame header and payload), and a fan-out writes to thousands of sockets in the same turn:
 * bench:subscribers (N = 1,000) spent 19 % of the gateway's CPU in `writev` before this.
 */
function coalesceWrites(socket: Socket): void {
  const write = socket.write
  let corked = false
  socket.write = function (this: Socket, ...args: unknown[]) {
    if (!corked && !this.destroyed) {
      corked = true
      this.cork()
      setImmediate(() => {
        corked = false
        if (!this.destroyed) this.uncork()
      })
    }
    return (write as (...a: unknown[]) => boolean).apply(this, args)
  } as Socket['write']
}
