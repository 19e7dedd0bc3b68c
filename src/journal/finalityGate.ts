/**
 * Delivery by finality. Ingest commits at the chain head; a subscriber asks for events at one of three levels:
 * - `LATEST`: as committed, retractions (`REMOVED`) included — no gate;
 * - `SAFE` (default): once the event's block is at or below the chain's safe block (head minus the configured
 *   confirmations, `Chain.safeBlock`, written by the sync loop);
 * - `FINALIZED`: once the block is at or below the chain's finalized block (the node's `finalized` tag, else the
 *   safe block; `Chain.finalizedBlock`).
 * An entry that a reorg retracted before it reached the level is never delivered at that level, and neither is
 * its `REMOVED` entry: each `REMOVED` records how final the retracted entry had become (`Event.finality`, set by
 * `rollbackChain` from the same chain row), so a level sees exactly the retractions of entries it delivered.
 */
import type { Finality, PrismaClient } from '../generated/prisma/client.js'
import type { JournalEntry, JournalGate } from './journalTail.js'

export type DeliveryLevel = Finality

/** chain heights are re-read at most this often, in ms */
const HEIGHTS_TTL_MS = 200

const RANK: Record<Finality, number> = { LATEST: 0, SAFE: 1, FINALIZED: 2 }

/**
 * A journal gate for `level` (`SAFE` or `FINALIZED`): holds entries until their block reaches the level and drops
 * entries retracted below it.
 * @param prisma reads `Chain` heights and `REMOVED` entries (one query per chain per batch, by block range)
 */
export function createFinalityGate(prisma: PrismaClient, level: Exclude<DeliveryLevel, 'LATEST'>): JournalGate {
  let heights: Map<number, bigint | null> | undefined
  let readAt = 0
  const readHeights = async () => {
    if (!heights || Date.now() - readAt > HEIGHTS_TTL_MS) {
      const rows = await prisma.chain.findMany({ select: { chainId: true, safeBlock: true, finalizedBlock: true } })
      heights = new Map(rows.map((r) => [r.chainId, level === 'SAFE' ? r.safeBlock : r.finalizedBlock]))
      readAt = Date.now()
    }
    return heights
  }
  /** a REMOVED entry reaches this level when the entry it retracts had (null: written before finality was recorded) */
  const reaches = (finality: Finality | null) => RANK[finality ?? 'SAFE'] >= RANK[level]

  return {
    async firstHeld() {
      readAt = 0
      let first: bigint | null = null
      for (const [chainId, height] of await readHeights()) {
        if (height == null) continue
        const row = await prisma.event.findFirst({
          where: { chainId, kind: { not: 'REMOVED' }, blockNumber: { gt: height } },
          orderBy: { seq: 'asc' },
          select: { seq: true },
        })
        if (row && (first === null || row.seq < first)) first = row.seq
      }
      return first
    },
    async releasable(events) {
      const known = await readHeights()
      let n = 0
      for (const e of events) {
        if (e.kind !== 'REMOVED') {
          // no height known for the chain (no Chain row, or no head read yet; the sync loop writes heights
          // before its first commit, so this does not happen to ingested entries): nothing to hold by
          const height = known.get(e.chainId)
          if (height != null && BigInt(e.blockNumber) > height) break
        }
        n++
      }
      return n
    },
    async dropped(events) {
      const drop = new Set<string>()
      const byChain = new Map<number, JournalEntry[]>()
      for (const e of events) {
        if (e.kind === 'REMOVED') {
          if (!reaches(e.finality)) drop.add(e.seq)
        } else {
          const list = byChain.get(e.chainId) ?? []
          list.push(e)
          byChain.set(e.chainId, list)
        }
      }
      for (const [chainId, list] of byChain) {
        const blocks = list.map((e) => BigInt(e.blockNumber))
        const min = blocks.reduce((a, b) => (b < a ? b : a))
        const max = blocks.reduce((a, b) => (b > a ? b : a))
        const removals = await prisma.event.findMany({
          where: { chainId, kind: 'REMOVED', blockNumber: { gte: min, lte: max } },
          select: { seq: true, subjectType: true, subjectId: true, blockHash: true, logIndex: true, finality: true },
        })
        // retracted before it reached this level: a later REMOVED entry for it whose finality is below the level
        const lastEarlyRemoval = new Map<string, bigint>()
        for (const r of removals) {
          if (reaches(r.finality)) continue
          const key = `${r.subjectType}:${r.subjectId}:${r.blockHash}:${r.logIndex}`
          const seen = lastEarlyRemoval.get(key)
          if (seen === undefined || r.seq > seen) lastEarlyRemoval.set(key, r.seq)
        }
        for (const e of list) {
          const removal = lastEarlyRemoval.get(`${e.subjectType}:${e.subjectId}:${e.blockHash}:${e.logIndex}`)
          if (removal !== undefined && removal > BigInt(e.seq)) drop.add(e.seq)
        }
      }
      return drop
    },
  }
}
