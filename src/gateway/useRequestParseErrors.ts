/**
 * Request parameters that are not JSON are the client's error. yoga's GET and `application/x-www-form-urlencoded`
 * parsers `JSON.parse` the `variables` and `extensions` parameters without catching: `GET /graphql?query=…&variables={`
 * was a 500 INTERNAL_SERVER_ERROR. Here it is 400 BAD_REQUEST, as yoga answers a POST body that is not JSON
 * (its message, never the value, which may be long).
 */
import { GraphQLError } from 'graphql'
import type { Plugin } from 'graphql-yoga'

/** The plugin; it wraps whichever request parser yoga picked for the request (put it after nothing in particular). */
export function useRequestParseErrors(): Plugin {
  return {
    onRequestParse({ requestParser, setRequestParser }) {
      if (!requestParser) return
      setRequestParser(async (request) => {
        try {
          return await requestParser(request)
        } catch (error) {
          if (!(error instanceof SyntaxError)) throw error
          throw new GraphQLError('The "variables" or "extensions" parameter is not valid JSON', {
            extensions: { code: 'BAD_REQUEST', http: { status: 400 } },
          })
        }
      })
    },
  }
}

/** What a client gets instead of yoga's empty 415 / 406 answers on the GraphQL endpoint. */
const EMPTY_ANSWERS: Record<number, { code: string; message: string }> = {
  415: {
    code: 'UNSUPPORTED_MEDIA_TYPE',
    message: 'Send the GraphQL request as application/json (or application/graphql, a form, or a GET with query parameters)',
  },
  406: {
    code: 'NOT_ACCEPTABLE',
    message:
      'No acceptable response type: a query answers application/graphql-response+json or application/json, a subscription text/event-stream (or use graphql-ws)',
  },
}

/**
 * yoga answers an unsupported body (text/plain, multipart, none) with 415 and a result no `accept` allows (a
 * subscription without text/event-stream) with 406, both without a body: here they carry a GraphQL error with a code.
 * @param graphqlEndpoint the path these answers are rewritten on
 */
export function useCodedEmptyAnswers(graphqlEndpoint: string): Plugin {
  return {
    onResponse({ request, response, setResponse, fetchAPI }) {
      const answer = EMPTY_ANSWERS[response.status]
      if (!answer || response.body !== null || new URL(request.url).pathname !== graphqlEndpoint) return
      const headers = new fetchAPI.Headers(response.headers)
      headers.set('content-type', 'application/json; charset=utf-8')
      const body = request.method === 'HEAD' ? null : JSON.stringify({ errors: [{ message: answer.message, extensions: { code: answer.code } }] })
      setResponse(new fetchAPI.Response(body, { status: response.status, statusText: response.statusText, headers }))
    },
  }
}
