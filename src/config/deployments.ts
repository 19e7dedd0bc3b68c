/**
 * The production Sign Protocol proxies this indexer knows by name (source: the official subgraph configs, as collected in
 * the design notes' "Production proxies" table). Addresses are stored lower-case; start blocks are the first block
 * worth scanning on that chain.
 *
 * RPC URLs are deliberately NOT built in: a chain's endpoint comes from `--rpc-url`, or from the environment as
 * `RPC_URL_<CHAINID>` (e.g. `RPC_URL_8453`) or `RPC_URL_<NAME>` (upper-case, dashes to underscores, e.g.
 * `RPC_URL_BASE_SEPOLIA`), or from the config file — see {@link rpcUrlEnvNames}.
 *
 * Confirmations (finality depth, in blocks) are conservative defaults used when the node does not answer the
 * `finalized` block tag; the sync stage prefers `eth_getBlockByNumber("finalized")` whenever the node supports it.
 * Chosen values and why:
 * - ethereum, sepolia: 12 (≈ 2.4 min at 12 s slots; `finalized` lags ≈ 2 epochs / 64+ blocks).
 * - gnosis: 12 (5 s slots, ≈ 1 min; same beacon-chain finality as Ethereum).
 * - base, optimism, base-sepolia, celo (OP Stack, 1–2 s blocks): 10 — only a sequencer reorg of the unsafe head is
 *   expected, and that is shallow.
 * - opbnb (OP Stack, sub-second blocks): 20.
 * - arbitrum (≈ 0.25 s blocks): 20 (≈ 5 s).
 * - scroll (zk rollup, 3 s blocks): 10.
 * - bnb (3 s blocks, fast finality in 2 blocks when validators vote): 15, the long-standing exchange convention.
 * - polygon (2 s blocks, history of deep reorgs before milestone finality): 64.
 * - zetachain (CometBFT, single-block finality): 2, a margin for lagging RPC nodes only.
 */

/** Multicall3 (https://github.com/mds1/multicall) is at this address on every built-in chain and on anvil forks. */
export const MULTICALL3_ADDRESS = '0xca11bde05977b3631167028862be2a173976ca11' as const

/** Confirmations for a chain with no built-in deployment (Ethereum-like safety). */
export const DEFAULT_CONFIRMATIONS = 12

/** Chain ids of local development chains (anvil, hardhat, ganache): no reorg to wait for, 0 confirmations. */
export const LOCAL_CHAIN_IDS: readonly number[] = [31337, 1337]

/** One production Sign Protocol proxy. */
export type Deployment = {
  /** lookup key and the chain's name in logs and the database, lower-case with dashes (`base-sepolia`) */
  readonly name: string
  /** human-readable name (`Base Sepolia`) */
  readonly label: string
  /** EIP-155 chain id */
  readonly chainId: number
  /** the SP proxy address, lower-case hex */
  readonly contract: `0x${string}`
  /** first block worth scanning (the proxy's deployment block or just before its first event) */
  readonly startBlock: bigint
  /** default finality depth in blocks, used when the node has no `finalized` tag */
  readonly confirmations: number
  /** Multicall3 address used to batch record reads, lower-case hex */
  readonly multicall3: `0x${string}`
}

function deployment(name: string, label: string, chainId: number, contract: string, startBlock: bigint, confirmations: number): Deployment {
  return Object.freeze({
    name,
    label,
    chainId,
    contract: contract.toLowerCase() as `0x${string}`,
    startBlock,
    confirmations,
    multicall3: MULTICALL3_ADDRESS,
  })
}

/** Every built-in production deployment (v1.1.x proxies), in the order of the design notes' table. */
export const DEPLOYMENTS: readonly Deployment[] = Object.freeze([
  deployment('ethereum', 'Ethereum', 1, '0x3D8E699Db14d7781557fE94ad99d93Be180A6594', 19_182_884n, 12),
  deployment('base', 'Base', 8453, '0x2b3224D080452276a76690341e5Cfa81A945a985', 11_877_970n, 10),
  deployment('arbitrum', 'Arbitrum One', 42161, '0x4e4af2a21ebf62850fD99Eb6253E1eFBb56098cD', 225_766_545n, 20),
  deployment('optimism', 'Optimism', 10, '0x945C44803E92a3495C32be951052a62E45A5D964', 118_657_336n, 10),
  deployment('polygon', 'Polygon', 137, '0xe2C15B97F628B7Ad279D6b002cEDd414390b6D63', 53_268_320n, 64),
  deployment('bnb', 'BNB Chain', 56, '0xe2C15B97F628B7Ad279D6b002cEDd414390b6D63', 40_307_114n, 15),
  deployment('scroll', 'Scroll', 534352, '0xFBF614E89Ac79d738BaeF81CE6929897594b7E69', 4_053_879n, 10),
  deployment('opbnb', 'opBNB', 204, '0x03688D459F172B058d39241456Ae213FC4E26941', 15_634_224n, 20),
  deployment('zetachain', 'ZetaChain', 7000, '0xBbc279ee396074aC968b459d542DEE60c6bD71C1', 3_685_448n, 2),
  deployment('gnosis', 'Gnosis', 100, '0x4e4af2a21ebf62850fD99Eb6253E1eFBb56098cD', 33_529_689n, 12),
  deployment('celo', 'Celo', 42220, '0x4e4af2a21ebf62850fD99Eb6253E1eFBb56098cD', 27_169_872n, 10),
  deployment('sepolia', 'Sepolia', 11155111, '0x878c92FD89d8E0B93Dc0a3c907A2adc7577e39c5', 5_658_228n, 12),
  deployment('base-sepolia', 'Base Sepolia', 84532, '0x4e4af2a21ebf62850fD99Eb6253E1eFBb56098cD', 7_612_910n, 10),
])

/** Extra spellings accepted by {@link getDeployment} (all compared lower-case, `_` and spaces read as `-`). */
const ALIASES: Readonly<Record<string, string>> = {
  mainnet: 'ethereum',
  eth: 'ethereum',
  'arbitrum-one': 'arbitrum',
  arb: 'arbitrum',
  'op-mainnet': 'optimism',
  op: 'optimism',
  matic: 'polygon',
  bsc: 'bnb',
  'bnb-chain': 'bnb',
  'zeta-chain': 'zetachain',
  xdai: 'gnosis',
}

/**
 * Finds a built-in deployment by chain name (`base`, `base-sepolia`, a few aliases such as `mainnet`, `bsc`; case and
 * `_`/`-` insensitive) or by chain id (a number or a decimal string such as `"8453"`). Pure; never throws.
 *
 * @returns the deployment, or `undefined` when the chain is not built in.
 * @example getDeployment('base')?.chainId // 8453
 */
export function getDeployment(nameOrId: string | number): Deployment | undefined {
  if (typeof nameOrId === 'number') return DEPLOYMENTS.find((d) => d.chainId === nameOrId)
  const key = nameOrId
    .trim()
    .toLowerCase()
    .replace(/[_\s]+/g, '-')
  if (/^\d+$/.test(key)) return DEPLOYMENTS.find((d) => d.chainId === Number(key))
  const name = ALIASES[key] ?? key
  return DEPLOYMENTS.find((d) => d.name === name)
}

/** `name (chainId)` for every built-in deployment, comma-separated: for "unknown chain" messages and `--help`. */
export function describeKnownChains(): string {
  return DEPLOYMENTS.map((d) => `${d.name} (${d.chainId})`).join(', ')
}

/**
 * The environment variables that may hold a chain's RPC URL(s), most specific first:
 * `RPC_URL_<CHAINID>`, then `RPC_URL_<NAME>` with the name upper-cased and every non-alphanumeric run turned into `_`
 * (`base-sepolia` → `RPC_URL_BASE_SEPOLIA`). A value may list several URLs separated by commas (fallbacks, in order).
 *
 * @param chain `chainId` and/or `name`, either may be missing for a chain still being resolved.
 */
export function rpcUrlEnvNames(chain: { chainId?: number; name?: string }): string[] {
  const names: string[] = []
  if (chain.chainId !== undefined) names.push(`RPC_URL_${chain.chainId}`)
  if (chain.name) {
    const suffix = chain.name
      .toUpperCase()
      .replace(/[^A-Z0-9]+/g, '_')
      .replace(/^_+|_+$/g, '')
    if (suffix && !/^\d+$/.test(suffix)) names.push(`RPC_URL_${suffix}`)
  }
  return names
}
