/**
 * The head step of a chain loop: reads the node's latest block and its finalized block, derives the safe block
 * (head − confirmations), and writes them to the chain's `Chain` row (what the gateway's finality gate and
 * `indexerStatus` read).
 */
import type { ChainClient } from '../chain/createChainClient.js'
import type { PrismaClient } from '../generated/prisma/client.js'

/** Block numbers at one head read (and the head's hash, null when the node gave none): `safe` = head − confirmations (≥ 0); `finalized` the node's, else `safe`. */
export type HeadState = { head: bigint; headHash: string | null; safe: bigint; finalized: bigint }

export type ReadHeadParameters = {
  prisma: PrismaClient
  client: ChainClient
  chain: { chainId: number; confirmations: number }
  /** the chain-id check, asked after the reads and before the row is written */
  ensureChainId: () => Promise<void>
}

/**
 * `eth_getBlockByNumber('latest')` and `('finalized')` through the client's governor, then one `Chain` update.
 * @throws the RPC error of the `latest` read (a node without the `finalized` tag is not an error), the chain-id
 *   check's errors, or the database's
 */
export async function readHead(params: ReadHeadParameters): Promise<HeadState> {
  const { prisma, client, chain } = params
  const latest = await client.governor.run('eth_getBlockByNumber', () => client.getBlock({ blockTag: 'latest' }))
  const head = latest.number!
  const safe = head > BigInt(chain.confirmations) ? head - BigInt(chain.confirmations) : 0n
  const finalized = await getFinalizedBlock(client, safe)
  await params.ensureChainId()
  await prisma.chain.update({
    where: { chainId: chain.chainId },
    data: { headBlock: head, headTimestamp: latest.timestamp, safeBlock: safe, finalizedBlock: finalized },
  })
  return { head, headHash: latest.hash ?? null, safe, finalized }
}

/**
 * The node's `finalized` block (RPC block tag, post-merge chains and most L2s); `fallback` (head minus the
 * configured confirmations) when the node does not know the tag.
 */
async function getFinalizedBlock(client: ChainClient, fallback: bigint): Promise<bigint> {
  try {
    const block = await client.getBlock({ blockTag: 'finalized' })
    return block.number ?? fallback
  } catch {
    return fallback
  }
}
