/**
 * `attestationEvents`: one ordered stream with cursors; resuming `after` a cursor across a disconnect while
 * events keep arriving gives every event exactly once; a reorg delivers REMOVED. Real anvil + contract +
 * PostgreSQL, the real indexer feeding the journal, the gateway over SSE (yoga.fetch).
 */
import { afterAll, beforeAll, expect, it } from 'vitest'
import { tupleScore } from '../src/devnet/index.js'
import { OnAttestationEventsDocument } from './generated/graphql.js'
import { subscribeSse } from './helpers/graphql.js'
import { createTruthClient } from './helpers/groundTruth.js'
import { type LiveStack, startLiveStack } from './helpers/liveStack.js'

let stack: LiveStack

beforeAll(async () => {
  stack = await startLiveStack('events')
})

afterAll(async () => {
  await stack?.stop()
})

const fullId = (id: bigint) => `onchain_evm_${stack.devnet.chainId}_0x${id.toString(16)}`
const attest = (name: string) => stack.writer.attest(1, { schemaId: stack.schemaId, data: tupleScore(name, 1n) }, name)

it('resumes after a cursor with no gap and no duplicate, then continues live; reorgs arrive as REMOVED', async () => {
  const { devnet, gateway, writer } = stack
  const where = { chainId: devnet.chainId }
  const first = await subscribeSse(gateway.yoga, OnAttestationEventsDocument, { where })
  const a1 = await attest('a1')
  const a2 = await attest('a2')
  const e1 = (await first.next(20_000)).data!.attestationEvents!
  const e2 = (await first.next(20_000)).data!.attestationEvents!
  expect([e1.kind, e1.attestationId, e2.kind, e2.attestationId]).toEqual(['CREATED', fullId(a1), 'CREATED', fullId(a2)])
  expect(BigInt(e2.cursor)).toBeGreaterThan(BigInt(e1.cursor))
  first.close()

  // disconnected: events keep arriving
  const a3 = await attest('a3')
  await writer.revoke(1, a1, 'gone')
  const second = await subscribeSse(gateway.yoga, OnAttestationEventsDocument, { where, after: e2.cursor })
  const a4 = await attest('a4') // may be committed before or after the replay: must appear exactly once
  const seen: { kind: string; id: string; cursor: string }[] = []
  while (seen.length < 3) {
    const e = (await second.next(20_000)).data!.attestationEvents!
    seen.push({ kind: e.kind, id: e.attestationId, cursor: e.cursor })
  }
  expect(seen.map((e) => [e.kind, e.id])).toEqual([
    ['CREATED', fullId(a3)],
    ['REVOKED', fullId(a1)],
    ['CREATED', fullId(a4)],
  ])
  expect(new Set(seen.map((e) => e.cursor)).size).toBe(3)

  // a reorg takes a5 back: the stream says so
  const rpc = (method: string, params: unknown[] = []) => createTruthClient(devnet.rpcUrl).request({ method: method as never, params: params as never })
  const snapshot = await rpc('evm_snapshot')
  const a5 = await attest('a5')
  const created = (await second.next(20_000)).data!.attestationEvents!
  expect([created.kind, created.attestationId]).toEqual(['CREATED', fullId(a5)])
  await rpc('evm_revert', [snapshot])
  await rpc('anvil_mine', ['0x3'])
  const removed = (await second.next(20_000)).data!.attestationEvents!
  expect([removed.kind, removed.attestationId, removed.blockHash]).toEqual(['REMOVED', fullId(a5), created.blockHash])
  expect(removed.attestation).toBeNull()
  second.close()
}, 120_000)

it('gives every event of a burst its own attestation, read once the burst is committed', async () => {
  const { devnet, gateway, writer } = stack
  const where = { chainId: devnet.chainId }
  const live = await subscribeSse(gateway.yoga, OnAttestationEventsDocument, { where })
  const marker = await attest('burst-marker')
  const start = (await live.next(20_000)).data!.attestationEvents!
  expect(start.attestationId).toBe(fullId(marker))
  live.close()
  // a burst the resumed subscription replays from its buffer: rows are read ahead for the events it holds
  const ids = await writer.attestBatch(
    1,
    Array.from({ length: 8 }, (_, i) => ({ schemaId: stack.schemaId, data: tupleScore(`burst-${i}`, 1n) })),
    Array.from({ length: 8 }, (_, i) => `burst-${i}`),
  )
  await writer.revoke(1, ids[2]!, 'burst')
  const resumed = await subscribeSse(gateway.yoga, OnAttestationEventsDocument, { where, after: start.cursor })
  const seen: { kind: string; id: string; attestation: { id: string; revoked: boolean } | null | undefined }[] = []
  while (seen.length < 9) {
    const e = (await resumed.next(20_000)).data!.attestationEvents!
    seen.push({ kind: e.kind, id: e.attestationId, attestation: e.attestation })
  }
  resumed.close()
  expect(seen.map((e) => [e.kind, e.id])).toEqual([...ids.map((id) => ['CREATED', fullId(id)]), ['REVOKED', fullId(ids[2]!)]])
  for (const e of seen) expect(e.attestation?.id).toBe(e.id)
  // delivered after the revocation was committed: the CREATED event's row already shows it, as the REVOKED one does
  expect(seen.filter((e) => e.id === fullId(ids[2]!)).map((e) => e.attestation?.revoked)).toEqual([true, true])
  expect(seen.filter((e) => e.id !== fullId(ids[2]!)).every((e) => e.attestation?.revoked === false)).toBe(true)
}, 60_000)

it('rejects a malformed cursor', async () => {
  const sub = await subscribeSse(stack.gateway.yoga, OnAttestationEventsDocument, { after: 'not-a-cursor' })
  const result = await sub.next(10_000)
  expect(result.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT')
  sub.close()
})
