/**
 * The node's floor for a backfill, measured on the same chain as the indexer (`npm run bench`): every Sign Protocol
 * log by `eth_getLogs`, plus every `getAttestation` pinned at its log's block through Multicall3 `aggregate3`
 * (`callsPerMulticall` calls each, `parallel` requests in flight). No database, no headers, no senders, no decoding
 * beyond splitting aggregate3's answer: what the node itself must serve for a backfill, done as fast as this process
 * can ask. Uses viem only (no indexer code), so a change to the indexer's readers cannot move the floor.
 */
import { performance } from 'node:perf_hooks'
import { type Address, createPublicClient, decodeFunctionResult, encodeFunctionData, type Hex, http, multicall3Abi, toFunctionSelector } from 'viem'
import pLimit from 'p-limit'
import { SP_TOPIC0S } from '../../src/chain/spAbi.js'

const ATTESTATION_MADE = '0x38b331f00373c8b0f9af5a4273ca1b91e894fec999bfa4ec787e8c90a5c8b05c'
const GET_ATTESTATION = toFunctionSelector('getAttestation(uint64)')

export type FloorParameters = {
  rpcUrl: string
  contract: Address
  multicall3: Address
  fromBlock: bigint
  toBlock: bigint
  /** blocks per eth_getLogs when the chain never holds 1,000 logs in a probe range (default 10) */
  blocksPerRange?: number
  /** logs per eth_getLogs aimed at after the first (default 5,000; a range whose answer is refused is halved) */
  logsPerRange?: number
  /** calls per aggregate3 (default 250, the indexer's default) */
  callsPerMulticall?: number
  /** RPC requests in flight (default 4) */
  parallel?: number
}

export type Floor = { logs: number; attestations: number; failedReads: number; seconds: number; getLogsSeconds: number }

/** @returns how many logs and attestation reads the node served, and in how long (wall clock, first request → last answer) */
export async function measureFloor(p: FloorParameters): Promise<Floor> {
  const client = createPublicClient({ transport: http(p.rpcUrl, { timeout: 120_000, retryCount: 0 }), cacheTime: 0, batch: { multicall: false } })
  const span = BigInt(p.blocksPerRange ?? 10)
  const perCall = p.callsPerMulticall ?? 250
  const limit = pLimit(p.parallel ?? 4)
  let logs = 0
  let attestations = 0
  let failedReads = 0
  let getLogsMs = 0
  const reads: Promise<void>[] = []
  const started = performance.now()
  const getLogs = async (fromBlock: bigint, toBlock: bigint): Promise<{ topics: Hex[]; data: Hex; blockNumber: Hex }[]> => {
    const t = performance.now()
    try {
      return (await client.request({
        method: 'eth_getLogs',
        params: [{ address: p.contract, topics: [SP_TOPIC0S], fromBlock: `0x${fromBlock.toString(16)}`, toBlock: `0x${toBlock.toString(16)}` }],
      })) as { topics: Hex[]; data: Hex; blockNumber: Hex }[]
    } catch (error) {
      if (toBlock === fromBlock) throw error
      // too many logs for one answer (viem refuses bodies over 10 MB): halves, one after the other
      const mid = fromBlock + (toBlock - fromBlock) / 2n
      return [...(await getLogs(fromBlock, mid)), ...(await getLogs(mid + 1n, toBlock))]
    } finally {
      getLogsMs += performance.now() - t
    }
  }
  // every range's logs, then its reads, all through one limit of requests in flight (ranges queued in order)
  const readRange = async (fromBlock: bigint, toBlock: bigint) => {
    const raw = await getLogs(fromBlock, toBlock)
    logs += raw.length
    const byBlock = new Map<string, Hex[]>()
    for (const l of raw) {
      if (l.topics[0] !== ATTESTATION_MADE) continue
      const calls = byBlock.get(l.blockNumber) ?? []
      // AttestationMade(uint64 attestationId, string indexingKey): the id is the data's first word
      calls.push(`${GET_ATTESTATION}${l.data.slice(2, 66)}` as Hex)
      byBlock.set(l.blockNumber, calls)
    }
    for (const [block, calls] of byBlock) {
      for (let i = 0; i < calls.length; i += perCall) {
        const chunk = calls.slice(i, i + perCall)
        reads.push(
          limit(async () => {
            const { data } = await client.call({
              to: p.multicall3,
              blockNumber: BigInt(block),
              data: encodeFunctionData({
                abi: multicall3Abi,
                functionName: 'aggregate3',
                args: [chunk.map((callData) => ({ target: p.contract, allowFailure: true, callData }))],
              }),
            })
            const results = decodeFunctionResult({ abi: multicall3Abi, functionName: 'aggregate3', data: data ?? '0x' })
            for (const r of results) {
              if (r.success && r.returnData.length > 2) attestations++
              else failedReads++
            }
          }),
        )
      }
    }
    return raw.length
  }
  // probe ranges (1, 2, 4… blocks, one at a time) until one holds ≥ 1,000 logs; its density sizes the others to
  // about `logsPerRange` logs each (the indexer aims at 5,000 too)
  let from = p.fromBlock
  let probe = 1n
  let size = span
  while (from <= p.toBlock) {
    const to = from + probe - 1n > p.toBlock ? p.toBlock : from + probe - 1n
    const found = await limit(() => readRange(from, to))
    from = to + 1n
    if (found >= 1_000) {
      size = BigInt(Math.max(1, Math.floor(((p.logsPerRange ?? 5_000) * Number(probe)) / found)))
      break
    }
    probe *= 2n
  }
  const ranges: Promise<number>[] = []
  for (; from <= p.toBlock; from += size) {
    const [f, t] = [from, from + size - 1n > p.toBlock ? p.toBlock : from + size - 1n]
    ranges.push(limit(() => readRange(f, t)))
  }
  await Promise.all(ranges)
  await Promise.all(reads)
  return { logs, attestations, failedReads, seconds: (performance.now() - started) / 1000, getLogsSeconds: getLogsMs / 1000 }
}
