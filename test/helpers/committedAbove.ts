/**
 * Waiting, before a reorg, until the indexer has committed what the reorg will take back: its checkpoint is the
 * chain's head block (number and hash) and the database holds every record the chain has above the ancestor.
 */
import type { Address, PublicClient } from 'viem'
import type { PrismaClient } from '../../src/generated/prisma/client.js'
import { chainRecordsAbove, countRolledBackAbove, type RecordsAbove, rowsOf } from './groundTruth.js'

export type CommittedAbove =
  | { committed: true; stored: RecordsAbove; onChain: RecordsAbove; waitedMs: number }
  | { committed: false; reason: string; onChain: RecordsAbove; waitedMs: number }

/**
 * Polls (every `pollMs`, default 100 ms) until the checkpoint of `chainId` is block `head` with the hash the node
 * gives it now and the rows stored above `ancestor` (plus the logs stored as skipped there) are as many as the
 * contract's records in blocks `ancestor + 1 … head`. Read the chain while nothing writes to it.
 *
 * @returns `committed: true` with both counts; `committed: false` with the reason when `timeoutMs` ms passed, or at
 *   once when the checkpoint is at the head but the rows are not all there (they never will be: a defect)
 */
export async function waitForCommittedAbove(params: {
  prisma: PrismaClient
  client: PublicClient
  contract: Address
  chainId: number
  ancestor: bigint
  head: bigint
  timeoutMs: number
  pollMs?: number
}): Promise<CommittedAbove> {
  const { prisma, chainId, ancestor, head } = params
  const started = Date.now()
  const headHash = (await params.client.getBlock({ blockNumber: head })).hash
  const onChain = await chainRecordsAbove(params.client, params.contract, ancestor, head)
  let seen = 'no checkpoint'
  while (Date.now() - started < params.timeoutMs) {
    const cp = await prisma.checkpoint.findUnique({ where: { chainId } })
    if (cp) seen = `checkpoint ${cp.blockNumber} ${cp.blockHash.slice(0, 10)}, head ${head} ${headHash.slice(0, 10)}`
    if (cp?.blockNumber === head && cp.blockHash === headHash) {
      const stored = await countRolledBackAbove(prisma, chainId, ancestor)
      const skipped = await prisma.skippedLog.count({ where: { chainId, blockNumber: { gt: ancestor } } })
      const waitedMs = Date.now() - started
      if (rowsOf(stored) + skipped === rowsOf(onChain)) return { committed: true, stored, onChain, waitedMs }
      return {
        committed: false,
        reason: `checkpoint at the head but ${rowsOf(stored)} rows + ${skipped} skipped logs stored above block ${ancestor}, ${rowsOf(onChain)} records on chain (${JSON.stringify(stored)} vs ${JSON.stringify(onChain)})`,
        onChain,
        waitedMs,
      }
    }
    await new Promise((r) => setTimeout(r, params.pollMs ?? 100))
  }
  return { committed: false, reason: `not at the head after ${params.timeoutMs} ms (${seen})`, onChain, waitedMs: Date.now() - started }
}
