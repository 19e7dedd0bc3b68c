/**
 * Expected GraphQL failures. Each is a `GraphQLError` with a stable `extensions.code`, so yoga's error
 * masking lets it through unchanged; anything else that escapes a resolver is masked as
 * `INTERNAL_SERVER_ERROR` (see `maskGatewayError`).
 */
import { GraphQLError } from 'graphql'
import { maskError as maskYogaError } from 'graphql-yoga'
import { PothosValidationError } from '@pothos/core'
import { toDatabaseInputError } from './userErrors.js'

/** Characters of a Pothos validation message sent back (it quotes the cursor it refused). */
const MAX_ECHOED_MESSAGE_CHARS = 200

/** The request is malformed: a bad id, a filter value that does not parse, a page larger than the cap. */
export class BadUserInputError extends GraphQLError {
  constructor(message: string, extensions: Record<string, unknown> = {}) {
    super(message, { extensions: { ...extensions, code: 'BAD_USER_INPUT' } })
    this.name = 'BadUserInputError'
  }
}

/**
 * `inLineageOf` names an attestation whose descendants exceed the walk's node cap: the filter would silently
 * answer with part of its lineage. `Attestation.lineage` pages through any lineage and says `truncated`.
 */
export class LineageTooLargeError extends GraphQLError {
  constructor(maxNodes: number) {
    super(`The lineage has more than ${maxNodes} descendants: "inLineageOf" would answer with part of it; page through Attestation.lineage instead`, {
      extensions: { code: 'LINEAGE_TOO_LARGE', argument: 'inLineageOf', maxNodes },
    })
    this.name = 'LineageTooLargeError'
  }
}

/**
 * A search with more matches than a page reads from the trigram index, whose walk of the order's index from the
 * cursor could not fill the page within its row cap (./searchPage.ts): answering would cost more than any page may.
 */
export class SearchTooBroadError extends GraphQLError {
  /** @param rows what was searched: `attestations` (default) or `schemas` */
  constructor(maxCandidates: number, maxWalk: number, rows = 'attestations') {
    super(
      `"search" matches more than ${maxCandidates} ${rows} and too few of the next ${maxWalk} rows of this order to fill the page: narrow the search or add a "where" filter`,
      { extensions: { code: 'SEARCH_TOO_BROAD', argument: 'search', maxCandidates, maxWalk } },
    )
    this.name = 'SearchTooBroadError'
  }
}

/**
 * A subscriber fell behind the journal and its bounded buffer overflowed. `extensions.cursor` is the journal
 * `seq` (decimal string) of the last event it received: a client resumes from there.
 */
export class SubscriptionOverflowError extends GraphQLError {
  readonly cursor: string
  constructor(cursor: string) {
    super('Subscriber fell behind the event stream and was disconnected; resume from the cursor', {
      extensions: { code: 'SUBSCRIPTION_OVERFLOW', cursor },
    })
    this.name = 'SubscriptionOverflowError'
    this.cursor = cursor
  }
}

/**
 * Yoga `maskedErrors.maskError`: Pothos validation errors (an invalid connection cursor, `first` and `last`
 * together) become `BAD_USER_INPUT` (message cut to 200 characters), and so does a value the database refused
 * (SQLSTATE class 22, see userErrors.ts); our own `GraphQLError`s pass; everything else is masked by yoga's default.
 * @param error what a resolver or the executor threw (usually a located `GraphQLError` wrapping it)
 * @returns the error to send to the client
 */
export function maskGatewayError(error: unknown, message: string, isDev?: boolean): Error {
  const original = error instanceof GraphQLError ? error.originalError : undefined
  const pothos = error instanceof PothosValidationError ? error : original instanceof PothosValidationError ? original : undefined
  if (pothos) {
    const located = error instanceof GraphQLError ? error : undefined
    const message = pothos.message.length > MAX_ECHOED_MESSAGE_CHARS ? `${pothos.message.slice(0, MAX_ECHOED_MESSAGE_CHARS)}…` : pothos.message
    return new GraphQLError(message, {
      nodes: located?.nodes,
      source: located?.source,
      positions: located?.positions,
      path: located?.path,
      extensions: { code: 'BAD_USER_INPUT' },
    })
  }
  return toDatabaseInputError(error) ?? maskYogaError(error, message, isDev)
}
