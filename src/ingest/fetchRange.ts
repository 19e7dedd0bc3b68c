/**
 * The parallel part of ingest: for one block range, fetch the logs and everything the commit will need
 * (records pinned at each log's block, block headers, transaction senders). Pure network, no database.
 */
import type { Address, Hex, PublicClient } from 'viem'
import { type BlockHeader, getBlockHeaders, getTransactionSenders, readRecords, type RecordRequest, type RecordResult } from '../chain/readRecords.js'
import { getLogsInRange } from '../chain/getLogsInRange.js'
import { RpcError } from '../errors/baseError.js'
import { SP_TOPIC0S } from './abi.js'
import { decodeLogs, type SkippedLog, type SpEvent } from './decodeLogs.js'

export type FetchedRange = {
  fromBlock: bigint
  toBlock: bigint
  events: SpEvent[]
  skipped: SkippedLog[]
  records: Map<string, RecordResult>
  /** headers of every block with a log, plus `toBlock` */
  blocks: Map<bigint, BlockHeader>
  senders: Map<Hex, Address>
  /** every header of the range was fetched and links to its parent */
  verified: boolean
}

function blockNumbers(from: bigint, to: bigint): bigint[] {
  const out: bigint[] = []
  for (let n = from; n <= to; n++) out.push(n)
  return out
}

export type FetchRangeParameters = {
  client: PublicClient
  contract: Address
  multicall3: Address
  fromBlock: bigint
  toBlock: bigint
  /**
   * Fetch every block header of the range and check their parent-hash links (ranges above the finalized block,
   * where reorgs happen). The committer then checks the first header's parent against the checkpoint.
   */
  verifyChain?: boolean
}

/** @throws {RpcError} when any of the underlying RPC calls fails after retries. */
export async function fetchRange(params: FetchRangeParameters): Promise<FetchedRange> {
  const { client, contract, multicall3, fromBlock, toBlock } = params
  const logs = await getLogsInRange({ client, address: contract, topic0s: SP_TOPIC0S, fromBlock, toBlock })
  const { events, skipped } = decodeLogs(logs)
  const requests: RecordRequest[] = []
  for (const e of events) {
    if (e.name === 'AttestationMade') requests.push({ kind: 'attestation', id: e.attestationId, blockNumber: e.blockNumber })
    else if (e.name === 'SchemaRegistered') requests.push({ kind: 'schema', id: e.schemaId, blockNumber: e.blockNumber })
    else if (e.name === 'OffchainAttestationMade') requests.push({ kind: 'offchain', id: e.offchainAttestationId, blockNumber: e.blockNumber })
  }
  const [records, blocks, senders] = await Promise.all([
    readRecords({ client, contract, multicall3, requests }),
    getBlockHeaders(client, params.verifyChain ? blockNumbers(fromBlock, toBlock) : [...logs.map((l) => l.blockNumber!), toBlock]),
    getTransactionSenders(client, events.filter((e) => e.name !== 'AttestationRevoked' && e.name !== 'OffchainAttestationRevoked').map((e) => e.txHash)),
  ])
  for (const l of logs) {
    const header = blocks.get(l.blockNumber!)
    if (header && header.hash !== l.blockHash?.toLowerCase()) {
      throw new RpcError('eth_getLogs', `block ${l.blockNumber} changed while fetching (reorg in progress)`, { retryable: true })
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
