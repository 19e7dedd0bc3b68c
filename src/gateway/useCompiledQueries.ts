/**
 * Queries and mutations run by graphql-jit (`@envelop/graphql-jit`): each document is compiled once into plain
 * JavaScript (variable coercion, the field walk and result completion for that exact selection) and the compiled form
 * is kept per parsed document, which yoga's parser cache hands out again for the same query text. The reference
 * executor (`@graphql-tools/executor`) re-walks the selection set and re-checks every field's type on each request.
 * Measured in-process on the 1,000,000-row bench database: CPU per `attestation(id)` with every field 1.09 → 0.80 ms,
 * per 50-item page with every field 6.7 → 3.8 ms.
 *
 * The answers are the reference executor's (test/compiledQueries.test.ts sends the partner corpus, hostile variables
 * and odd shapes to both and compares status and body). Two seams are closed here:
 * - variables that do not coerce (missing, null for a non-null, wrong type) go to the reference executor, whose
 *   request error yoga answers with HTTP 400 (graphql-jit's would be a 200);
 * - graphql-jit's field errors carry locations but no source positions, and yoga rebuilds an error that has
 *   `extensions.http` from its positions (dropping the locations): they are rebuilt here as graphql-js errors with
 *   the document's source and the positions of their locations.
 * - graphql-jit answers `{ data, errors }`, the reference executor `{ errors, data }`: `errors` is put first.
 * graphql-jit collects a selection set's fields first and its fragments afterwards, the last fragment first: for
 * `{ ...F id }` or `{ ...A ...B }` its answer's keys come in another order than the document's (which graphql-js and
 * the GraphQL spec keep). A document where a fragment (spread or inline) is followed by anything in its selection set
 * keeps the reference executor (keepsFieldOrder); `{ id ...F }` compiles.
 * graphql-jit reads variables through the prototype too: a variable named like an Object.prototype property
 * (`$constructor`, `$toString`, `$__proto__`) left out of `variables` got `Object`'s function, and a refusal
 * ("invalid value [function Object]") instead of an answer: such operations keep the reference executor.
 * The reference executor also runs:
 * - a document's first execution: a document is compiled when it comes a second time (yoga's parser cache hands out
 *   the same parsed document for the same text), so a client sending a new document each time never costs a
 *   compilation (which is several times an execution);
 * - documents holding more than one operation: `@envelop/graphql-jit` keeps one compiled form per document whatever
 *   the operation name, and would answer operation B with operation A's compiled form;
 * - subscriptions (the shared-subscription plugin wraps their subscribe function), and documents graphql-jit cannot
 *   compile.
 * The compiled executor does not take the deadline's abort signal: after a `QUERY_TIMEOUT` (useDeadline.ts) resolvers
 * already running end on their own, and PostgreSQL's `statement_timeout` ends their statements.
 */
import { useGraphQlJit } from '@envelop/graphql-jit'
import {
  BREAK,
  type DocumentNode,
  type ExecutionArgs,
  getOperationAST,
  GraphQLError,
  Kind,
  type SelectionSetNode,
  type Source,
  type SourceLocation,
  visit,
} from 'graphql'
import { getVariableValues } from 'graphql/execution/values.js'
import { compileQuery, isCompiledQuery } from 'graphql-jit'
import type { Plugin } from 'graphql-yoga'
import type { Metrics } from '../common/metrics.js'

/**
 * The plugin; put it before plugins that wrap the execute function (they then wrap the compiled one).
 * @param metrics counts each query/mutation execution by executor (`sign_indexer_graphql_executions_total{executor}`)
 */
export function useCompiledQueries({ graphqlExecutions }: Pick<Metrics, 'graphqlExecutions'>): Plugin {
  // per parsed document (yoga's parser cache hands the same object out for the same text): seen once, or whether
  // graphql-jit compiles it
  const documents = new WeakMap<DocumentNode, 'seen' | boolean>()
  const enableIf = (args: ExecutionArgs) => {
    const compiled = compilable(args)
    if (compiled !== undefined) graphqlExecutions.inc({ executor: compiled ? 'compiled' : 'reference' })
    return compiled === true
  }
  /** @returns whether graphql-jit runs this execution; undefined for a subscription */
  const compilable = (args: ExecutionArgs): boolean | undefined => {
    const operation = getOperationAST(args.document, args.operationName ?? undefined)
    if (!operation) return false
    if (operation.operation === 'subscription') return undefined
    let state = documents.get(args.document)
    if (state === undefined) {
      // first sighting: a document sent once (or a client sending a new one each time) is not worth a compilation
      documents.set(args.document, 'seen')
      return false
    }
    if (state === 'seen') {
      // the compiled form is kept per document, whatever the operation name: one operation per document only
      const single = args.document.definitions.filter((d) => d.kind === Kind.OPERATION_DEFINITION).length === 1
      state =
        single &&
        keepsFieldOrder(args.document) &&
        !operation.variableDefinitions?.some((v) => v.variable.name.value in Object.prototype) &&
        isCompiledQuery(compileQuery(args.schema, args.document, args.operationName ?? undefined))
      documents.set(args.document, state)
    }
    if (!state || !operation.variableDefinitions?.length) return state
    return !getVariableValues(args.schema, operation.variableDefinitions, args.variableValues ?? {}, { maxErrors: 1 }).errors
  }
  const jit = useGraphQlJit({}, { enableIf }) as Plugin
  return {
    ...jit,
    onExecute(payload) {
      const source = payload.args.document.loc?.source
      const done = {
        onExecuteDone({ result, setResult }: { result: unknown; setResult: (result: never) => void }) {
          if (typeof result !== 'object' || result === null || Symbol.asyncIterator in result) return
          const { errors, ...rest } = result as { errors?: readonly GraphQLError[] }
          if (!errors?.length) return
          const fixed = source && errors.some(isUnpositioned) ? errors.map((e) => (isUnpositioned(e) ? reposition(e, source) : e)) : errors
          // the reference executor answers `{ errors, data }`, graphql-jit `{ data, errors }`: the body's order is the client's to see
          if (fixed !== errors || Object.keys(result as object)[0] !== 'errors') setResult({ errors: fixed, ...rest } as never)
        },
      }
      const hooked = jit.onExecute?.(payload as never) as unknown
      return hooked instanceof Promise ? hooked.then(() => done) : done
    },
  } as Plugin
}

/**
 * @returns whether graphql-jit answers `document` with its keys in document order: in every selection set, at most one
 *   fragment (spread or inline), as the last selection (graphql-jit walks a selection set's fields, then its fragments
 *   from last to first, each after the selection set it sits in); and, when the document has `@skip` / `@include`, no
 *   response key twice in one selection set with its trailing fragments (graphql-jit places a key where it first
 *   appears, the spec where it is first included: `{ attester @skip(if: true) id attester }` answers id, attester)
 */
export function keepsFieldOrder(document: DocumentNode): boolean {
  let keeps = true
  let conditional = false
  const selectionSets: SelectionSetNode[] = []
  const fragments = new Map<string, SelectionSetNode>()
  visit(document, {
    FragmentDefinition(node) {
      fragments.set(node.name.value, node.selectionSet)
    },
    Directive(node) {
      if (node.name.value === 'skip' || node.name.value === 'include') conditional = true
    },
    SelectionSet(node) {
      const last = node.selections.length - 1
      if (node.selections.some((s, i) => s.kind !== Kind.FIELD && i !== last)) {
        keeps = false
        return BREAK
      }
      selectionSets.push(node)
    },
  })
  if (!keeps || !conditional) return keeps
  return selectionSets.every((set) => {
    const keys = new Set<string>()
    const visited = new Set<string>()
    for (let current: SelectionSetNode | undefined = set; current; ) {
      let next: SelectionSetNode | undefined
      for (const selection of current.selections) {
        if (selection.kind === Kind.FIELD) {
          const key = (selection.alias ?? selection.name).value
          if (keys.has(key)) return false
          keys.add(key)
        } else if (selection.kind === Kind.INLINE_FRAGMENT) next = selection.selectionSet
        else if (!visited.has(selection.name.value)) {
          visited.add(selection.name.value)
          next = fragments.get(selection.name.value)
        }
      }
      current = next
    }
    return true
  })
}

/** An error with locations but no positions: graphql-jit's. */
const isUnpositioned = (e: GraphQLError) => e.locations !== undefined && e.locations.length > 0 && !e.positions && !e.nodes

/** Line start offsets of a document's source (graphql-js counts \r\n, \n and \r as line ends). */
const lineStarts = new WeakMap<Source, number[]>()

function reposition(error: GraphQLError, source: Source): GraphQLError {
  let starts = lineStarts.get(source)
  if (!starts) {
    starts = [0]
    for (const m of source.body.matchAll(/\r\n|[\n\r]/g)) starts.push(m.index + m[0].length)
    lineStarts.set(source, starts)
  }
  const positions = (error.locations as SourceLocation[]).map(({ line, column }) => (starts[line - 1] ?? 0) + column - 1)
  return new GraphQLError(error.message, { source, positions, path: error.path, originalError: error.originalError, extensions: error.extensions })
}
