/**
 * The gateway's cost model (`@pothos/plugin-complexity`) and its check, run after validation and before any resolver.
 *
 * Cost of a selection = the sum over its fields of (1 + the field's sub-selection cost × the field's multiplier):
 * - a connection (a field with `first`/`last`: `attestations`, `schemas`, `linkedBy`, `lineage`, …) multiplies by its
 *   page size — `first` or `last`, else the default page size (`DEFAULT_PAGE_SIZE`, capped by `maxPageSize`) — so a
 *   page of 100 costs 100 rows' worth, and a page of pages costs the product;
 * - its `edges` / `nodes` lists multiply by 1 (the page is already counted on the connection);
 * - any other list (`recipients`, `indexerStatus`, `reasons`, …) multiplies by {@link LIST_MULTIPLIER};
 * - every field, scalar or not, costs 1;
 * - a connection given a `search` (`attestations`, `schemas`) costs {@link SEARCH_COMPLEXITY} more: its page query
 *   checks every row the trigram index yields (src/gateway/search.ts), so its work grows with the matches, not the page.
 * E.g. `attestations(first: 100) { edges { node { id linkedBy(first: 100) { edges { node { id } } } } } }` costs
 * 1 + 1 + 100 × (1 + 1 + 1 + 100 × 3) = 30,302.
 */
import type { DocumentNode, ExecutionArgs, GraphQLField } from 'graphql'
import { getNamedType, isListType, isNonNullType, Kind, type GraphQLOutputType, validate, visit } from 'graphql'
import { PothosValidationError } from '@pothos/core'
import { createComplexityRule, type FieldComplexityValue } from '@pothos/plugin-complexity'
import type { GatewayContext } from './builder.js'
import { BadUserInputError } from './errors.js'
import { QueryTooComplexError } from './limitErrors.js'
import { assertPageSize, defaultPageSize } from './pagination.js'

/** Multiplier of a list that is not a page (how many items it is assumed to hold). */
export const LIST_MULTIPLIER = 10

/**
 * Extra cost of a connection asked with a `search`, whatever its page size: a search page reads and checks every row
 * holding the search's trigrams (or walks the order's index until the page is full), a plain page reads its page.
 */
export const SEARCH_COMPLEXITY = 1_000

/** Default complexity budget of one operation (config `limits.maxComplexity`, env `QUERY_MAX_COMPLEXITY`). */
export const MAX_COMPLEXITY = 50_000

function isList(type: GraphQLOutputType): boolean {
  return isListType(isNonNullType(type) ? type.ofType : type)
}

/**
 * Pothos `complexity.fieldComplexity` for every field of the schema (see the module comment).
 * @param args the field's arguments, variables applied
 * @param ctx the request's context (its `maxPageSize`)
 * @throws {BadUserInputError} when `first` or `last` exceeds the page cap (so the cap is found before execution)
 */
export function fieldComplexity(args: Record<string, unknown>, ctx: GatewayContext, field: GraphQLField<unknown, unknown>): FieldComplexityValue {
  if (field.args.some((a) => a.name === 'first') && field.args.some((a) => a.name === 'last')) {
    const page = args as { first?: number | null; last?: number | null }
    if (ctx?.maxPageSize !== undefined) assertPageSize(page, ctx)
    const size = page.first ?? page.last ?? (ctx?.maxPageSize !== undefined ? defaultPageSize(page, ctx) : 20)
    const searched = field.args.some((a) => a.name === 'search') && args.search != null
    return { field: searched ? 1 + SEARCH_COMPLEXITY : 1, multiplier: Math.max(0, size) }
  }
  if (isList(field.type)) {
    const pageItems = (field.name === 'edges' && getNamedType(field.type).name.endsWith('Edge')) || field.name === 'nodes'
    return { field: 1, multiplier: pageItems ? 1 : LIST_MULTIPLIER }
  }
  return 1
}

/**
 * Measures the operation `args` will execute (its variables, operation name and context) against the cost model.
 * @returns its cost, or `undefined` when it cannot be measured (invalid variables, unknown operation name: execution
 *   reports those itself)
 * @throws {BadUserInputError} for a page above the cap
 */
export function measureComplexity(args: Pick<ExecutionArgs, 'schema' | 'document' | 'variableValues' | 'operationName' | 'contextValue'>): number | undefined {
  let complexity: number | undefined
  const rule = createComplexityRule({
    context: args.contextValue as object,
    variableValues: (args.variableValues ?? {}) as Record<string, unknown>,
    operationName: args.operationName ?? undefined,
    validate: (state) => {
      complexity = Math.max(complexity ?? 0, state.complexity)
    },
  })
  validate(args.schema, args.document, [rule])
  return complexity
}

/**
 * The check: `undefined` when the operation fits `maxComplexity`, else the error to answer with.
 * @returns a {@link QueryTooComplexError} or a {@link BadUserInputError} (page cap), both with HTTP 400
 */
export function checkComplexity(args: Parameters<typeof measureComplexity>[0], maxComplexity: number): QueryTooComplexError | BadUserInputError | undefined {
  let complexity: number | undefined
  try {
    complexity = measureComplexityCached(args)
  } catch (error) {
    if (error instanceof BadUserInputError) {
      Object.assign(error.extensions, { http: { status: 400 } })
      return error
    }
    // the Pothos rule's own refusals, e.g. "Could not find root type for operation mutation" (this schema has none):
    // thrown, they reached the client masked as BAD_USER_INPUT with HTTP 200
    if (error instanceof PothosValidationError) return new BadUserInputError(error.message, { http: { status: 400 } })
    throw error
  }
  return complexity !== undefined && complexity > maxComplexity ? new QueryTooComplexError(complexity, maxComplexity) : undefined
}

/**
 * The variables a document's cost depends on: those inside a `first` / `last` argument (the only arguments
 * {@link fieldComplexity} reads) or inside a directive (kept to be safe: the Pothos rule counts `@skip` / `@include`
 * selections today). Others (ids, cursors, filters) do not change the cost, so requests differing only in them share
 * one measurement.
 */
function costVariables(document: DocumentNode): string[] {
  const names = new Set<string>()
  let inDirective = 0
  let inPageArgument = 0
  visit(document, {
    Directive: {
      enter: () => {
        inDirective++
      },
      leave: () => {
        inDirective--
      },
    },
    Argument: {
      enter: (node) => {
        if (node.name.value === 'first' || node.name.value === 'last') inPageArgument++
      },
      leave: (node) => {
        if (node.name.value === 'first' || node.name.value === 'last') inPageArgument--
      },
    },
    Variable: (node, _key, parent) => {
      // a variable's own definition is not a use
      if ((parent as { kind?: string } | undefined)?.kind === Kind.VARIABLE_DEFINITION) return
      if (inDirective || inPageArgument) names.add(node.name.value)
    },
  })
  return [...names]
}

/** Costs measured per parsed document (yoga's parser cache hands out the same DocumentNode for the same text). */
const measured = new WeakMap<DocumentNode, { variables: string[]; costs: Map<string, number | undefined> }>()
/** Distinct (operation, cost variables, page cap) measurements kept per document before the oldest are dropped. */
const MAX_COSTS_PER_DOCUMENT = 256

/**
 * {@link measureComplexity}, remembered per document, operation name, page cap and the values of the variables the
 * cost depends on (see costVariables). A measurement that throws (a page size above the cap) is not remembered.
 * Profile of `npm run bench:queries` (`attestation(id)`): the uncached walk of the document was ~7 % of the gateway's CPU.
 */
export function measureComplexityCached(args: Parameters<typeof measureComplexity>[0]): number | undefined {
  let entry = measured.get(args.document)
  if (!entry) measured.set(args.document, (entry = { variables: costVariables(args.document), costs: new Map() }))
  const values = (args.variableValues ?? {}) as Record<string, unknown>
  const key = JSON.stringify([
    args.operationName ?? null,
    (args.contextValue as GatewayContext | undefined)?.maxPageSize ?? null,
    entry.variables.map((v) => values[v] ?? null),
  ])
  if (entry.costs.has(key)) return entry.costs.get(key)
  const cost = measureComplexity(args)
  if (entry.costs.size >= MAX_COSTS_PER_DOCUMENT) entry.costs.delete(entry.costs.keys().next().value!)
  entry.costs.set(key, cost)
  return cost
}
