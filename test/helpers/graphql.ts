/**
 * In-process GraphQL helpers for gateway tests: run typed documents (test/generated, from test/graphql/*.graphql)
 * through `yoga.fetch`, over HTTP POST or as an SSE subscription.
 */
import type { TypedDocumentNode } from '@graphql-typed-document-node/core'
import { type GraphQLFormattedError, print } from 'graphql'
import type { YogaServerInstance } from 'graphql-yoga'

/** Anything with a WHATWG `fetch` (a yoga instance). */
export type Fetcher = Pick<YogaServerInstance<any, any>, 'fetch'> | { fetch(input: string, init?: RequestInit): Promise<Response> }

type PlainFetch = (input: string, init?: RequestInit) => Promise<Response>

/** A fetcher that sends every request to a running server's GraphQL URL (instead of in-process). */
export function httpFetcher(graphqlUrl: string): Fetcher {
  return { fetch: (_input: string, init?: RequestInit) => fetch(graphqlUrl, init) }
}

export type GraphQLResult<T> = {
  data?: T | null
  errors?: (GraphQLFormattedError & { extensions?: { code?: string; [key: string]: unknown } })[]
}

const ENDPOINT = 'http://gateway.test/graphql'

function body(document: TypedDocumentNode<unknown, unknown> | string, variables: unknown) {
  return JSON.stringify({ query: typeof document === 'string' ? document : print(document), variables })
}

/** POSTs one operation; `document` may also be a raw string (hostile queries). */
export async function execute<TResult, TVariables>(
  fetcher: Fetcher,
  document: TypedDocumentNode<TResult, TVariables> | string,
  variables?: TVariables,
): Promise<GraphQLResult<TResult>> {
  const response = await (fetcher.fetch as PlainFetch)(ENDPOINT, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json, application/json' },
    body: body(document as TypedDocumentNode<unknown, unknown>, variables ?? {}),
  })
  return (await response.json()) as GraphQLResult<TResult>
}

export type SseSubscription<T> = {
  /** resolves with the next `next` event's payload; rejects after `timeoutMs` */
  next(timeoutMs?: number): Promise<GraphQLResult<T>>
  /** aborts the request (the server ends the subscription) */
  close(): void
}

/** Starts a subscription over SSE (`accept: text/event-stream`) and parses the stream's `data:` frames. */
export async function subscribeSse<TResult, TVariables>(
  fetcher: Fetcher,
  document: TypedDocumentNode<TResult, TVariables>,
  variables: TVariables,
): Promise<SseSubscription<TResult>> {
  const controller = new AbortController()
  const response = await (fetcher.fetch as PlainFetch)(ENDPOINT, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
    body: body(document as TypedDocumentNode<unknown, unknown>, variables ?? {}),
    signal: controller.signal,
  })
  if (!response.body) throw new Error(`SSE response without a body (status ${response.status})`)
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader()
  const ready: GraphQLResult<TResult>[] = []
  let buffer = ''

  async function pump(): Promise<void> {
    const { value, done } = await reader.read()
    if (done) throw new Error('SSE stream ended')
    buffer += value
    let split: number
    while ((split = buffer.indexOf('\n\n')) >= 0) {
      const frame = buffer.slice(0, split)
      buffer = buffer.slice(split + 2)
      const lines = frame.split('\n')
      const event = lines
        .find((l) => l.startsWith('event:'))
        ?.slice(6)
        .trim()
      const data = lines
        .filter((l) => l.startsWith('data:'))
        .map((l) => l.slice(5).trim())
        .join('\n')
      if (event === 'complete') continue
      if (data) ready.push(JSON.parse(data) as GraphQLResult<TResult>)
    }
  }

  return {
    async next(timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs
      while (!ready.length) {
        const left = deadline - Date.now()
        if (left <= 0) throw new Error('Timed out waiting for an SSE event')
        let timer: NodeJS.Timeout | undefined
        await Promise.race([
          pump(),
          new Promise((_, reject) => (timer = setTimeout(() => reject(new Error('Timed out waiting for an SSE event')), left))),
        ]).finally(() => clearTimeout(timer))
      }
      return ready.shift() as GraphQLResult<TResult>
    },
    close() {
      controller.abort()
      reader.cancel().catch(() => {})
    },
  }
}

/** Polls `predicate` every 20 ms until it returns true; rejects after `timeoutMs`. */
export async function waitFor(predicate: () => boolean | Promise<boolean>, timeoutMs = 10_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}
