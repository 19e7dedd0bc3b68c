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
