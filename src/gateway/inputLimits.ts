/**
 * Size caps on what a client sends, checked before anything parses it: the GraphQL document,
 * the variables, every string inside the variables, every connection cursor (`after` / `before`) and every filter
 * string. A value over a cap is a coded error (`REQUEST_TOO_LARGE` with HTTP 413 for the request, document and
 * variables; `BAD_USER_INPUT` with `extensions.maxLength` for one argument) whose message never repeats the value:
 * a 2 MiB cursor must not come back in the answer, nor reach a log.
 */
import { type ArgumentNode, type DocumentNode, GraphQLError, Kind, type ValueNode, visit } from 'graphql'
import type { Plugin } from 'graphql-yoga'
import { BadUserInputError } from './errors.js'

/** The caps, in UTF-16 code units (JS `length`). */
export const INPUT_LIMITS = {
  /** the GraphQL document (`query`); graphql-armor's token cap bounds its parse cost, this its bytes */
  maxDocumentChars: 100_000,
  /** the variables as JSON */
  maxVariablesChars: 100_000,
  /** one string anywhere in the variables, and one filter string (the longest stored indexed text is 2,000 bytes) */
  maxStringChars: 10_000,
  /** one `after` / `before` cursor: ours are under 100 characters */
  maxCursorChars: 1_000,
} as const

const CURSOR_ARGUMENTS = new Set(['after', 'before'])

/** `REQUEST_TOO_LARGE` (HTTP 413): the request, its document or its variables exceed a cap. */
export class RequestTooLargeError extends GraphQLError {
  constructor(what: string, max: number) {
    super(`The ${what} is larger than ${max} ${what === 'request body' ? 'bytes' : 'characters'}`, {
      extensions: { code: 'REQUEST_TOO_LARGE', maxLength: max, http: { status: 413 } },
    })
    this.name = 'RequestTooLargeError'
  }
}

/**
 * Checks one filter string's length (before it is parsed, mapped or sent to the database).
 * @returns `value` unchanged
 * @throws {BadUserInputError} when it is longer than `INPUT_LIMITS.maxStringChars`
 */
export function assertFilterText(value: string, what: string): string {
  if (value.length > INPUT_LIMITS.maxStringChars) {
    throw new BadUserInputError(`"${what}" is longer than ${INPUT_LIMITS.maxStringChars} characters`, {
      argument: what,
      maxLength: INPUT_LIMITS.maxStringChars,
    })
  }
  return value
}

/**
 * Checks one cursor's length (connection `after`/`before`, subscription `after`).
 * @returns `cursor` unchanged
 * @throws {BadUserInputError} when it is longer than `INPUT_LIMITS.maxCursorChars`
 */
export function assertCursorLength(cursor: string, what = 'cursor'): string {
  if (cursor.length > INPUT_LIMITS.maxCursorChars) {
    throw new BadUserInputError(`"${what}" is longer than ${INPUT_LIMITS.maxCursorChars} characters: not a cursor from this gateway`, {
      argument: what,
      maxLength: INPUT_LIMITS.maxCursorChars,
    })
  }
  return cursor
}

/**
 * Yoga plugin enforcing {@link INPUT_LIMITS} (the body's length is useRequestSizeLimit's): the document and the
 * variables once yoga has read the parameters, and cursor arguments (literal or through a variable) before
 * execution, so queries, SSE and graphql-ws subscriptions (which run through yoga's envelop) are all covered.
 * (Bodies without `content-length` are refused by useRequestSizeLimit.)
 */
export function useInputLimits(): Plugin {
  return {
    onParams({ params }) {
      if (typeof params.query === 'string' && params.query.length > INPUT_LIMITS.maxDocumentChars) {
        throw new RequestTooLargeError('GraphQL document', INPUT_LIMITS.maxDocumentChars)
      }
      if (params.variables != null) {
        if (JSON.stringify(params.variables).length > INPUT_LIMITS.maxVariablesChars)
          throw new RequestTooLargeError('variables object', INPUT_LIMITS.maxVariablesChars)
        assertStringsWithin(params.variables, 'variables', 0)
      }
    },
    // Not a validation rule: yoga caches validation per document, and this check depends on the variables.
    onExecute({ args, setResultAndStopExecution }) {
      const error = findLongCursor(args.document, args.variableValues ?? undefined)
      if (error) setResultAndStopExecution({ errors: [error] })
    },
    onSubscribe({ args, setResultAndStopExecution }) {
      const error = findLongCursor(args.document, args.variableValues ?? undefined)
      if (error) setResultAndStopExecution({ errors: [error] })
    },
  }
}

/** Every string inside the variables (bounded depth: the JSON is at most maxVariablesChars long). */
function assertStringsWithin(value: unknown, path: string, depth: number): void {
  if (typeof value === 'string') {
    if (value.length > INPUT_LIMITS.maxStringChars) {
      throw new BadUserInputError(`A string in ${path} is longer than ${INPUT_LIMITS.maxStringChars} characters`, {
        argument: path,
        maxLength: INPUT_LIMITS.maxStringChars,
      })
    }
    return
  }
  if (value === null || typeof value !== 'object' || depth > 64) return
  for (const [key, item] of Object.entries(value)) assertStringsWithin(item, `${path}.${key}`, depth + 1)
}

/** The `after` / `before` arguments of each parsed document (yoga's parser cache hands the same document out again). */
const cursorArgumentsOf = new WeakMap<DocumentNode, ArgumentNode[]>()

/** The first `after` / `before` argument (literal or variable) longer than the cursor cap, as a coded error. */
function findLongCursor(document: DocumentNode, variables: Record<string, unknown> | undefined): GraphQLError | undefined {
  const lengthOf = (node: ValueNode): number => {
    if (node.kind === Kind.STRING) return node.value.length
    if (node.kind === Kind.VARIABLE) {
      const value = variables?.[node.name.value]
      return typeof value === 'string' ? value.length : 0
    }
    return 0
  }
  let cursorArguments = cursorArgumentsOf.get(document)
  if (!cursorArguments) {
    const found: ArgumentNode[] = []
    visit(document, {
      Argument(node) {
        if (CURSOR_ARGUMENTS.has(node.name.value)) found.push(node)
      },
    })
    cursorArgumentsOf.set(document, (cursorArguments = found))
  }
  const node = cursorArguments.find((argument) => lengthOf(argument.value) > INPUT_LIMITS.maxCursorChars)
  if (!node) return undefined
  return new GraphQLError(`"${node.name.value}" is longer than ${INPUT_LIMITS.maxCursorChars} characters: not a cursor from this gateway`, {
    nodes: [node],
    extensions: { code: 'BAD_USER_INPUT', argument: node.name.value, maxLength: INPUT_LIMITS.maxCursorChars },
  })
}
