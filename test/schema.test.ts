/**
 * `schema.graphql` is printed from the code (npm run schema:print) and committed: partners and codegen read it.
 * These tests fail when it drifts from the code, or when the committed typed documents in test/generated drift
 * from schema.graphql + test/graphql (npm run codegen).
 */
import { readFile } from 'node:fs/promises'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { printGatewaySchema } from '../src/gateway/gatewaySchema.js'

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..')

describe('schema.graphql', () => {
  it('matches the schema printed from the code (run `npm run schema:print`)', async () => {
    const committed = await readFile(join(ROOT, 'schema.graphql'), 'utf8')
    expect(committed, 'schema.graphql is stale: run `npm run schema:print`').toBe(printGatewaySchema())
  })

  it('keeps the exact names partners code against', () => {
    const printed = printGatewaySchema()
    for (const line of [
      'attestation(id: ID!): Attestation',
      'schema(id: ID!): Schema',
      'offchainAttestation(chainId: Int!, offchainAttestationId: String!): OffchainAttestation',
      'indexerStatus: [ChainStatus!]!',
      'attestationCreated(where: AttestationSubscriptionWhere): Attestation',
      'attestationRevoked(where: AttestationSubscriptionWhere): Attestation',
    ]) {
      expect(printed).toContain(line)
    }
    expect(printed).toMatch(
      /attestations\(after: String, before: String, first: Int, last: Int, orderBy: AttestationOrder = ATTESTATION_ID_DESC, search: String, where: AttestationWhere\): AttestationConnection!/,
    )
  })
})

describe('test/generated', () => {
  it('is what `npm run codegen` produces from schema.graphql and test/graphql', async () => {
    const { generate, loadContext } = await import('@graphql-codegen/cli')
    const context = await loadContext(join(ROOT, 'codegen.yml'))
    const outputs = await generate(context, false)
    expect(outputs.length).toBeGreaterThan(0)
    for (const output of outputs) {
      const committed = await readFile(resolve(ROOT, output.filename), 'utf8').catch(() => '')
      expect(committed, `${output.filename} is stale: run \`npm run codegen\``).toBe(output.content)
    }
  })
})
