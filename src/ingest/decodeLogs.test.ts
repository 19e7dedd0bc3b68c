import { encodeAbiParameters, type Hex, type Log, toEventSelector } from 'viem'
import { describe, expect, it } from 'vitest'
import { SP_EVENT_TOPICS } from '../chain/spAbi.js'
import { decodeLogs } from './decodeLogs.js'

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
