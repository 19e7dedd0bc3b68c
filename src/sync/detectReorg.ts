/**
 * Reorg detection by block hash: the checkpoint's block must still be canonical. When it is not, the common
 * ancestor is the highest block of the stored window (`Block` rows: every block with a committed log, every
 * range end, and every block of ranges above the finalized block) whose hash the node still returns for its number.
 */
import { BlockNotFoundError } from 'viem'
import type { ChainClient } from '../chain/createChainClient.js'
import type { PrismaClient } from '../generated/prisma/client.js'

export type Reorg = {
  /** the stale checkpoint */
  from: { number: bigint; hash: string }
  /** highest stored block still canonical; `hash: ''` when the whole window is stale (deeper than it) */
  ancestor: { number: bigint; hash: string }
  /** true when no stored block matched: the reorg is deeper than the window */
  beyondWindow: boolean
}

const LOOKUP_BATCH = 16

/** How nodes that answer with an error instead of `null` say a block number is beyond their head. */
const NO_SUCH_BLOCK = /header not found|unknown block|block not found|not found: block/i

async function canonicalHash(client: ChainClient, number: bigint): Promise<string | null> {
  try {
    const block = await client.governor.run('eth_getBlockByNumber', () => client.getBlock({ blockNumber: number }))
    return block.hash?.toLowerCase() ?? null
  } catch (error) {
    // beyond the node's head after the reorg: not canonical. Any other failure (timeout, 5xx, reset) says nothing
    // about the block: treating it as "not canonical" rolled a healthy chain back to its start block.
    if (error instanceof BlockNotFoundError || NO_SUCH_BLOCK.test(String((error as Error)?.message ?? ''))) return null
    throw error
  }
}

/**
 * @returns null when the checkpoint is canonical (or there is none), else the reorg to roll back.
 * @throws RPC errors from `eth_getBlockByNumber` other than "block not found" (after the client's retries): the
 *   caller's step fails and is retried; no reorg is concluded from a failed request.
 */
export async function detectReorg(prisma: PrismaClient, client: ChainClient, chainId: number, startBlock: bigint): Promise<Reorg | null> {
  const checkpoint = await prisma.checkpoint.findUnique({ where: { chainId } })
  if (!checkpoint?.blockHash) return null
  if ((await canonicalHash(client, checkpoint.blockNumber)) === checkpoint.blockHash) return null
  const from = { number: checkpoint.blockNumber, hash: checkpoint.blockHash }
  const stored = await prisma.block.findMany({
    where: { chainId, number: { lt: checkpoint.blockNumber } },
    orderBy: { number: 'desc' },
    select: { number: true, hash: true },
  })
  for (let i = 0; i < stored.length; i += LOOKUP_BATCH) {
    const chunk = stored.slice(i, i + LOOKUP_BATCH)
    const hashes = await Promise.all(chunk.map((b) => canonicalHash(client, b.number)))
    const match = chunk.findIndex((b, j) => hashes[j] === b.hash)
    if (match >= 0) return { from, ancestor: chunk[match]!, beyondWindow: false }
  }
  const lowest = stored.length ? stored[stored.length - 1]!.number - 1n : startBlock - 1n
  return { from, ancestor: { number: lowest < startBlock - 1n ? startBlock - 1n : lowest, hash: '' }, beyondWindow: true }
}
