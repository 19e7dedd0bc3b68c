/**
 * Compiles the real Sign Protocol contract (`SP.sol` from the npm package `@ethsign/sign-protocol-evm`) with the
 * npm `solc` (solc-js, offline) and caches the artifact under `<repo>/.cache/`.
 */
import { existsSync, readFileSync } from 'node:fs'
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Abi, Hex } from 'viem'
import { BaseError } from '../errors/baseError.js'

const require = createRequire(import.meta.url)

/** Repository root (this file lives in `<root>/src/devnet/`, compiled in `<root>/dist/devnet/`: same depth). */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..')

const SP_PACKAGE = '@ethsign/sign-protocol-evm'
const SP_SOURCE = `${SP_PACKAGE}/src/core/SP.sol`

/** Compiler settings used for SP (part of the cache entry: a cached artifact built otherwise is rebuilt). */
const SETTINGS = {
  optimizer: { enabled: true, runs: 200 },
  viaIR: false,
  evmVersion: 'cancun',
  outputSelection: { [SP_SOURCE]: { SP: ['abi', 'evm.bytecode.object', 'evm.deployedBytecode.object'] } },
} as const

/** A compiled SP artifact. `bytecode` is the creation code, `deployedBytecode` the runtime code (both 0x-hex). */
export type SpArtifact = { abi: Abi; bytecode: Hex; deployedBytecode: Hex }

type CacheEntry = SpArtifact & { solcVersion: string; packageVersion: string; settings: unknown }

/** solc reported errors (severity "error") or produced no bytecode. */
export class SolcCompileError extends BaseError {
  constructor(shortMessage: string, details?: string) {
    super(shortMessage, { code: 'DEVNET_COMPILE', details })
  }
}

/**
 * Compiles `SP.sol` (contract `SP`) of `@ethsign/sign-protocol-evm` with the installed `solc` using standard JSON:
 * optimizer on (200 runs), no viaIR, evmVersion "cancun". Imports (`@openzeppelin/...`, relative package paths)
 * are read from `node_modules` through solc's import callback.
 *
 * The artifact is cached as JSON at `<cacheDir>/sp-<solc version>-<package version>.json` (default cacheDir:
 * `<repo>/.cache`, created if missing) and reused when its settings match; a miss costs ~5 s of CPU (solc-js wasm).
 *
 * @param opts.cacheDir directory for the artifact cache (absolute, or relative to the current directory)
 * @returns `{ abi, bytecode, deployedBytecode }` — creation code and runtime code as 0x-hex
 * @throws SolcCompileError when solc reports an error or the `SP` contract is missing from its output
 */
export async function compileSp(opts: { cacheDir?: string } = {}): Promise<SpArtifact> {
  const cacheDir = resolve(opts.cacheDir ?? join(REPO_ROOT, '.cache'))
  const solcVersion = (require('solc/package.json') as { version: string }).version
  const packageVersion = (require(`${SP_PACKAGE}/package.json`) as { version: string }).version
  const cacheFile = join(cacheDir, `sp-${solcVersion}-${packageVersion}.json`)

  const cached = await readCache(cacheFile)
  if (cached) return cached

  const artifact = await runSolc()
  await mkdir(cacheDir, { recursive: true })
  const entry: CacheEntry = { ...artifact, solcVersion, packageVersion, settings: SETTINGS }
  // write-then-rename so a concurrent reader never sees a half-written file
  const tmp = `${cacheFile}.${process.pid}.${Date.now()}.tmp`
  await writeFile(tmp, JSON.stringify(entry))
  await rename(tmp, cacheFile)
  return artifact
}

async function readCache(file: string): Promise<SpArtifact | undefined> {
  if (!existsSync(file)) return undefined
  try {
    const entry = JSON.parse(await readFile(file, 'utf8')) as CacheEntry
    if (JSON.stringify(entry.settings) !== JSON.stringify(SETTINGS)) return undefined
    if (!entry.bytecode?.startsWith('0x') || !entry.deployedBytecode?.startsWith('0x')) return undefined
    return { abi: entry.abi, bytecode: entry.bytecode, deployedBytecode: entry.deployedBytecode }
  } catch {
    return undefined // corrupt cache: recompile
  }
}

/** Resolves an import path (`@scope/pkg/file.sol`) to a file under the nearest `node_modules`. */
function findImport(path: string): { contents: string } | { error: string } {
  let dir = REPO_ROOT
  for (;;) {
    const candidate = join(dir, 'node_modules', path)
    if (existsSync(candidate)) return { contents: readFileSync(candidate, 'utf8') }
    const parent = dirname(dir)
    if (parent === dir) return { error: `File not found in node_modules: ${path}` }
    dir = parent
  }
}

type SolcOutput = {
  errors?: { severity: string; formattedMessage?: string; message: string }[]
  contracts?: Record<string, Record<string, { abi: Abi; evm: { bytecode: { object: string }; deployedBytecode: { object: string } } }>>
}

async function runSolc(): Promise<SpArtifact> {
  // loaded lazily: the wasm compiler takes ~1 s to load and is not needed on a cache hit
  const solc = (await import('solc')).default as { compile(input: string, opts: { import: typeof findImport }): string }
  const main = findImport(SP_SOURCE)
  if ('error' in main) throw new SolcCompileError('SP.sol not found', main.error)
  const input = { language: 'Solidity', sources: { [SP_SOURCE]: { content: main.contents } }, settings: SETTINGS }
  const output = JSON.parse(solc.compile(JSON.stringify(input), { import: findImport })) as SolcOutput
  const errors = (output.errors ?? []).filter((e) => e.severity === 'error')
  if (errors.length > 0) {
    throw new SolcCompileError('solc failed to compile SP.sol', errors.map((e) => e.formattedMessage ?? e.message).join('\n'))
  }
  const sp = output.contracts?.[SP_SOURCE]?.SP
  if (!sp?.evm.bytecode.object) throw new SolcCompileError('solc output has no SP contract')
  return {
    abi: sp.abi,
    bytecode: `0x${sp.evm.bytecode.object}`,
    deployedBytecode: `0x${sp.evm.deployedBytecode.object}`,
  }
}
