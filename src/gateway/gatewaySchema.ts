/**
 * The gateway's GraphQL schema. Every type file is imported HERE, explicitly (no registration by a side-effect
 * import elsewhere); `test/schema.test.ts` compares the printed schema with the committed `schema.graphql`.
 */
import { lexicographicSortSchema, printSchema } from 'graphql'
import { builder } from './builder.js'
import './types/dataLocation.js'
import './types/recipient.js'
import './types/attestationWhere.js'
import './types/attestation.js'
import './types/verification.js'
import './types/lineage.js'
import './types/schema.js'
import './types/offchainAttestation.js'
import './types/chainStatus.js'
import './types/attestationSubscriptions.js'
import './types/attestationEvents.js'
import './types/stats.js'

/** The executable schema (built once per process; resolvers take the Prisma client from the context). */
export const schema = builder.toSchema({ sortSchema: false })

/** SDL of the schema, types sorted by name: the content of `schema.graphql`. */
export function printGatewaySchema(): string {
  return `${printSchema(lexicographicSortSchema(schema))}\n`
}
