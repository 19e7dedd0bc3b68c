/**
 * The parallel part of ingest, pure network (no database), in two steps:
 * 1. {@link getRangeLogs}: `eth_getLogs` for a block range, decoded, cut into pieces of at most `maxLogsPerPiece`
 *    logs at block boundaries (a block is never split, so each piece can carry its own checkpoint);
 * 2. {@link fetchPiece}: everything the commit of one piece needs — records pinned at each log's block, block
 *    headers, transaction senders.
 * Pieces let the committer start on the first part of a dense range while the rest is still being read.
 */
import type { Address, Hex } from 'viem'
import type { ChainClient } from '../chain/createChainClient.js'
import type { Logger } from '../common/logger.js'
import { getLogsInRange } from '../chain/getLogsInRange.js'
import { type BlockHeader, getBlockHeaders, getTransactionSenders, readRecords } from '../chain/readRecords.js'
import type { RecordRequest, RecordResult } from '../chain/records.js'
import { RpcError } from '../errors/baseError.js'
import { SP_TOPIC0S } from '../chain/spAbi.js'
import { decodeLogs, type SkippedLog, type SpEvent } from './decodeLogs.js'

/** A piece of a range whose logs are known and whose records are still to be read. */
export type RangePiece = {
  fromBlock: bigint
  toBlock: bigint
  events: SpEvent[]
  skipped: SkippedLog[]
  logBlocks: Map<bigint, Hex>
  /** how many times the provider refused the range and it had to be split (adaptive range sizing) */
  rangeSplits: number
}

export type FetchedRange = {
  fromBlock: bigint
  toBlock: bigint
  events: SpEvent[]
  skipped: SkippedLog[]
  records: Map<string, RecordResult>
  /** headers of every block with a log, plus `toBlock` (every block when `verified`) */
  blocks: Map<bigint, BlockHeader>
  senders: Map<Hex, Address>
  /** every header of the range was fetched and links to its parent */
  verified: boolean
}

export type GetRangeLogsParameters = {
  client: ChainClient
  contract: Address
  fromBlock: bigint
  toBlock: bigint
  /** default 2,500 */
  maxLogsPerPiece?: number
}

/**
 * @returns the range's logs as ordered pieces covering [fromBlock, toBlock] without gaps (at least one piece).
 * @throws {RpcError} when `eth_getLogs` fails after retries and range splitting.
 */
export async function getRangeLogs(params: GetRangeLogsParameters): Promise<RangePiece[]> {
  const { client, contract, fromBlock, toBlock } = params
  const max = params.maxLogsPerPiece ?? 2_500
  const stats = { splits: 0 }
  const logs = await getLogsInRange({ client, address: contract, topic0s: SP_TOPIC0S, fromBlock, toBlock, stats })
  const logBlocks = new Map<bigint, Hex>()
  for (const l of logs) logBlocks.set(l.blockNumber!, l.blockHash!.toLowerCase() as Hex)
  const { events, skipped } = decodeLogs(logs)
  const pieces: RangePiece[] = []
  let current: RangePiece = { fromBlock, toBlock, events: [], skipped: [], logBlocks: new Map(), rangeSplits: stats.splits }
  const entries = [...events.map((e) => ({ e, s: null })), ...skipped.map((s) => ({ e: null, s }))].sort((a, b) => {
    const x = (a.e ?? a.s)!
    const y = (b.e ?? b.s)!
    return x.blockNumber === y.blockNumber ? x.logIndex - y.logIndex : x.blockNumber < y.blockNumber ? -1 : 1
  })
  for (const { e, s } of entries) {
    const block = (e ?? s)!.blockNumber
    const size = current.events.length + current.skipped.length
    if (size >= max && block > current.fromBlock && !current.logBlocks.has(block)) {
      current.toBlock = block - 1n
      pieces.push(current)
      current = { fromBlock: block, toBlock, events: [], skipped: [], logBlocks: new Map(), rangeSplits: stats.splits }
    }
    if (e) current.events.push(e)
    else current.skipped.push(s!)
    current.logBlocks.set(block, logBlocks.get(block)!)
  }
  pieces.push(current)
  return pieces
}

export type FetchPieceParameters = {
  client: ChainClient
  contract: Address
  multicall3: Address
  piece: RangePiece
  /**
   * Fetch every block header of the piece and check their parent-hash links (ranges above the finalized block,
   * where reorgs happen). The committer then checks the first header's parent against the checkpoint.
   */
  verifyChain?: boolean
  /** receives the one warning per chain when records are read without Multicall3 (see readRecords) */
  logger?: Logger
}

/** @throws {RpcError} when a read fails after retries, or when a block changed under the logs (reorg in progress). */
export async function fetchPiece(params: FetchPieceParameters): Promise<FetchedRange> {
  const { client, contract, multicall3, piece } = params
  const { fromBlock, toBlock, events, skipped } = piece
  const requests: RecordRequest[] = []
  for (const e of events) {
    if (e.name === 'AttestationMade') requests.push({ kind: 'attestation', id: e.attestationId, blockNumber: e.blockNumber })
    else if (e.name === 'SchemaRegistered') requests.push({ kind: 'schema', id: e.schemaId, blockNumber: e.blockNumber })
    else if (e.name === 'OffchainAttestationMade') requests.push({ kind: 'offchain', id: e.offchainAttestationId, blockNumber: e.blockNumber })
  }
  const [records, blocks, senders] = await Promise.all([
    readRecords({ client, contract, multicall3, requests, logger: params.logger }),
    getBlockHeaders(client, params.verifyChain ? blockNumbers(fromBlock, toBlock) : [...piece.logBlocks.keys(), toBlock]),
    getTransactionSenders(
      client,
      events.filter((e) => e.name !== 'AttestationRevoked' && e.name !== 'OffchainAttestationRevoked').map((e) => e.txHash),
    ),
  ])
  for (const [number, hash] of piece.logBlocks) {
    if (blocks.get(number)?.hash !== hash) {
      throw new RpcError('eth_getLogs', `block ${number} changed while fetching (reorg in progress)`, { retryable: true })
    }
  }
  if (params.verifyChain) {
    for (let n = fromBlock + 1n; n <= toBlock; n++) {
      if (blocks.get(n)!.parentHash !== blocks.get(n - 1n)!.hash) {
        throw new RpcError('eth_getBlockByNumber', `block ${n} does not link to block ${n - 1n} (reorg in progress)`, { retryable: true })
      }
    }
  }
  return { fromBlock, toBlock, events, skipped, records, blocks, senders, verified: Boolean(params.verifyChain) }
}

function blockNumbers(from: bigint, to: bigint): bigint[] {
  const out: bigint[] = []
  for (let n = from; n <= to; n++) out.push(n)
  return out
}

/** per log, what its event / skipped log and record objects and their fixed strings (hashes, address) hold, about */
const BYTES_PER_LOG = 1_000

/**
 * About how many bytes a piece holds in memory: a fixed share per log plus its variable-length data (the log's data,
 * and once read each record's data and recipients, in hex characters). An estimate for bounding what is in flight
 * between getLogs and commit, not an exact size.
 */
export function estimateBytes(p: RangePiece | FetchedRange): number {
  let bytes = 0
  for (const e of p.events) bytes += BYTES_PER_LOG + e.data.length
  for (const s of p.skipped) bytes += BYTES_PER_LOG + s.data.length
  if ('records' in p) {
    for (const r of p.records.values()) {
      if (!r.ok) continue
      const v = r.value as { data?: unknown; recipients?: unknown }
      if (typeof v.data === 'string') bytes += v.data.length
      if (Array.isArray(v.recipients)) for (const x of v.recipients) bytes += String(x).length
    }
  }
  return bytes
}
