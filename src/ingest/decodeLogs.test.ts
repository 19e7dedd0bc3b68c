import fc from 'fast-check'
import { decodeEventLog, encodeAbiParameters, type Hex, type Log, toEventSelector } from 'viem'
import { describe, expect, it } from 'vitest'
import { SP_EVENT_TOPICS, spEventsAbi } from '../chain/spAbi.js'
import { decodeIdAndString, decodeLogs } from './decodeLogs.js'

const base = {
  address: '0x00000000000000000000000000000000000000aa',
  blockHash: `0x${'11'.repeat(32)}`,
  transactionHash: `0x${'22'.repeat(32)}`,
  blockNumber: 5n,
  transactionIndex: 0,
  removed: false,
} as const
const log = (logIndex: number, topics: Hex[], data: Hex) => ({ ...base, logIndex, topics, data }) as unknown as Log

describe('decodeLogs', () => {
  it('decodes AttestationMade and AttestationRevoked', () => {
    const { events, skipped } = decodeLogs([
      log(0, [SP_EVENT_TOPICS.AttestationMade], encodeAbiParameters([{ type: 'uint64' }, { type: 'string' }], [7n, 'key'])),
      log(1, [SP_EVENT_TOPICS.AttestationRevoked], encodeAbiParameters([{ type: 'uint64' }, { type: 'string' }], [7n, 'why'])),
    ])
    expect(skipped).toEqual([])
    expect(events.map((e) => e.name)).toEqual(['AttestationMade', 'AttestationRevoked'])
    expect(events[0]).toMatchObject({ attestationId: 7n, indexingKey: 'key', logIndex: 0, blockNumber: 5n })
  })

  it('skips an unknown event from the same contract with a reason', () => {
    const { events, skipped } = decodeLogs([log(0, [toEventSelector('Initialized(uint64)')], encodeAbiParameters([{ type: 'uint64' }], [1n]))])
    expect(events).toEqual([])
    expect(skipped[0]!.reason).toMatch(/^UNKNOWN_EVENT/)
  })

  it('skips a known event whose data does not decode, and keeps going', () => {
    const { events, skipped } = decodeLogs([
      log(0, [SP_EVENT_TOPICS.AttestationMade], '0x1234'),
      log(1, [SP_EVENT_TOPICS.SchemaRegistered], encodeAbiParameters([{ type: 'uint64' }], [3n])),
    ])
    expect(skipped).toHaveLength(1)
    expect(skipped[0]).toMatchObject({ logIndex: 0, reason: expect.stringMatching(/^UNDECODABLE_LOG/) })
    expect(events).toMatchObject([{ name: 'SchemaRegistered', schemaId: 3n }])
  })

  it('keeps event strings exactly (NUL included) and the raw log, so an off-chain id reads back its own record', () => {
    // Storage makes strings storable later (buildBatch); the off-chain id is read back from the contract by this
    // string, and a changed id reads another (empty) record.
    const made = encodeAbiParameters([{ type: 'string' }], ['id\u0000x'])
    const { events } = decodeLogs([
      log(0, [SP_EVENT_TOPICS.AttestationMade], encodeAbiParameters([{ type: 'uint64' }, { type: 'string' }], [1n, 'a\u0000b'])),
      log(1, [SP_EVENT_TOPICS.OffchainAttestationMade], made),
      log(2, [SP_EVENT_TOPICS.AttestationRevoked], encodeAbiParameters([{ type: 'uint64' }, { type: 'string' }], [1n, '\ufeffwhy'])),
    ])
    expect(events[0]).toMatchObject({ indexingKey: 'a\u0000b', topic0: SP_EVENT_TOPICS.AttestationMade })
    expect(events[2]).toMatchObject({ reason: '\ufeffwhy' }) // viem's own decoding drops a leading U+FEFF
    expect(events[1]).toMatchObject({ offchainAttestationId: 'id\u0000x', topic0: SP_EVENT_TOPICS.OffchainAttestationMade, data: made })
  })
})

describe('decodeLogs fast path (AttestationMade / AttestationRevoked in the canonical layout)', () => {
  it('gives what the generic decoder gives, for any id and string', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }),
        fc.oneof(fc.string({ maxLength: 70 }), fc.string({ unit: 'binary', maxLength: 70 }), fc.constant('\ufeffk')),
        fc.boolean(),
        (id, text, made) => {
          const topic = made ? SP_EVENT_TOPICS.AttestationMade : SP_EVENT_TOPICS.AttestationRevoked
          const data = encodeAbiParameters([{ type: 'uint64' }, { type: 'string' }], [id, text])
          const [event] = decodeLogs([log(0, [topic], data)]).events
          const viem = decodeEventLog({ abi: spEventsAbi, data, topics: [topic], strict: true }).args as { attestationId: bigint }
          expect(event).toMatchObject(made ? { attestationId: viem.attestationId, indexingKey: text } : { attestationId: viem.attestationId, reason: text })
          // not canonical (a trailing word): the generic path, same values
          const [longer] = decodeLogs([log(0, [topic], `${data}${'00'.repeat(32)}` as Hex)]).events
          expect(longer).toEqual({ ...event, data: `${data}${'00'.repeat(32)}` })
          // the canonical layout really takes the fast path, and the longer one really does not
          expect(decodeIdAndString(data)).toEqual({ id, text: made ? (event as { indexingKey: string }).indexingKey : (event as { reason: string }).reason })
          expect(decodeIdAndString(`${data}${'00'.repeat(32)}` as Hex)).toBeNull()
        },
      ),
      { seed: 4242, numRuns: 300 },
    )
  })
})
