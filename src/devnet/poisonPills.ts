/**
 * Hostile but valid Sign Protocol transactions: what any stranger can send to the contract, each of which once
 * stopped the indexer for good (issue 11: a lone surrogate in schema JSON, 5,000 nested arrays, NUL in a string
 * recipient, a field name, a JSON key, a CID and an indexing key, a field named `__proto__`). Used by the soak's
 * workload (`runLive({ poisonPills: true })`) so hostile records are part of the traffic it survives.
 */
import { encodeAbiParameters } from 'viem'
import { DataLocation } from '../chain/spAbi.js'
import { type SpWriter, stringRecipient } from './spWriter.js'

/** Names of the pills, in the order {@link sendPoisonPill} cycles through them. */
export const POISON_PILLS = ['loneSurrogateJson', 'deepJson', 'nulRecipient', 'nulFieldName', 'protoField', 'nulCid', 'nulIndexingKey'] as const
export type PoisonPill = (typeof POISON_PILLS)[number]

/**
 * Sends one pill from dev account `idx` (one or two transactions, each waited for).
 * @returns a short description for the workload's log
 * @throws DevnetTxError when a transaction reverts
 */
export async function sendPoisonPill(sp: SpWriter, idx: number, pill: PoisonPill, tag: string): Promise<string> {
  switch (pill) {
    case 'loneSurrogateJson':
      // the JSON text escapes a lone surrogate: JSON.parse yields a string no JSON column accepts
      return `schema ${await sp.register(idx, { data: `{"name":"\\ud800 ${tag}","data":[]}` })} with a lone surrogate`
    case 'deepJson':
      return `schema ${await sp.register(idx, { data: '['.repeat(5_000) + tag })} with 5,000 nested arrays`
    case 'nulRecipient': {
      const schemaId = await sp.register(idx, { data: `{"name":"nul recipient ${tag}","data":[]}` })
      return `attestation ${await sp.attest(idx, { schemaId, recipients: [stringRecipient('a\u0000b')] }, `pill-${tag}`)} with NUL in a string recipient`
    }
    case 'nulFieldName': {
      const schemaId = await sp.register(idx, { data: `{"name":"nul field ${tag}","k\\u0000ey":1,"data":[{"name":"a\\u0000b","type":"string"}]}` })
      const data = encodeAbiParameters([{ type: 'tuple', components: [{ name: 'a', type: 'string' }] }], [{ a: 'x\u0000y' }])
      return `attestation ${await sp.attest(idx, { schemaId, data }, `pill-${tag}`)} with NUL in a field name, a JSON key and a value`
    }
    case 'protoField': {
      const schemaId = await sp.register(idx, {
        data: `{"name":"proto ${tag}","data":[{"name":"__proto__","type":"string"},{"name":"constructor","type":"uint256"}]}`,
      })
      const data = encodeAbiParameters([{ type: 'string' }, { type: 'uint256' }], ['polluted?', 7n])
      return `attestation ${await sp.attest(idx, { schemaId, data }, `pill-${tag}`)} with a __proto__ field`
    }
    case 'nulCid': {
      const schemaId = await sp.register(idx, { data: `{"name":"cid ${tag}","data":[]}`, dataLocation: DataLocation.IPFS })
      const data = encodeAbiParameters([{ type: 'string' }], ['bafy\u0000cid'])
      return `attestation ${await sp.attest(idx, { schemaId, data, dataLocation: DataLocation.IPFS }, `pill-${tag}`)} with NUL in its CID`
    }
    case 'nulIndexingKey': {
      const schemaId = await sp.register(idx, { data: `{"name":"key ${tag}","data":[]}` })
      return `attestation ${await sp.attest(idx, { schemaId }, `pill\u0000${tag}\ud800`)} with NUL and a lone surrogate in its indexing key`
    }
  }
}
