/**
 * Local devnet: anvil running the real Sign Protocol contract (SP v1.1.3, compiled from the npm package) plus
 * Multicall3, and a workload generator. Used by tests, benchmarks and `sign-indexer devnet`.
 */
import type { Address } from 'viem'
import { deploySp, MULTICALL3_ADDRESS, SP_DEV_CHAIN_ID } from './deploySp.js'
import { startAnvil } from './startAnvil.js'

export { compileSp, SolcCompileError, type SpArtifact } from './compileSp.js'
export {
  createDevClients,
  DEV_MNEMONIC,
  devAccount,
  devnetChain,
  DevnetDeployError,
  DevnetTxError,
  type DevClients,
  deploySp,
  type DeploySpParameters,
  installMulticall3,
  loadMulticall3Bytecode,
  MULTICALL3_ADDRESS,
  sendAndWait,
  SP_DEV_CHAIN_ID,
} from './deploySp.js'
export { AnvilError, type AnvilInstance, resolveAnvilBinary, startAnvil, type StartAnvilOptions } from './startAnvil.js'
export * from '../chain/spAbi.js'
export {
  addressRecipient,
  type AttestationInput,
  CHECK_FIELDS,
  CID,
  completeAttestation,
  completeSchema,
  createSpWriter,
  delegatedAttestHash,
  delegatedOffchainAttestHash,
  delegatedRegisterHash,
  delegatedRevokeHash,
  DevnetDelegationError,
  flatScore,
  SCORE_FIELDS,
  type SchemaInput,
  schemaJson,
  type SpWriter,
  stringRecipient,
  tupleCheck,
  tupleScore,
} from './spWriter.js'
export { type BulkSummary, createWorkload, type ScenarioSummary, type Workload } from './workload.js'
export { runLive } from './liveWorkload.js'
export { seedBulk } from './bulkWorkload.js'

/** A running devnet: anvil + SP (initialized with counters 1, 1) + Multicall3 at its canonical address (unless started without). */
export type Devnet = {
  rpcUrl: string
  wsUrl: string
  chainId: number
  /** SP contract address */
  address: Address
  /** block number of the SP creation transaction (first block worth scanning) */
  deployBlock: bigint
  /** the canonical Multicall3 address, to configure the indexer with; holds no code when started with `multicall3: false` */
  multicall3: Address
  /** kills anvil; idempotent */
  stop(): Promise<void>
}

/**
 * Starts anvil (`startAnvil`, chain 31337 by default, on 127.0.0.1) and deploys SP + Multicall3 on it (`deploySp`).
 * Takes ~0.5 s with a warm compile cache (`.cache/`), ~6 s without.
 *
 * @param opts.port TCP port (default 0: a free one)
 * @param opts.blockTime seconds per block (default: automine)
 * @param opts.args extra anvil CLI arguments
 * @param opts.multicall3 install Multicall3 (default true); false builds a chain without it (see `deploySp`)
 * @param opts.spAddress put SP at this address (e.g. a production proxy's, such as Base's) via `anvil_setCode`
 * @param opts.chainId anvil's chain id (default 31337); another one needs `spAddress` (e.g. Sepolia's 11155111 with
 *   Sepolia's SP address, for clients such as the official SDK that only know production chains)
 * @throws AnvilError, SolcCompileError, DevnetDeployError, DevnetTxError — anvil is stopped before rethrowing
 */
export async function startDevnet(
  opts: { port?: number; blockTime?: number; args?: string[]; multicall3?: boolean; spAddress?: Address; chainId?: number } = {},
): Promise<Devnet> {
  const anvil = await startAnvil({ port: opts.port, blockTime: opts.blockTime, args: opts.args, chainId: opts.chainId ?? SP_DEV_CHAIN_ID })
  try {
    const { address, deployBlock } = await deploySp({ rpcUrl: anvil.rpcUrl, multicall3: opts.multicall3, address: opts.spAddress })
    return {
      rpcUrl: anvil.rpcUrl,
      wsUrl: anvil.wsUrl,
      chainId: anvil.chainId,
      address,
      deployBlock,
      multicall3: MULTICALL3_ADDRESS,
      stop: anvil.stop,
    }
  } catch (err) {
    await anvil.stop()
    throw err
  }
}
