/**
 * Row filters of attestation subscriptions, judged in memory on the few facts they need.
 *
 * Why: every distinct filtered subscription used to ask the database about every event (a `findFirst` with its
 * filter, then a `count` when that found nothing). One client opening 3,000 distinct attester filters made that
 * 6,000 queries per event, and ordinary queries waited 14–31 s for a connection. Now the facts of the events'
 * attestations (attester, schema, indexing key, recipients, verification status) are read once per event-loop tick
 * for every subscription at once (one batched read, {@link createAttestationFactsLoader}), and each subscription
 * judges them with a predicate compiled from its filter ({@link compileAttestationPredicate}): the database cost
 * per event no longer depends on how many subscriptions, or how many distinct filters, there are.
 *
 * The facts travel beside the journal's event objects ({@link getAttestationFactsAnnotator}, the tails' `annotate`),
 * so each subscription's filter is synchronous: a subscription whose filter does not match an event never queues it.
 *
 * The predicate means exactly what the query filter means (`toAttestationWhereInput`, the same parsers;
 * test/subscriptionFilters.test.ts checks both agree on real rows).
 */
import DataLoader from 'dataloader'
import type { PrismaClient, VerificationStatus } from '../../generated/prisma/client.js'
import { toIndexableTextTruncated } from '../../db/toStorable.js'
import { parseIdFilter } from '../ids.js'
import { assertFilterText } from '../inputLimits.js'
import type { JournalEntry } from '../../journal/journalTail.js'
import { parseAddress, toRecipientMatch } from '../types/attestationWhere.js'

/** What a subscription filter may look at, for one attestation as stored. */
export type AttestationFacts = {
  chainId: number
  schemaId: bigint
  /** lower-case address */
  attester: string
  indexingKey: string
  /** decoded recipients: `address` lower-case when the recipient was address-encoded, `text` when string-encoded */
  recipients: { address: string | null; text: string | null }[]
  /** the verdict's status; null before the first verdict */
  status: VerificationStatus | null
}

/** The row conditions of a subscription (chain id and kinds are judged on the journal entry itself). */
export type AttestationRowFilter = {
  schemaId?: string | number | null
  attester?: string | null
  recipient?: string | null
  indexingKey?: string | null
  /** only while the verdict has one of these statuses */
  statuses?: readonly VerificationStatus[] | null
}

/**
 * Compiles a row filter into a predicate over {@link AttestationFacts}.
 * @returns undefined when the filter has no row condition (nothing to read)
 * @throws {BadUserInputError} when a schema id or attester does not parse (same messages as the query filter)
 */
export function compileAttestationPredicate(filter: AttestationRowFilter): ((facts: AttestationFacts) => boolean) | undefined {
  const tests: ((f: AttestationFacts) => boolean)[] = []
  if (filter.schemaId != null) {
    const { chainId, id } = parseIdFilter(assertFilterText(String(filter.schemaId), 'schemaId'), 'schemaId')
    tests.push((f) => f.schemaId === id && (chainId == null || f.chainId === chainId))
  }
  if (filter.attester != null) {
    const attester = parseAddress(assertFilterText(filter.attester, 'attester'), 'attester')
    tests.push((f) => f.attester === attester)
  }
  if (filter.recipient != null) {
    const match = toRecipientMatch(assertFilterText(filter.recipient, 'recipient'))
    if (!match)
      tests.push(() => false) // text too long to have been indexed: nothing stored matches
    else {
      const { address, texts } = match
      const textSet = new Set(texts)
      tests.push((f) => f.recipients.some((r) => (address !== undefined && r.address === address) || (r.text !== null && textSet.has(r.text))))
    }
  }
  if (filter.indexingKey != null) {
    // the indexer stored the indexing key through toIndexableTextTruncated: the same chain value maps alike here
    const key = toIndexableTextTruncated(assertFilterText(filter.indexingKey, 'indexingKey'))
    tests.push((f) => f.indexingKey === key)
  }
  if (filter.statuses?.length) {
    const statuses = new Set<string>(filter.statuses)
    tests.push((f) => f.status !== null && statuses.has(f.status))
  }
  if (!tests.length) return undefined
  return (f) => tests.every((test) => test(f))
}

/** `chainId:attestationId` (decimal) */
export type AttestationKey = string

/** distinct attestations read per query */
const FACTS_BATCH = 1_000
const loaders = new WeakMap<PrismaClient, DataLoader<AttestationKey, AttestationFacts | null>>()

/**
 * The facts loader of one gateway (one per Prisma client): every `load` made in one event-loop tick, by every
 * subscription, becomes one read of the distinct attestations (attestation, recipients and verification: one
 * query each through Prisma, whatever the number of keys up to {@link FACTS_BATCH}). Nothing is kept across ticks:
 * each tick reads the rows as they are then.
 * @returns `load(key)` → the facts, or null when the attestation does not exist (a reorg removed it)
 */
export function createAttestationFactsLoader(prisma: PrismaClient): DataLoader<AttestationKey, AttestationFacts | null> {
  const loader = loaders.get(prisma)
  if (loader) return loader
  const created: DataLoader<AttestationKey, AttestationFacts | null> = new DataLoader(
    async (keys) => {
      created.clearAll() // the cache only merges the keys of one tick: the next tick reads afresh
      const pairs = keys.map((k) => k.split(':')).map(([c, id]) => ({ chainId: Number(c), attestationId: BigInt(id!) }))
      const rows = await prisma.attestation.findMany({
        where: { OR: pairs },
        select: {
          chainId: true,
          attestationId: true,
          schemaId: true,
          attester: true,
          indexingKey: true,
          recipients: { select: { address: true, text: true } },
          verification: { select: { status: true } },
        },
      })
      const byKey = new Map(
        rows.map((r) => [
          `${r.chainId}:${r.attestationId}`,
          {
            chainId: r.chainId,
            schemaId: r.schemaId,
            attester: r.attester,
            indexingKey: r.indexingKey,
            recipients: r.recipients,
            status: r.verification?.status ?? null,
          },
        ]),
      )
      return keys.map((k) => byKey.get(k) ?? null)
    },
    { maxBatchSize: FACTS_BATCH },
  )
  loaders.set(prisma, created)
  return created
}

/** Facts kept beside journal event objects (every subscriber of a tail gets the same object). */
export type AttestationFactsAnnotator = {
  /** reads the facts of the attestation events among `events` (one batched read) and keeps them beside each event */
  annotate(events: JournalEntry[]): Promise<void>
  /** the facts kept for `event`: null when its attestation did not exist when read; undefined when never annotated */
  factsOf(event: JournalEntry): AttestationFacts | null | undefined
}

const annotators = new WeakMap<PrismaClient, AttestationFactsAnnotator>()

/**
 * The annotator of one gateway (one per Prisma client), the journal tails' `annotate`: facts are read once per batch
 * of events a tail delivers (and per replay page), for every subscription, and judged synchronously in each
 * subscription's filter: a subscriber whose filter does not match costs no queue entry, wake-up or promise.
 */
export function getAttestationFactsAnnotator(prisma: PrismaClient): AttestationFactsAnnotator {
  let annotator = annotators.get(prisma)
  if (annotator) return annotator
  const kept = new WeakMap<JournalEntry, AttestationFacts | null>()
  const loader = createAttestationFactsLoader(prisma)
  annotator = {
    async annotate(events) {
      const wanted = events.filter((e) => e.subjectType === 'ATTESTATION' && !kept.has(e))
      if (!wanted.length) return
      const keys = [...new Set(wanted.map((e) => `${e.chainId}:${e.subjectId}`))]
      const loaded = await loader.loadMany(keys)
      const failed = loaded.find((r) => r instanceof Error)
      if (failed) throw failed
      const byKey = new Map(keys.map((k, i) => [k, loaded[i] as AttestationFacts | null]))
      for (const e of wanted) kept.set(e, byKey.get(`${e.chainId}:${e.subjectId}`) ?? null)
    },
    factsOf: (event) => kept.get(event),
  }
  annotators.set(prisma, annotator)
  return annotator
}
