/**
 * Subscriptions one client cannot use to starve everyone (issue 12 §3). Real anvil + contract + PostgreSQL, the real
 * indexer feeding the journal, the in-process gateway over SSE (yoga.fetch):
 * - many distinct filtered subscriptions cost a bounded number of database reads per commit, not reads per
 *   subscriber per event, and each still gets exactly what its filter means (checked against the query filter);
 * - dozens of replays from `after: "0"` over a journal of thousands of entries complete without gap or duplicate
 *   while queries and /healthz are answered (latencies printed, not asserted);
 * - `after` beyond the journal's end is refused.
 */
import type { TypedDocumentNode } from '@graphql-typed-document-node/core'
import { parse } from 'graphql'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { addressRecipient, devAccount, stringRecipient, tupleScore } from '../src/devnet/index.js'
import { compileAttestationPredicate, createAttestationFactsLoader } from '../src/gateway/live/attestationFacts.js'
import { toAttestationWhereInput } from '../src/gateway/types/attestationWhere.js'
import { seededRandom } from './bench/hostileClient.js'
import { execute, type SseSubscription, subscribeSse } from './helpers/graphql.js'
import { type LiveStack, startLiveStack } from './helpers/liveStack.js'

let stack: LiveStack
const queries: string[] = []

beforeAll(async () => {
  stack = await startLiveStack('fairness', { onQuery: (e) => queries.push(e.query) })
})

afterAll(async () => {
  await stack?.stop()
})

const doc = (source: string) => parse(source) as TypedDocumentNode<any, any>
const EVENTS = doc(
  'subscription($where: AttestationEventsWhere, $after: String) { attestationEvents(where: $where, after: $after, finality: LATEST) { cursor kind attestationId } }',
)
const fullId = (id: bigint) => `onchain_evm_${stack.devnet.chainId}_0x${id.toString(16)}`
const attesterOf = (account: number) => devAccount(account).address.toLowerCase()

it('judges many distinct filtered subscriptions with reads bounded by the commits, not by the subscribers', async () => {
  const seed = 12_001
  console.log(`filtered subscriptions: seed ${seed}`)
  const random = seededRandom(seed)
  const { gateway, schemaId, writer } = stack
  const randomAttester = () => `0x${Array.from({ length: 40 }, () => Math.floor(random() * 16).toString(16)).join('')}`
  const subs: SseSubscription<unknown>[] = []
  for (let i = 0; i < 60; i++) subs.push(await subscribeSse(gateway.yoga, EVENTS, { where: { attester: randomAttester() } }))
  const mine = await subscribeSse(gateway.yoga, EVENTS, { where: { attester: attesterOf(1) } })
  const theirs = await subscribeSse(gateway.yoga, EVENTS, { where: { attester: attesterOf(2), schemaId: String(schemaId) } })
  await new Promise((r) => setTimeout(r, 300)) // every subscription attached (the stream starts at subscription time)

  queries.length = 0
  const keys = Array.from({ length: 5 }, (_, i) => `filtered-${i}`)
  const ids = await writer.attestBatch(
    1,
    keys.map((key) => ({ schemaId, data: tupleScore(key, 1n) })),
    keys,
  )
  const other = await writer.attest(2, { schemaId, data: tupleScore('filtered-other', 1n) }, 'filtered-other')
  const got: string[] = []
  for (let i = 0; i < 5; i++) got.push((await mine.next(20_000)).data.attestationEvents.attestationId)
  expect(got).toEqual(ids.map(fullId))
  // account 1's five events were judged and filtered out for this one: its first event is account 2's
  expect((await theirs.next(20_000)).data.attestationEvents.attestationId).toBe(fullId(other))
  const attestationReads = queries.filter((q) => /FROM "public"\."Attestation"/.test(q) && !/"public"\."Event"/.test(q)).length
  console.log(`filtered subscriptions: 62 subscriptions, 2 commits of 6 events: ${attestationReads} attestation reads, ${queries.length} queries in all`)
  // one facts read per batch of events; before: a findFirst (+ a count) per subscription per event, 372+ here
  expect(attestationReads).toBeLessThanOrEqual(6)
  for (const s of [...subs, mine, theirs]) s.close()
}, 60_000)

it('means in memory exactly what the query filter means', async () => {
  const seed = 12_002
  console.log(`filter equivalence: seed ${seed}`)
  const random = seededRandom(seed)
  const { db, schemaId, writer } = stack
  const people = [devAccount(3).address, devAccount(4).address]
  const pick = <T>(list: readonly T[]) => list[Math.floor(random() * list.length)]!
  const recipientsFor = () => {
    const who = pick(people)
    return pick([[addressRecipient(who)], [stringRecipient(who)], [stringRecipient(who.toLowerCase())], [stringRecipient('alice')], []])
  }
  const created: bigint[] = []
  for (let i = 0; i < 12; i++)
    created.push(await writer.attest(1 + (i % 2), { schemaId, data: tupleScore(`eq-${i}`, 1n), recipients: recipientsFor() }, `eq-${i % 4}`))
  const chainId = stack.devnet.chainId
  const where = { chainId, attestationId: { in: created } }
  for (;;) {
    if ((await db.prisma.attestation.count({ where })) === created.length) break
    await new Promise((r) => setTimeout(r, 100))
  }
  const facts = createAttestationFactsLoader(db.prisma)
  const loaded = await facts.loadMany(created.map((id) => `${chainId}:${id}`))
  const values = {
    schemaId: [
      String(schemaId),
      `0x${schemaId.toString(16)}`,
      `onchain_evm_${chainId}_0x${schemaId.toString(16)}`,
      `onchain_evm_${chainId + 1}_0x${schemaId.toString(16)}`,
      '999',
    ],
    attester: [devAccount(1).address, attesterOf(2), attesterOf(5)],
    recipient: [...people, people[0]!.toLowerCase(), people[1]!.toUpperCase().replace('0X', '0x'), 'alice', 'bob'],
    indexingKey: ['eq-0', 'eq-1', 'eq-9'],
  }
  for (let round = 0; round < 40; round++) {
    const filter: Record<string, string> = {}
    for (const [field, options] of Object.entries(values)) if (random() < 0.5) filter[field] = pick(options)
    const expected = (await db.prisma.attestation.findMany({ where: { AND: [where, toAttestationWhereInput(filter)] }, select: { attestationId: true } }))
      .map((r) => r.attestationId)
      .sort()
    const matches = compileAttestationPredicate(filter) ?? (() => true)
    const actual = created.filter((_, i) => matches(loaded[i] as never)).sort()
    expect({ filter, ids: actual }).toEqual({ filter, ids: expected })
  }
}, 60_000)

it('refuses a cursor beyond the end of the journal', async () => {
  const last = (await stack.db.prisma.event.aggregate({ _max: { seq: true } }))._max.seq ?? 0n
  const beyond = await subscribeSse(stack.gateway.yoga, EVENTS, { after: String(last + 1_000n) })
  const result = await beyond.next(10_000)
  expect(result.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT')
  expect(result.errors?.[0]?.extensions?.argument).toBe('after')
  beyond.close()
  // the last cursor itself is fine: the subscription waits for what comes next
  const atEnd = await subscribeSse(stack.gateway.yoga, EVENTS, { after: String(last) })
  const id = await stack.writer.attest(1, { schemaId: stack.schemaId, data: tupleScore('after-end', 1n) }, 'after-end')
  for (;;) {
    const e = (await atEnd.next(20_000)).data.attestationEvents
    if (e.attestationId === fullId(id)) break
  }
  atEnd.close()
}, 60_000)

it('replays dozens of subscribers from "0" over thousands of entries while queries and /healthz are answered', async () => {
  const { gateway, schemaId, writer } = stack
  let last = 0n
  for (let k = 0; k < 2_000; k += 100) {
    const keys = Array.from({ length: 100 }, (_, j) => `replay-${k + j}`)
    last = (
      await writer.attestBatch(
        1 + ((k / 100) % 4),
        keys.map((key) => ({ schemaId, data: tupleScore(key, 1n) })),
        keys,
      )
    ).at(-1)!
  }
  const where = { chainId: stack.devnet.chainId, kinds: ['CREATED'] }
  while (!(await stack.db.prisma.event.findFirst({ where: { chainId: where.chainId, kind: 'CREATED', subjectId: String(last) } })))
    await new Promise((r) => setTimeout(r, 100))
  const expected = (
    await stack.db.prisma.event.findMany({
      where: { chainId: where.chainId, kind: 'CREATED', subjectType: 'ATTESTATION' },
      orderBy: { seq: 'asc' },
      select: { seq: true },
    })
  ).map((e) => e.seq.toString())
  expect(expected.length).toBeGreaterThanOrEqual(2_000)
  const probeId = `onchain_evm_${where.chainId}_0x1`
  const readers = await Promise.all(Array.from({ length: 20 }, () => subscribeSse(gateway.yoga, EVENTS, { where, after: '0' })))
  const idle = await Promise.all(Array.from({ length: 10 }, () => subscribeSse(gateway.yoga, EVENTS, { where, after: '0' }))) // never read
  const latencies = { query: [] as number[], healthz: [] as number[] }
  let replaying = true
  const probing = (async () => {
    while (replaying) {
      let started = performance.now()
      const answer = await execute(gateway.yoga, `{ attestation(id: "${probeId}") { id } }`)
      expect(answer.data).toEqual({ attestation: { id: probeId } })
      latencies.query.push(performance.now() - started)
      started = performance.now()
      const health = await gateway.yoga.fetch('http://gateway.test/healthz')
      expect(health.status).toBe(200)
      latencies.healthz.push(performance.now() - started)
      await new Promise((r) => setTimeout(r, 50))
    }
  })()
  const started = performance.now()
  await Promise.all(
    readers.map(async (reader) => {
      const cursors: string[] = []
      while (cursors.length < expected.length) cursors.push((await reader.next(60_000)).data.attestationEvents.cursor)
      expect(cursors).toEqual(expected) // every entry once, in order
      reader.close()
    }),
  )
  const replaySeconds = (performance.now() - started) / 1_000
  replaying = false
  await probing
  for (const s of idle) s.close()
  const describe = (list: number[]) => {
    const sorted = [...list].sort((a, b) => a - b)
    return `p50 ${sorted[Math.floor(sorted.length / 2)]?.toFixed(0)} ms, max ${sorted.at(-1)?.toFixed(0)} ms (${sorted.length})`
  }
  console.log(
    `replays: 20 reading + 10 idle from "0" over ${expected.length} entries in ${replaySeconds.toFixed(1)} s; query ${describe(latencies.query)}; /healthz ${describe(latencies.healthz)}`,
  )
  expect(latencies.query.length).toBeGreaterThan(0)
}, 180_000)
