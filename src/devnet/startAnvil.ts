/**
 * Spawns a local anvil node (from the npm package `@foundry-rs/anvil`) and waits until it answers JSON-RPC.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { BaseError } from '../errors/baseError.js'

const require = createRequire(import.meta.url)

/** A running anvil process. `stop()` is idempotent. */
export type AnvilInstance = {
  /** `http://127.0.0.1:<port>` */
  rpcUrl: string
  /** `ws://127.0.0.1:<port>` (same port: anvil serves both) */
  wsUrl: string
  port: number
  chainId: number
  stop(): Promise<void>
}

export type StartAnvilOptions = {
  /** TCP port on 127.0.0.1; 0 (default) lets anvil bind a free port, read back from its "Listening on" line */
  port?: number
  /** default 31337 (SP's constructor only leaves `initialize` callable on 31337) */
  chainId?: number
  /** seconds between blocks (interval mining); default: automine, one block per transaction */
  blockTime?: number
  /** extra CLI arguments, e.g. `['--no-mining']`, `['--gas-limit', '100000000']` */
  args?: string[]
  /** readiness timeout in ms (default 20 000) */
  timeoutMs?: number
}

/** anvil could not be found, exited early, or did not answer `eth_chainId` in time. */
export class AnvilError extends BaseError {
  constructor(shortMessage: string, opts: { details?: string; cause?: unknown } = {}) {
    super(shortMessage, { code: 'DEVNET_ANVIL', ...opts })
  }
}

const running = new Set<ChildProcess>()
let exitHookInstalled = false

/**
 * Kills every anvil this process started when the process exits (`exit`: sync SIGKILL, handlers cannot await) or
 * receives SIGINT / SIGTERM / SIGHUP (which skip `exit`). When no other listener handles the signal, it is re-raised
 * so the default behaviour (terminate) is kept.
 */
function installExitHook(): void {
  if (exitHookInstalled) return
  exitHookInstalled = true
  const killAll = () => {
    for (const child of running) child.kill('SIGKILL')
  }
  process.on('exit', killAll)
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    const onSignal = () => {
      killAll()
      if (process.listenerCount(signal) === 1) {
        process.removeListener(signal, onSignal)
        process.kill(process.pid, signal)
      }
    }
    process.on(signal, onSignal)
  }
}

/**
 * Path of the anvil executable: the platform package's native binary (`@foundry-rs/anvil-<os>-<arch>/bin/anvil`)
 * — a direct optional dependency: depending on the `@foundry-rs/anvil` wrapper instead puts its other-platform
 * packages, which this registry does not serve, in the lock file and breaks `npm ci` — or `ANVIL_BIN` when set.
 * Spawning the binary directly (not the
 * `bin.mjs` node wrapper) means killing our child kills anvil itself.
 *
 * @throws AnvilError when no binary exists for this platform
 */
export function resolveAnvilBinary(): string {
  if (process.env.ANVIL_BIN) return process.env.ANVIL_BIN
  const arch = process.arch === 'x64' ? 'amd64' : process.arch
  const exe = process.platform === 'win32' ? 'anvil.exe' : 'anvil'
  const platformPackage = `@foundry-rs/anvil-${process.platform}-${arch}`
  try {
    const binary = join(dirname(require.resolve(`${platformPackage}/package.json`)), 'bin', exe)
    if (existsSync(binary)) return binary
  } catch {
    // fall through
  }
  throw new AnvilError(`anvil binary not found (package ${platformPackage})`, {
    details: `Install ${platformPackage} (the registry here serves only the linux-x64 build, an optional dependency), or set ANVIL_BIN to an anvil executable.`,
  })
}

/**
 * Starts anvil on 127.0.0.1 and resolves once it answers the JSON-RPC method `eth_chainId` with the requested id.
 * stdout/stderr are drained continuously (anvil logs every transaction; an unread pipe would block it) and the
 * last lines are kept for error messages. The child is killed on `stop()` (SIGTERM, then SIGKILL after 3 s) and
 * when this process exits.
 *
 * @returns `{ rpcUrl, wsUrl, port, chainId, stop }`
 * @throws AnvilError when the binary is missing, anvil exits before being ready (e.g. port in use, bad argument),
 *   or it does not answer within `timeoutMs`
 */
export async function startAnvil(opts: StartAnvilOptions = {}): Promise<AnvilInstance> {
  const chainId = opts.chainId ?? 31337
  const timeoutMs = opts.timeoutMs ?? 20_000
  const args = ['--host', '127.0.0.1', '--port', String(opts.port ?? 0), '--chain-id', String(chainId)]
  if (opts.blockTime !== undefined) args.push('--block-time', String(opts.blockTime))
  args.push(...(opts.args ?? []))

  const child = spawn(resolveAnvilBinary(), args, { stdio: ['ignore', 'pipe', 'pipe'] })
  installExitHook()
  running.add(child)
  const tail: string[] = []
  let exited: { code: number | null; signal: NodeJS.Signals | null } | undefined
  let spawnError: Error | undefined
  let listeningPort: number | undefined
  const onOutput = (chunk: Buffer) => {
    for (const line of chunk.toString('utf8').split('\n')) {
      if (!line.trim()) continue
      const m = /Listening on [^\s]*:(\d+)/.exec(line)
      if (m) listeningPort = Number(m[1])
      tail.push(line)
      if (tail.length > 40) tail.shift()
    }
  }
  child.stdout!.on('data', onOutput)
  child.stderr!.on('data', onOutput)
  child.on('error', (err) => (spawnError = err))
  const exitPromise = new Promise<void>((resolve) =>
    child.on('exit', (code, signal) => {
      exited = { code, signal }
      running.delete(child)
      resolve()
    }),
  )

  // 'close' comes after the child's output has all been read ('exit' may come before its last stderr chunk)
  const outputClosed = new Promise<void>((resolve) => child.on('close', () => resolve()))

  let stopped = false
  const stop = async (): Promise<void> => {
    if (stopped) return exitPromise
    stopped = true
    if (exited) return
    child.kill('SIGTERM')
    const timer = setTimeout(() => child.kill('SIGKILL'), 3_000)
    await exitPromise
    clearTimeout(timer)
  }

  const deadline = Date.now() + timeoutMs
  try {
    while (listeningPort === undefined || !(await answersChainId(listeningPort, chainId))) {
      if (spawnError) throw new AnvilError('could not spawn anvil', { cause: spawnError })
      if (exited) await Promise.race([outputClosed, new Promise((r) => setTimeout(r, 1_000))]) // its last words
      if (exited && opts.port && tail.some((line) => /Address already in use/i.test(line)))
        throw new AnvilError(
          `Cannot start the devnet on 127.0.0.1:${opts.port}: port ${opts.port} is already in use — stop the other process or choose another port (DEVNET_PORT)`,
          { details: tail.join('\n') },
        )
      if (exited) throw new AnvilError(`anvil exited early (code ${exited.code}, signal ${exited.signal})`, { details: tail.join('\n') })
      if (Date.now() > deadline) throw new AnvilError(`anvil not ready after ${timeoutMs} ms`, { details: tail.join('\n') })
      await new Promise((r) => setTimeout(r, 50))
    }
  } catch (err) {
    await stop()
    throw err
  }
  const port = listeningPort
  return { rpcUrl: `http://127.0.0.1:${port}`, wsUrl: `ws://127.0.0.1:${port}`, port, chainId, stop }
}

async function answersChainId(port: number, chainId: number): Promise<boolean> {
  try {
    const res = await fetch(`http://127.0.0.1:${port}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_chainId', params: [] }),
      signal: AbortSignal.timeout(1_000),
    })
    const body = (await res.json()) as { result?: string }
    return body.result !== undefined && Number(body.result) === chainId
  } catch {
    return false
  }
}
