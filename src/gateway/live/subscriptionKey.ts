/**
 * The sharing key of a subscription operation: identical live subscriptions (same document, operation and variables)
 * share one execution (useSharedSubscriptions.ts).
 */
import { type DocumentNode, Kind, type OperationDefinitionNode } from 'graphql'

export type SubscriptionKeyArgs = {
  document: DocumentNode
  operationName?: string | null
  variableValues?: Record<string, unknown> | null
}

/** `key`: the sharing key; `resumes`: the operation resumes `after` a journal cursor, `after` (as a string) */
export type SubscriptionKey = { key: string; resumes: boolean; after?: string }

/**
 * Creates the key function. A key is the parsed document object (yoga caches parses by source text, so a document
 * gets an id the first time it is seen) + the operation name + the JSON of the variables without the root field's
 * `after` variable: a resumed operation's key is the one of the same operation without `after`, so once caught up it
 * can merge into that execution or become it.
 * @returns `keyOf(args)`: null when the operation is not shareable (not a subscription, or a literal `after` cursor
 *   in the document: it runs alone)
 */
export function createSubscriptionKeys(): (args: SubscriptionKeyArgs) => SubscriptionKey | null {
  const documentIds = new WeakMap<DocumentNode, number>()
  let nextDocumentId = 0
  return (args) => {
    const variables = { ...(args.variableValues ?? {}) }
    const operation = args.document.definitions.find(
      (d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION && (!args.operationName || d.name?.value === args.operationName),
    )
    const root = operation?.selectionSet.selections[0]
    if (operation?.operation !== 'subscription' || root?.kind !== Kind.FIELD) return null
    const after = root.arguments?.find((arg) => arg.name.value === 'after')?.value
    let resumes = false
    let afterValue: string | undefined
    if (after?.kind === Kind.VARIABLE) {
      resumes = variables[after.name.value] != null
      if (resumes) afterValue = String(variables[after.name.value])
      delete variables[after.name.value]
    } else if (after && after.kind !== Kind.NULL) return null // a literal cursor in the document: runs alone
    let id = documentIds.get(args.document)
    if (id === undefined) documentIds.set(args.document, (id = nextDocumentId++))
    return { key: `${id}:${args.operationName ?? ''}:${JSON.stringify(variables)}`, resumes, after: afterValue }
  }
}
