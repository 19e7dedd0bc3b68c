/**
 * `attestationEvents(where, after, finality)`: ONE ordered stream of everything that happens to attestations —
 * CREATED, REVOKED, STATUS_CHANGED, REMOVED (a reorg took a CREATED or REVOKED back) — each with a cursor (the
 * journal `seq`). `after: cursor` replays from the database what the subscriber missed, then continues live with
 * no gap and no duplicate (the journal tail's contract). A subscriber whose bounded buffer overflows is ended
 * with a `SUBSCRIPTION_OVERFLOW` error carrying its resume cursor.
 *
 * Finality (see finalityGate.ts): ingestion commits at the head. `LATEST` delivers as committed, with REMOVED
 * entries when a reorg takes one back; `SAFE` (default) holds each event until its block is `confirmations` deep
 * and never shows what a reorg took back before then; `FINALIZED` holds until the chain's finalized block.
 *
 * Filters: chainId and kinds apply to the journal facts; schemaId / attester / recipient need the row (its facts are
 * read once per tick for every subscription, attestationFacts.ts), so an event whose attestation no longer exists
 * (REMOVED after a reorg) is delivered whenever its chain and kind match.
 *
 * `after` must be a cursor this journal has issued: one beyond the database's last seq is refused (BAD_USER_INPUT).
 * Replays are paced process-wide (replayLimiter.ts): too many at once, or per connection, get REPLAY_LIMIT.
 */
import DataLoader from 'dataloader'
import { GraphQLError } from 'graphql'
import { builder, type GatewayContext } from '../builder.js'
import { SubscriptionOverflowError } from '../errors.js'
import { isStorableUint64, toFullId } from '../ids.js'
import { type JournalEntry, JournalOverflowError, type JournalSubscription } from '../../journal/journalTail.js'
import {
  type AttestationFacts,
  type AttestationRowFilter,
  compileAttestationPredicate,
  createAttestationFactsLoader,
  getAttestationFactsAnnotator,
} from '../live/attestationFacts.js'
import { assertCursorInJournal } from '../journalCursor.js'
import { connectionOf, ReplayLimitError, toReplayLimitGraphQLError } from '../../journal/replayLimiter.js'
import type { DeliveryLevel } from '../../journal/finalityGate.js'

const AttestationEventKind = builder.enumType('AttestationEventKind', { values: ['CREATED', 'REVOKED', 'STATUS_CHANGED', 'REMOVED'] as const })
const Finality = builder.enumType('Finality', {
  description: 'When an event is delivered: at the head, at the configured confirmation depth, or once finalized',
  values: ['LATEST', 'SAFE', 'FINALIZED'] as const,
})

const AttestationEventsWhere = builder.inputType('AttestationEventsWhere', {
  fields: (t) => ({
    chainId: t.int(),
    schemaId: t.id({ description: 'SignScan full schema id, or a numeric id' }),
    attester: t.string(),
    recipient: t.string(),
    kinds: t.field({ type: [AttestationEventKind], description: 'default: every kind' }),
  }),
})

/** What flows from `subscribe` to `resolve`: a journal event, or the news that the subscriber overflowed. */
export type AttestationEventPayload = { event: JournalEntry; overflowCursor?: undefined } | { event?: undefined; overflowCursor: string }

const AttestationEvent = builder.objectRef<JournalEntry>('AttestationEvent')
AttestationEvent.implement({
  description: 'One journal entry about an attestation, in commit order',
  fields: (t) => ({
    cursor: t.string({ description: 'pass as `after` to resume right after this event', resolve: (e) => e.seq }),
    kind: t.field({ type: AttestationEventKind, resolve: (e) => e.kind }),
    chainId: t.exposeInt('chainId'),
    attestationId: t.id({ description: 'SignScan full id', resolve: (e) => toFullId(e.chainId, BigInt(e.subjectId)) }),
    blockNumber: t.string({ resolve: (e) => e.blockNumber }),
    blockHash: t.string({ resolve: (e) => e.blockHash }),
    logIndex: t.exposeInt('logIndex'),
    attestation: t.prismaField({
      type: 'Attestation',
      nullable: true,
      description: 'the attestation as stored when the event is delivered (the rows of a burst of events are read together); null when a reorg removed it',
      resolve: (query, e, _args, ctx) => loadAhead(ctx, query, e) as never,
    }),
  }),
})

/** Rows read ahead for one execution: valid for its events up to `throughSeq`, for one selection shape. */
type Lookahead = { shape: string; throughSeq: bigint; rows: Map<string, unknown> }
const lookaheads = new WeakMap<GatewayContext, Lookahead>()
/** how many upcoming events' rows are read with the one being resolved */
const LOOKAHEAD_EVENTS = 200

/**
 * The attestation of event `e`. An execution resolves its events one after another, each waiting for its row; a
 * shared execution serving 10,000 subscribers behind a busy event loop got one event through per loop turn. So the
 * rows of the events the journal subscription already holds (`ctx.eventStream.peek`) are read in the same query and
 * kept for those events. A kept row was read after every one of them was committed; an event beyond them reads
 * afresh. Thousands of unshared executions resolving the same event in one tick still share one query (DataLoader).
 * @param query the Pothos/Prisma selection of the `attestation` field
 * @returns the row (shaped by `query`) or null when it no longer exists (a reorg removed it)
 * @throws the database error of the batched read
 */
export async function loadAhead(ctx: GatewayContext, query: object, e: JournalEntry): Promise<unknown> {
  const key = `${e.chainId}:${e.subjectId}`
  const shape = JSON.stringify(query)
  const seq = BigInt(e.seq)
  const ahead = lookaheads.get(ctx)
  if (ahead && ahead.shape === shape && seq <= ahead.throughSeq && ahead.rows.has(key)) return ahead.rows.get(key)
  const upcoming = (ctx.eventStream?.peek(LOOKAHEAD_EVENTS) ?? []).filter((u) => u.subjectType === 'ATTESTATION' && BigInt(u.seq) > seq)
  const loader = loaderFor(ctx, query, shape)
  if (!upcoming.length) return loader.load(key)
  const keys = [...new Set([key, ...upcoming.map((u) => `${u.chainId}:${u.subjectId}`)])]
  const rows = await loader.loadMany(keys)
  const failed = rows.find((r) => r instanceof Error)
  if (failed) throw failed
  lookaheads.set(ctx, { shape, throughSeq: BigInt(upcoming[upcoming.length - 1]!.seq), rows: new Map(keys.map((k, i) => [k, rows[i]])) })
  return rows[0]
}

const loaders = new WeakMap<object, Map<string, DataLoader<string, unknown>>>()

/**
 * A DataLoader per gateway (keyed by its Prisma client) and per Prisma selection, without a cache (every tick
 * reads fresh rows): loads for `chainId:attestationId` keys in one tick become one `findMany`.
 */
function loaderFor(ctx: GatewayContext, query: object, shape = JSON.stringify(query)): DataLoader<string, unknown> {
  let byShape = loaders.get(ctx.prisma)
  if (!byShape) loaders.set(ctx.prisma, (byShape = new Map()))
  let loader = byShape.get(shape)
  if (!loader) {
    loader = new DataLoader<string, unknown>(
      async (keys) => {
        // Every subscriber loads the same few keys: query each distinct key once.
        const pairs = [...new Set(keys)].map((k) => k.split(':')).map(([c, id]) => ({ chainId: Number(c), attestationId: BigInt(id!) }))
        const q = query as { select?: Record<string, unknown>; include?: Record<string, unknown> }
        const select = q.select ? { ...q.select, chainId: true, attestationId: true } : undefined
        const rows = (await ctx.prisma.attestation.findMany({ ...(select ? { select } : { include: q.include }), where: { OR: pairs } } as never)) as {
          chainId: number
          attestationId: bigint
        }[]
        const byKey = new Map(rows.map((r) => [`${r.chainId}:${r.attestationId}`, r]))
        return keys.map((k) => byKey.get(k) ?? null)
      },
      { cache: false, maxBatchSize: 500 },
    )
    if (byShape.size < 100) byShape.set(shape, loader) // bounded: exotic selections just go unbatched
  }
  return loader
}

/**
 * Checks a journal cursor (`after`): a `seq` as a decimal string, as `AttestationEvent.cursor` gives it.
 * @returns the seq
 * @throws {GraphQLError} BAD_USER_INPUT when it is not a decimal integer that fits the journal's int64 `seq`
 */
export function parseEventCursor(after: string): bigint {
  const seq = /^\d{1,19}$/.test(after) ? BigInt(after) : -1n
  if (!isStorableUint64(seq))
    throw new GraphQLError('`after` must be a cursor from an earlier event', { extensions: { code: 'BAD_USER_INPUT', argument: 'after' } })
  return seq
}

export type FollowAttestationEventsOptions = {
  where?: {
    chainId?: number | null
    schemaId?: string | number | null
    attester?: string | null
    recipient?: string | null
    kinds?: readonly string[] | null
  } | null
  after?: string | null
  finality?: DeliveryLevel | null
  /** further row conditions (an indexing key, verification statuses) an event's attestation must meet */
  extra?: Pick<AttestationRowFilter, 'indexingKey' | 'statuses'>
}

/** facts of how many upcoming buffered events are read with the one being judged */
const FACTS_LOOKAHEAD_EVENTS = 200

/**
 * Follows the journal at one delivery level for attestation events matching `where`: chain id and kinds are judged
 * on the journal facts, the other filters (and `extra`) in memory on the attestation's facts, read for every
 * subscription of the gateway at once (attestationFacts.ts): no query per subscription per event. A REMOVED event
 * whose attestation no longer exists is delivered whenever chain and kind match (its facts went with the rows the
 * rollback deleted; a subscriber cannot tell whether it had been given the retracted entry, so it is told); one whose
 * attestation exists again (re-ingested after the reorg) is judged like any other.
 * When the subscriber's buffer overflows, yields one `overflowCursor` payload (the resolver turns it into
 * SUBSCRIPTION_OVERFLOW) and ends. Attaches at once, so the stream starts at subscription time.
 * Sets `ctx.eventStream` to the journal subscription (shared executions read its cursor, ready count and replay
 * state: useSharedSubscriptions.ts).
 * @throws {GraphQLError} BAD_USER_INPUT for a malformed cursor or filter; REPLAY_LIMIT when `after` is given and
 *   too many replays run already (replayLimiter.ts)
 */
export function followAttestationEvents(ctx: GatewayContext, options: FollowAttestationEventsOptions): AsyncIterableIterator<AttestationEventPayload> {
  if (options.after != null) parseEventCursor(options.after)
  const where = options.where ?? {}
  const kinds = new Set(where.kinds?.length ? where.kinds : ['CREATED', 'REVOKED', 'STATUS_CHANGED', 'REMOVED'])
  const matches = compileAttestationPredicate({ schemaId: where.schemaId, attester: where.attester, recipient: where.recipient, ...options.extra })
  const annotator = getAttestationFactsAnnotator(ctx.prisma)
  /** judged on the facts the tail read for the event, for every subscription at once; undefined: judged in next() */
  const judge = (e: JournalEntry): boolean | undefined => {
    const row = annotator.factsOf(e)
    return row === undefined ? undefined : row ? matches!(row) : e.kind === 'REMOVED'
  }
  let subscription: JournalSubscription
  try {
    subscription = ctx.journal.subscribe({
      after: options.after ?? undefined,
      finality: options.finality ?? 'SAFE',
      filter: (e) =>
        e.subjectType === 'ATTESTATION' && kinds.has(e.kind) && (where.chainId == null || e.chainId === where.chainId) && (!matches || judge(e) !== false),
      connection: connectionOf(ctx),
      annotated: matches !== undefined,
    })
  } catch (error) {
    if (error instanceof ReplayLimitError) throw toReplayLimitGraphQLError(error)
    throw error
  }
  ctx.eventStream = subscription
  const facts = createAttestationFactsLoader(ctx.prisma)
  /** facts read ahead for buffered events, valid for events up to `throughSeq` */
  let ahead: { throughSeq: bigint; facts: Map<string, AttestationFacts | null> } | undefined
  const factsOf = async (e: JournalEntry): Promise<AttestationFacts | null> => {
    const key = `${e.chainId}:${e.subjectId}`
    const seq = BigInt(e.seq)
    if (ahead && seq <= ahead.throughSeq && ahead.facts.has(key)) return ahead.facts.get(key)!
    const upcoming = subscription.peek(FACTS_LOOKAHEAD_EVENTS)
    if (!upcoming.length) return facts.load(key)
    const keys = [...new Set([key, ...upcoming.map((u) => `${u.chainId}:${u.subjectId}`)])]
    const loaded = await facts.loadMany(keys)
    const failed = loaded.find((r) => r instanceof Error)
    if (failed) throw failed
    ahead = { throughSeq: BigInt(upcoming[upcoming.length - 1]!.seq), facts: new Map(keys.map((k, i) => [k, loaded[i] as AttestationFacts | null])) }
    return loaded[0] as AttestationFacts | null
  }
  let finished = false
  const iterator: AsyncIterableIterator<AttestationEventPayload> = {
    [Symbol.asyncIterator]: () => iterator,
    async next() {
      if (finished) return { done: true, value: undefined }
      try {
        for (;;) {
          const result = await subscription.next()
          if (result.done) {
            finished = true
            return { done: true, value: undefined }
          }
          const e = result.value
          if (matches && judge(e) === undefined) {
            // not annotated by the tail (e.g. a tail without an annotator): read now, batched across subscriptions
            const row = await factsOf(e)
            if (row ? !matches(row) : e.kind !== 'REMOVED') continue
          }
          return { done: false, value: { event: e } }
        }
      } catch (error) {
        finished = true
        subscription.close()
        if (error instanceof JournalOverflowError) return { done: false, value: { overflowCursor: error.cursor } }
        throw error
      }
    },
    async return() {
      finished = true
      subscription.close()
      return { done: true, value: undefined }
    },
  }
  return iterator
}

builder.subscriptionFields((t) => ({
  attestationEvents: t.field({
    type: AttestationEvent,
    description: 'Every attestation event matching `where`, in commit order; `after` resumes from a cursor with no gap and no duplicate',
    args: {
      where: t.arg({ type: AttestationEventsWhere }),
      after: t.arg.string({ description: 'cursor of the last event received' }),
      finality: t.arg({ type: Finality, defaultValue: 'SAFE' }),
    },
    subscribe: async (_root, args, ctx) => {
      const options = args as FollowAttestationEventsOptions
      const iterator = followAttestationEvents(ctx, options) // malformed input is refused before any read
      if (options.after != null) {
        try {
          await assertCursorInJournal(ctx.prisma, options.after)
        } catch (error) {
          await iterator.return?.()
          throw error
        }
      }
      return iterator
    },
    resolve: (payload) => {
      const p = payload as unknown as AttestationEventPayload
      if (p.overflowCursor !== undefined) throw new SubscriptionOverflowError(p.overflowCursor)
      return p.event
    },
  }),
}))
