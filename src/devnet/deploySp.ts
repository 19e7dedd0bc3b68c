/**
 * Deploys the real SP contract (no proxy) and the canonical Multicall3 on an anvil devnet, plus the small helpers
 * (dev accounts, viem clients, receipt checks) shared with the workload.
 */
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { pathToFileURL } from 'node:url'
import {
  type Account,
  type Address,
  BaseError as ViemBaseError,
  type Chain,
  ContractFunctionRevertedError,
  createPublicClient,
  createTestClient,
  createWalletClient,
  defineChain,
  getAddress,
  type Hash,
  type Hex,
  http,
  type PublicClient,
  type TestClient,
  type TransactionReceipt,
  type Transport,
  type WalletClient,
} from 'viem'
import { type HDAccount, mnemonicToAccount } from 'viem/accounts'
import { BaseError } from '../errors/baseError.js'
import { compileSp } from './compileSp.js'
import { spAbi } from '../chain/spAbi.js'

/** Canonical Multicall3 address (same on every chain); installed on the devnet by `deploySp`. */
export const MULTICALL3_ADDRESS = '0xcA11bde05977b3631167028862bE2a173976CA11' as const satisfies Address

/** anvil's default mnemonic; its first 10 accounts are funded with 10 000 ETH each. */
export const DEV_MNEMONIC = 'test test test test test test test test test test test junk'

/** Chain id on which SP's constructor leaves `initialize` callable (`block.chainid == 31_337`). */
export const SP_DEV_CHAIN_ID = 31337

/** A devnet transaction failed: gas estimation reverted, or the mined receipt has status `reverted`. */
export class DevnetTxError extends BaseError {
  readonly label: string
  readonly txHash?: Hash
  constructor(label: string, opts: { txHash?: Hash; details?: string; cause?: unknown } = {}) {
    const why = opts.txHash ? `reverted (tx ${opts.txHash})` : 'failed'
    super(`devnet transaction "${label}" ${why}`, { code: 'DEVNET_TX', details: opts.details, cause: opts.cause })
    this.label = label
    this.txHash = opts.txHash
  }
}

/** SP or Multicall3 could not be deployed or initialized. */
export class DevnetDeployError extends BaseError {
  constructor(shortMessage: string, opts: { details?: string; cause?: unknown } = {}) {
    super(shortMessage, { code: 'DEVNET_DEPLOY', ...opts })
  }
}

const accountCache = new Map<number, HDAccount>()

/**
 * The anvil dev account at `m/44'/60'/0'/0/<index>` of `DEV_MNEMONIC` (derived with viem `mnemonicToAccount`,
 * cached). Indices 0..9 are funded by anvil. Role convention: 0 deployer, 1..4 `seedScenario`, 5..8 `runLive`,
 * 9 `seedBulk` — so these may run side by side without nonce clashes.
 */
export function devAccount(index: number): HDAccount {
  let account = accountCache.get(index)
  if (!account) {
    account = mnemonicToAccount(DEV_MNEMONIC, { addressIndex: index })
    accountCache.set(index, account)
  }
  return account
}

/** A viem chain object for a devnet (no multicall contract declared: callers pin their own). */
export function devnetChain(chainId: number, rpcUrl: string): Chain {
  return defineChain({
    id: chainId,
    name: `devnet-${chainId}`,
    nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 },
    rpcUrls: { default: { http: [rpcUrl] } },
  })
}

/** viem clients for one devnet, from `createDevClients`. */
export type DevClients = {
  chain: Chain
  publicClient: PublicClient<Transport, Chain>
  /** anvil test actions (`anvil_setCode`, `evm_setAutomine`, `evm_mine`, ...) */
  testClient: TestClient<'anvil', Transport, Chain>
  wallet(index: number): WalletClient<Transport, Chain, Account>
}

/**
 * Builds viem clients for a devnet (`cacheTime: 0`, polling every 50 ms); asks `eth_chainId` once.
 * `wallet(i)` signs locally with `devAccount(i)` and sends `eth_sendRawTransaction`.
 */
export async function createDevClients(rpcUrl: string): Promise<DevClients> {
  const probe = createPublicClient({ transport: http(rpcUrl), cacheTime: 0 })
  const chain = devnetChain(await probe.getChainId(), rpcUrl)
  const transport = http(rpcUrl, { timeout: 60_000 })
  const publicClient = createPublicClient({ chain, transport, cacheTime: 0, pollingInterval: 50 })
  const testClient = createTestClient({ mode: 'anvil', chain, transport, cacheTime: 0 })
  const wallets = new Map<number, WalletClient<Transport, Chain, Account>>()
  const wallet = (index: number) => {
    let w = wallets.get(index)
    if (!w) {
      w = createWalletClient({ account: devAccount(index), chain, transport, cacheTime: 0, pollingInterval: 50 })
      wallets.set(index, w)
    }
    return w
  }
  return { chain, publicClient, testClient, wallet }
}

/**
 * Sends a transaction through `send()` and waits for its receipt (`eth_getTransactionReceipt`, polled every 50 ms,
 * up to 120 s; `signal` aborts the wait with viem's abort error).
 *
 * @returns the receipt, whose status is `success`
 * @throws DevnetTxError when `send()` throws (typically gas estimation reverted: `details` names the decoded SP
 *   custom error, e.g. "reverted with AttestationIrrevocable()", the viem error is the `cause`) or when the
 *   receipt status is `reverted`
 */
export async function sendAndWait(publicClient: PublicClient, label: string, send: () => Promise<Hash>, signal?: AbortSignal): Promise<TransactionReceipt> {
  let hash: Hash
  try {
    hash = await send()
  } catch (err) {
    throw new DevnetTxError(label, { cause: err, details: describeRevert(err) })
  }
  const receipt = await publicClient.waitForTransactionReceipt({ hash, pollingInterval: 50, timeout: 120_000, signal })
  if (receipt.status !== 'success') throw new DevnetTxError(label, { txHash: hash })
  return receipt
}

/** One line for a viem error: the decoded SP custom error name when the call reverted, else viem's short message. */
function describeRevert(err: unknown): string {
  if (err instanceof ViemBaseError) {
    const reverted = err.walk((e) => e instanceof ContractFunctionRevertedError) as ContractFunctionRevertedError | null
    const data = reverted?.data
    if (data && (data.errorName === 'Panic' || data.errorName === 'Error'))
      return `reverted with ${data.errorName}(${data.args?.join(', ')}): ${reverted!.reason}`
    if (data?.errorName) return `reverted with ${data.errorName}(${(data.args ?? []).join(', ')})`
    if (reverted?.reason) return `reverted: ${reverted.reason}`
    return err.shortMessage
  }
  return err instanceof Error ? err.message : String(err)
}

/**
 * Loads viem's Multicall3 creation code. viem 2.57 keeps `multicall3Bytecode` in `constants/contracts.js` without
 * re-exporting it from any public entry point, so the module is imported by file URL from viem's package directory.
 *
 * @throws DevnetDeployError when the constant is not found (layout of another viem version)
 */
export async function loadMulticall3Bytecode(): Promise<Hex> {
  const require = createRequire(import.meta.url)
  const viemDir = dirname(require.resolve('viem/package.json'))
  const file = join(viemDir, '_esm', 'constants', 'contracts.js')
  try {
    const mod = (await import(pathToFileURL(file).href)) as { multicall3Bytecode?: Hex }
    if (mod.multicall3Bytecode?.startsWith('0x')) return mod.multicall3Bytecode
  } catch (err) {
    throw new DevnetDeployError('cannot load viem multicall3Bytecode', { cause: err, details: file })
  }
  throw new DevnetDeployError('viem does not define multicall3Bytecode', { details: file })
}

/**
 * Installs Multicall3 at `MULTICALL3_ADDRESS` unless code is already there: deploys viem's `multicall3Bytecode`
 * normally from dev account 0, reads the runtime code (`eth_getCode`), then copies it with `anvil_setCode`.
 * The code exists from the next mined block on; reads pinned to earlier blocks do not see it.
 *
 * @returns true when it was installed, false when code was already present
 * @throws DevnetTxError / DevnetDeployError
 */
export async function installMulticall3(clients: DevClients): Promise<boolean> {
  const { publicClient, wallet } = clients
  const existing = await publicClient.getCode({ address: MULTICALL3_ADDRESS })
  if (existing && existing !== '0x') return false
  const bytecode = await loadMulticall3Bytecode()
  const receipt = await sendAndWait(publicClient, 'deploy Multicall3', () => wallet(0).deployContract({ abi: [], bytecode }))
  const runtime = await publicClient.getCode({ address: receipt.contractAddress!, blockNumber: receipt.blockNumber })
  if (!runtime || runtime === '0x') throw new DevnetDeployError('Multicall3 deployment left no code')
  await clients.testClient.setCode({ address: MULTICALL3_ADDRESS, bytecode: runtime })
  return true
}

/** Options of {@link deploySp}. */
export type DeploySpParameters = {
  /** JSON-RPC URL of an anvil node running chain 31337 (another chain id only together with `address`) */
  rpcUrl: string
  /**
   * Install Multicall3 at `MULTICALL3_ADDRESS` first (default true). With false the chain has no code there, like a
   * chain where Multicall3 was never deployed; `installMulticall3` can add it later (present from then on only).
   */
  multicall3?: boolean
  /**
   * Put SP at this address instead of a fresh one (e.g. a production proxy's address such as Base's): SP is deployed
   * normally, its runtime code (`eth_getCode`) copied there with `anvil_setCode`, and `initialize(1, 1)` called on
   * the copy (its storage is empty, so the initializer is open). The normally deployed instance is left unused.
   */
  address?: Address
}

/**
 * Deploys SP v1.1.3 directly (no ERC1967 proxy) from dev account 0 and calls `initialize(1, 1)` (so the first
 * schema and attestation ids are 1), after installing Multicall3 (see `installMulticall3`) unless
 * `multicall3: false`. Compiles SP first (`compileSp`, cached).
 *
 * @returns `{ address, deployBlock }` — the SP address and the first block worth scanning: the block of its creation
 *   transaction, or with `opts.address` the block of the `initialize` call (the copied code has no creation block)
 * @throws DevnetDeployError when the chain id is not 31337 and no `opts.address` is given (SP's constructor then
 *   disables initializers, so `initialize` would revert `InvalidInitialization()`; a copy made with `anvil_setCode`
 *   has fresh storage and can be initialized on any chain id) or when `opts.address` already holds code;
 *   DevnetTxError when a transaction reverts
 */
export async function deploySp(opts: DeploySpParameters): Promise<{ address: Address; deployBlock: bigint }> {
  const clients = await createDevClients(opts.rpcUrl)
  const { publicClient, wallet, chain } = clients
  if (chain.id !== SP_DEV_CHAIN_ID && !opts.address) {
    throw new DevnetDeployError(`SP can only be initialized without a proxy on chain ${SP_DEV_CHAIN_ID}, not ${chain.id} (unless copied to an address)`)
  }
  const [artifact] = await Promise.all([compileSp(), opts.multicall3 === false ? false : installMulticall3(clients)])
  const deployed = await sendAndWait(publicClient, 'deploy SP', () => wallet(0).deployContract({ abi: spAbi, bytecode: artifact.bytecode }))
  let address = getAddress(deployed.contractAddress!)
  if (opts.address) {
    const target = getAddress(opts.address)
    const existing = await publicClient.getCode({ address: target })
    if (existing && existing !== '0x') throw new DevnetDeployError(`cannot put SP at ${target}: code is already there`)
    const runtime = await publicClient.getCode({ address, blockNumber: deployed.blockNumber })
    if (!runtime || runtime === '0x') throw new DevnetDeployError('SP deployment left no code')
    await clients.testClient.setCode({ address: target, bytecode: runtime })
    address = target
  }
  const initialized = await sendAndWait(publicClient, 'SP.initialize(1, 1)', () =>
    wallet(0).writeContract({ address, abi: spAbi, functionName: 'initialize', args: [1n, 1n] }),
  )
  return { address, deployBlock: opts.address ? initialized.blockNumber : deployed.blockNumber }
}
