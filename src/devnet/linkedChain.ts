/**
 * A chain of linked attestations written in one go: an amendment chain as apps write it (each attestation links the
 * attester's previous one), for callers that need linked attestations in the latest blocks (the soak, before a reorg).
 */
import { addressRecipient, type SpWriter, tupleScore } from './spWriter.js'
import { devAccount } from './deploySp.js'

export type LinkedChainOptions = {
  /** dev account index of the attester (see `devAccount`); must send nothing else meanwhile */
  attester: number
  /** an existing schema whose data is `(string name, uint256 score)` */
  schemaId: bigint
  /** number of attestations, ≥ 1 */
  length: number
  /** true: one `attestBatch` (ONE block; item k links item k-1 of the same batch); false: one `attest` per block */
  oneBlock: boolean
  /** the root links to this attestation (it must be the same attester's, on chain); none when absent */
  linkTo?: bigint
  /** prefix of the indexing keys (`<key>-0`, `<key>-1`, …) and of the data's name */
  key: string
}

/**
 * Writes `length` attestations of `attester`, each linked to the one before it (the root to `linkTo`).
 * In one block, the ids are predicted from `attestationCounter()`: nothing else may attest between that read and
 * the batch (hold other writers first).
 *
 * @returns the ids, root first
 * @throws DevnetTxError (a revert, e.g. `AttestationWrongAttester` when `linkTo` is another attester's);
 *   Error when the batch's ids are not the predicted ones (another attestation came in between)
 */
export async function attestLinkedChain(sp: SpWriter, opts: LinkedChainOptions): Promise<bigint[]> {
  const recipient = addressRecipient(devAccount(opts.attester).address)
  const item = (k: number, linkedAttestationId: bigint) => ({
    schemaId: opts.schemaId,
    linkedAttestationId,
    recipients: [recipient],
    data: tupleScore(`${opts.key}-${k}`, BigInt(k)),
  })
  const keys = Array.from({ length: opts.length }, (_, k) => `${opts.key}-${k}`)
  if (opts.oneBlock) {
    const first = (await sp.counters()).attestations
    const items = keys.map((_, k) => item(k, k === 0 ? (opts.linkTo ?? 0n) : first + BigInt(k - 1)))
    const ids = await sp.attestBatch(opts.attester, items, keys)
    if (ids[0] !== first) throw new Error(`attestLinkedChain: the batch got ids from ${ids[0]}, ${first} was predicted (another attestation came in between)`)
    return ids
  }
  const ids: bigint[] = []
  for (const [k, key] of keys.entries()) ids.push(await sp.attest(opts.attester, item(k, ids.at(-1) ?? opts.linkTo ?? 0n), key))
  return ids
}
