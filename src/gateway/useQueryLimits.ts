/**
 * What a document may ask for, checked before any resolver runs: graphql-armor's document limits (depth, aliases,
 * tokens, directives) at parse/validation, and the cost model (complexity.ts) right before execution (it needs the
 * request's variables, which yoga's validation cache does not key on). Every rejection is a 400 with a code
 * (limitErrors.ts).
 */
import { EnvelopArmorPlugin } from '@escape.tech/graphql-armor'
import type { Plugin } from 'graphql-yoga'
import { checkComplexity, MAX_COMPLEXITY } from './complexity.js'
import type { GraphQLError } from 'graphql'
import { codeArmorRejection, LIMIT_CODES } from './limitErrors.js'

/** Document limits (graphql-armor) and the default complexity budget. */
export const QUERY_LIMITS = { maxDepth: 12, maxAliases: 30, maxTokens: 2000, maxDirectives: 20, maxComplexity: MAX_COMPLEXITY } as const

export type QueryLimits = { [K in keyof typeof QUERY_LIMITS]: number }

/**
 * The envelop plugins enforcing `limits` (defaults {@link QUERY_LIMITS}). Put them before plugins that wrap
 * `execute`/`subscribe` so a refused operation never reaches them.
 */
export function useQueryLimits(limits: Partial<QueryLimits> = {}): Plugin[] {
  const l = { ...QUERY_LIMITS, ...limits }
  const armor = EnvelopArmorPlugin({
    maxDepth: { n: l.maxDepth, ignoreIntrospection: true, flattenFragments: true, onReject: [codeArmorRejection('maxDepth', l.maxDepth)] },
    maxAliases: { n: l.maxAliases, onReject: [codeArmorRejection('maxAliases', l.maxAliases)] },
    maxTokens: { n: l.maxTokens, onReject: [codeArmorRejection('maxTokens', l.maxTokens)] },
    maxDirectives: { n: l.maxDirectives, onReject: [codeArmorRejection('maxDirectives', l.maxDirectives)] },
    costLimit: { enabled: false }, // replaced by the page-aware cost model below
    blockFieldSuggestion: { enabled: true },
  })
  const complexity: Plugin = {
    onExecute({ args, setResultAndStopExecution }) {
      const error = checkComplexity(args, l.maxComplexity)
      if (error) setResultAndStopExecution({ errors: [error] })
    },
    onSubscribe({ args, setResultAndStopExecution }) {
      const error = checkComplexity(args, l.maxComplexity)
      if (error) setResultAndStopExecution({ errors: [error] })
    },
  }
  // yoga marks parse failures (the token limit) as "spec" errors, which it answers with 200 to `accept:
  // application/json`; a limit is not a malformed request: keep its 400 whatever the client accepts
  const status: Plugin = {
    onResultProcess({ result }) {
      for (const error of (result as { errors?: readonly GraphQLError[] }).errors ?? []) {
        const http = error.extensions?.http as { spec?: boolean } | undefined
        if (http && LIMIT_CODES.has(error.extensions.code as string)) http.spec = false
      }
    },
  }
  return [armor as Plugin, complexity, status]
}
