/**
 * Direct edits of the real SP contract's storage on anvil (`anvil_setStorageAt`), for records SP v1.1.3 refuses
 * to create but older proxies hold (SP <= v1.1.1 did not check the linked attestation's attester; the maxValidFor
 * and linked-id rules can be broken through state a migration or an upgrade left behind). The contract code,
 * its events and the indexer's pinned reads stay real: only the state a later transaction starts from is edited.
 *
 * Layout (SP.sol, ERC-7201 namespace "ethsign.SP" at 0x9f5e…d400): +1 schemaRegistry, +2 attestationRegistry,
 * +4 the four uint64 counters. Struct packing, lowest-order bytes first:
 * - Schema slot 0: registrant (20) | revocable (1) | dataLocation (1) | maxValidFor (8)
 * - Attestation slot 1: attester (20) | validUntil (8) | dataLocation (1) | revoked (1)
 */
import { type Address, encodeAbiParameters, type Hex, keccak256, numberToHex } from 'viem'
import type { DevClients } from '../../src/devnet/index.js'

type Clients = Pick<DevClients, 'publicClient' | 'testClient'>

const SP_STORAGE = 0x9f5ee6fb062129ebe4f4f93ab4866ee289599fbb940712219d796d503e3bd400n

function mappingSlot(mappingIndex: bigint, key: bigint): bigint {
  return BigInt(keccak256(encodeAbiParameters([{ type: 'uint256' }, { type: 'uint256' }], [key, SP_STORAGE + mappingIndex])))
}

/**
 * Reads a slot, replaces `size` bytes at byte offset `offset` (from the low-order end) with `value`, writes it
 * back. anvil edits the state of the CURRENT head block in place, so an empty block is mined first: the blocks
 * the indexer reads records at keep the state their transactions left.
 */
async function patchSlot(clients: Clients, sp: Address, slot: bigint, offset: number, size: number, value: bigint) {
  await clients.testClient.mine({ blocks: 1 })
  const current = BigInt((await clients.publicClient.getStorageAt({ address: sp, slot: numberToHex(slot, { size: 32 }) })) ?? '0x0')
  const mask = ((1n << BigInt(size * 8)) - 1n) << BigInt(offset * 8)
  const next = (current & ~mask) | ((value << BigInt(offset * 8)) & mask)
  await clients.testClient.setStorageAt({ address: sp, index: numberToHex(slot, { size: 32 }), value: numberToHex(next, { size: 32 }) as Hex })
}

/** Sets `attestationRegistry[id].attester` (slot 1, bytes 0..19). An unused id with an attester "exists" to SP's attester check. */
export function setStoredAttester(clients: Clients, sp: Address, id: bigint, attester: Address): Promise<void> {
  return patchSlot(clients, sp, mappingSlot(2n, id) + 1n, 0, 20, BigInt(attester))
}

/** Sets `schemaRegistry[id].maxValidFor` (slot 0, bytes 22..29), in seconds. */
export function setStoredMaxValidFor(clients: Clients, sp: Address, schemaId: bigint, maxValidFor: bigint): Promise<void> {
  return patchSlot(clients, sp, mappingSlot(1n, schemaId), 22, 8, maxValidFor)
}
