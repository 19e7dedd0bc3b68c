/**
 * Fast bulk seeding of SP attestations for benchmarks (attestBatch over explicitly mined blocks).
 */
import { type Address, encodeFunctionData, type Hex, isAddressEqual, parseEventLogs, toHex, type TransactionReceipt } from 'viem'
import { BaseError } from '../errors/baseError.js'
import { devAccount, DevnetTxError, type DevClients } from './deploySp.js'
import { addressRecipient, completeAttestation, completeSchema, flatScore, SCORE_FIELDS, schemaJson, stringRecipient, tupleScore } from './spWriter.js'
import { spAbi, type SpAttestation } from '../chain/spAbi.js'

/** Outcome of `seedBulk`: ids `firstId..lastId` under one schema, mined in blocks `fromBlock..toBlock`. */
export type BulkSummary = { schemaId: bigint; firstId: bigint; lastId: bigint; fromBlock: bigint; toBlock: bigint; transactions: number }

/**
 * Seeds `attestations` attestations fast for benchmarks, from dev account 9: registers one JSON schema, then sends
 * `attestBatch` transactions of `perTx` items (default 100), `txPerBlock` (default 5) per explicitly mined block.
 * Automine is switched off (`evm_setAutomine`) and blocks are mined with `anvil_mine`; the block gas limit is raised
 * (`evm_setBlockGasLimit`) to ~2x a block's gas so the base fee stays flat; both are restored afterwards. A node
 * without automine (interval or manual mining) is left in its mode; interval blocks may then pick up some of the
 * transactions, which changes nothing but the block layout. Transactions go through
 * `eth_sendTransaction` (anvil's unlocked dev account: local signing would spend ~0.25 s of JS keccak per 1,000
 * attestations) with explicit nonce, gas and fees; if the account is not unlocked they are signed locally.
 * The calldata of block n+1 is encoded while anvil mines block n. Items vary: tuple/flat data, address/string
 * recipients, some validUntil. Do not run concurrently with other writers on the same node.
 *
 * @returns `{ schemaId, firstId, lastId, fromBlock, toBlock, transactions }`
 * @throws DevnetTxError when gas estimation or a transaction reverts, or one is still not mined after 3 extra blocks
 */
export async function seedBulk(c: DevClients, address: Address, o: { attestations: number; perTx?: number; txPerBlock?: number }): Promise<BulkSummary> {
  const total = o.attestations
  if (!Number.isSafeInteger(total) || total < 1) {
    throw new BaseError(`seedBulk: attestations must be a positive integer, got ${total}`, { code: 'DEVNET_ARGUMENT' })
  }
  const perTx = Math.max(1, o.perTx ?? 100)
  const txPerBlock = Math.max(1, o.txPerBlock ?? 5)
  const { publicClient: pc, testClient: tc, chain } = c
  const account = devAccount(9)
  const from = account.address
  const wasAutomine = await tc.getAutomine()
  const previousGasLimit = (await pc.getBlock()).gasLimit
  const unlocked = (await c.wallet(9).request({ method: 'eth_accounts' })).some((a) => isAddressEqual(a, from))
  let nonce = await pc.getTransactionCount({ address: from, blockTag: 'pending' })
  const base = (await pc.getBlock()).baseFeePerGas ?? 1_000_000_000n
  // the base fee cannot rise: blocks use at most half of the raised gas limit
  const fee = { maxFeePerGas: base * 3n + 1_000_000_000n, maxPriorityFeePerGas: 1_000_000_000n }
  const send = async (data: Hex, gas: bigint): Promise<Hex> => {
    const tx = { chainId: chain.id, type: 'eip1559', to: address, data, gas, nonce: nonce++, ...fee } as const
    if (!unlocked) return pc.sendRawTransaction({ serializedTransaction: await account.signTransaction(tx) })
    const q = (v: bigint | number) => toHex(v)
    return c.wallet(9).request({
      method: 'eth_sendTransaction',
      params: [
        {
          from,
          to: address,
          data,
          type: '0x2',
          gas: q(gas),
          nonce: q(tx.nonce),
          maxFeePerGas: q(fee.maxFeePerGas),
          maxPriorityFeePerGas: q(fee.maxPriorityFeePerGas),
        },
      ],
    })
  }
  const estimate = async (data: Hex, label: string) => {
    try {
      return ((await pc.estimateGas({ account: from, to: address, data })) * 6n) / 5n
    } catch (err) {
      throw new DevnetTxError(label, { details: (err as { shortMessage?: string }).shortMessage ?? String(err) })
    }
  }
  /** mines until every hash has a receipt; returns the receipts in order */
  const mineAndCheck = async (hashes: Hex[]) => {
    for (let attempt = 0; ; attempt++) {
      await tc.mine({ blocks: 1 })
      const receipts = await Promise.all(hashes.map((hash) => pc.getTransactionReceipt({ hash }).catch(() => undefined)))
      if (receipts.every((r) => r !== undefined)) {
        const bad = receipts.find((r) => r.status !== 'success')
        if (bad) throw new DevnetTxError('seedBulk attestBatch', { txHash: bad.transactionHash })
        return receipts
      }
      if (attempt >= 3) throw new DevnetTxError('seedBulk', { details: 'transactions not mined after 3 extra blocks' })
    }
  }
  const idsOf = (r: TransactionReceipt) => parseEventLogs({ abi: spAbi, logs: r.logs, eventName: 'AttestationMade' }).map((l) => l.args.attestationId)

  if (wasAutomine) await tc.setAutomine(false)
  try {
    const schema = completeSchema({ data: schemaJson('Bulk score', 'Benchmark seeding', SCORE_FIELDS) }, from)
    const registerData = encodeFunctionData({ abi: spAbi, functionName: 'register', args: [schema, '0x'] })
    const [regReceipt] = await mineAndCheck([await send(registerData, await estimate(registerData, 'seedBulk register'))])
    const schemaId = parseEventLogs({ abi: spAbi, logs: regReceipt!.logs, eventName: 'SchemaRegistered' })[0]!.args.schemaId
    const now = (await pc.getBlock()).timestamp
    const recipients = [0, 1, 2, 3, 4, 5, 6, 7].map((i) => addressRecipient(devAccount(i).address))
    const batchData = (start: number, count: number) => {
      const atts: SpAttestation[] = []
      const keys: string[] = []
      for (let j = start; j < start + count; j++) {
        const item = {
          schemaId,
          recipients: [j % 25 === 0 ? stringRecipient(`user-${j}`) : recipients[j % 8]!],
          validUntil: j % 7 === 0 ? now + 86_400n * 30n : 0n,
          data: j % 10 === 0 ? flatScore(`bulk-${j}`, BigInt(j)) : tupleScore(`bulk-${j}`, BigInt(j)),
        }
        atts.push(completeAttestation(item, from))
        keys.push(`bulk-${j}`)
      }
      return encodeFunctionData({ abi: spAbi, functionName: 'attestBatch', args: [atts, keys, '0x', '0x'] })
    }
    /** calldata of one block's transactions, yielding to the event loop so a pending `anvil_mine` proceeds */
    const encodeRound = async (start: number) => {
      const datas: Hex[] = []
      let next = start
      for (let t = 0; t < txPerBlock && next < total; t++) {
        await new Promise<void>((r) => setImmediate(r))
        const count = Math.min(perTx, total - next)
        datas.push(batchData(next, count))
        next += count
      }
      return { datas, next }
    }

    // estimation is capped by the block gas limit: lift it first (~181k gas per attestation), then size it
    await tc.setBlockGasLimit({ gasLimit: BigInt(perTx) * 400_000n * BigInt(txPerBlock) + previousGasLimit })
    let round = await encodeRound(0)
    const gasPerTx = await estimate(round.datas[0]!, 'seedBulk attestBatch')
    await tc.setBlockGasLimit({ gasLimit: gasPerTx * BigInt(txPerBlock) * 2n })

    let firstId = 0n
    let lastId = 0n
    let transactions = 0
    for (;;) {
      const hashes: Hex[] = []
      for (const data of round.datas) hashes.push(await send(data, gasPerTx))
      const mined = mineAndCheck(hashes)
      const nextRound = round.next < total ? encodeRound(round.next) : undefined
      nextRound?.catch(() => undefined) // surfaced by the await below; avoids an unhandled rejection if mining throws
      const receipts = await mined
      transactions += receipts.length
      if (firstId === 0n) firstId = idsOf(receipts[0]!)[0]!
      lastId = idsOf(receipts.at(-1)!).at(-1)!
      if (!nextRound) break
      round = await nextRound
    }
    return { schemaId, firstId, lastId, fromBlock: regReceipt!.blockNumber, toBlock: await pc.getBlockNumber(), transactions }
  } finally {
    if (wasAutomine) await tc.setAutomine(true)
    await tc.setBlockGasLimit({ gasLimit: previousGasLimit })
  }
}
