/**
 * The GraphQL operations partners send, as this repository knows them: every ```graphql block of the README and
 * every document under test/graphql/, split into one document per operation (with the fragments it may use), and
 * values for their required variables against the gateway fixtures (test/fixtures/gatewayFixtures.ts).
 */
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { type DefinitionNode, type DocumentNode, Kind, type OperationDefinitionNode, parse, print } from 'graphql'
import { CHAIN } from '../fixtures/gatewayFixtures.js'

export type CorpusOperation = { source: string; name: string; document: DocumentNode; operation: OperationDefinitionNode }

/** The README's GraphQL blocks (≥ 1) and test/graphql/*.graphql, one entry per operation. */
export function readPartnerCorpus(): { readmeBlocks: string[]; operations: CorpusOperation[] } {
  const root = join(import.meta.dirname, '..', '..')
  const readme = readFileSync(join(root, 'README.md'), 'utf8')
  const readmeBlocks = [...readme.matchAll(/```graphql\n([\s\S]*?)```/g)].map((m) => m[1]!)
  const dir = join(root, 'test', 'graphql')
  const sources = [
    ...readmeBlocks.map((text, i) => ({ source: `README.md block ${i + 1}`, text })),
    ...readdirSync(dir)
      .filter((f) => f.endsWith('.graphql'))
      .map((f) => ({ source: `test/graphql/${f}`, text: readFileSync(join(dir, f), 'utf8') })),
  ]
  return { readmeBlocks, operations: sources.flatMap(({ source, text }) => operationsOf(parse(text)).map((op) => ({ ...op, source }))) }
}

/** Splits a document into one document per operation (each with every fragment), for documents holding several. */
export function operationsOf(document: DocumentNode): { name: string; document: DocumentNode; operation: OperationDefinitionNode }[] {
  const fragments = document.definitions.filter((d) => d.kind === Kind.FRAGMENT_DEFINITION)
  return document.definitions
    .filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION)
    .map((operation) => ({
      name: operation.name?.value ?? `anonymous ${operation.operation}`,
      operation,
      document: { kind: Kind.DOCUMENT, definitions: [operation, ...fragments] as DefinitionNode[] },
    }))
}

/** Values for an operation's required variables (page sizes: the default page size, as a client that picks none). */
export function variablesFor(operation: OperationDefinitionNode): Record<string, unknown> {
  const values: Record<string, unknown> = {}
  for (const v of operation.variableDefinitions ?? []) {
    if (v.type.kind !== Kind.NON_NULL_TYPE) continue
    const name = v.variable.name.value
    const type = print(v.type)
    values[name] =
      type === 'Int!' ? (name === 'chainId' ? CHAIN : 20) : type === 'ID!' ? 'onchain_evm_31337_0x5' : type === 'LineageDirection!' ? 'ANCESTORS' : 'off-1'
  }
  return values
}
