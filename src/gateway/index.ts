/** Public surface of the GraphQL gateway. */
export type { ChainStatusOverride, GatewayContext } from './builder.js'
export { ARMOR_LIMITS, createGateway, type CreateGatewayParameters, type Gateway, type ReadinessCheck } from './createGateway.js'
export { BadUserInputError, SubscriptionOverflowError } from './errors.js'
export { parseFullId, toFullId, toHexId } from './ids.js'
export {
  createJournalTail,
  type CreateJournalTailParameters,
  type JournalEntry,
  JournalOverflowError,
  type JournalSubscribeOptions,
  type JournalSubscription,
  type JournalTail,
} from '../journal/journalTail.js'
export { printGatewaySchema, schema } from './gatewaySchema.js'
export { type GatewayServer, startGatewayServer, type StartGatewayServerParameters } from './startGatewayServer.js'
