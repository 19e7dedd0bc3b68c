/**
 * Runs the real CLI (`bin/sign-indexer.mjs index`) as a child process, for tests that kill it.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { writeFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '../..')

export type IndexerProcess = { child: ChildProcess; output: () => string; ready: Promise<void>; exited: Promise<number | null> }

/** Writes a config file for one devnet chain and returns its path. */
export async function writeChainConfig(
  path: string,
  chain: { rpcUrl: string; chainId: number; contract: string; startBlock: bigint; maxBlockRange: number; wsUrl?: string; pollIntervalMs?: number },
) {
  await writeFile(
    path,
    JSON.stringify({
      chains: [
        {
          chainId: chain.chainId,
          rpcUrl: chain.rpcUrl,
          ...(chain.wsUrl !== undefined && { wsUrl: chain.wsUrl }),
          contract: chain.contract,
          startBlock: Number(chain.startBlock),
          confirmations: 0,
          maxBlockRange: chain.maxBlockRange,
          pollIntervalMs: chain.pollIntervalMs ?? 100,
        },
      ],
    }),
  )
  return path
}

/**
 * Spawns `sign-indexer index --config <file> --database-url <url>`; `ready` resolves once it holds the writer lock.
 * `env` goes over this process's environment (e.g. `SIGN_INDEXER_TSX: '1'` to run the sources, not dist/).
 */
export function spawnIndexer(configPath: string, databaseUrl: string, extraArgs: string[] = [], env: Record<string, string> = {}): IndexerProcess {
  return spawnCli(['index', '--config', configPath, '--database-url', databaseUrl, '--log-level', 'info', ...extraArgs], 'Writer lock acquired', env)
}

/** Spawns `sign-indexer serve` on a free port; `ready` resolves once it listens, `url()` is its GraphQL URL. */
export function spawnGateway(databaseUrl: string, extraArgs: string[] = []): IndexerProcess & { url(): string } {
  const proc = spawnCli(
    ['serve', '--database-url', databaseUrl, '--port', '0', '--host', '127.0.0.1', '--log-level', 'info', ...extraArgs],
    'GraphQL gateway running',
  )
  return { ...proc, url: () => /"graphql_url":"([^"]+)"/.exec(proc.output())?.[1] ?? '' }
}

/**
 * Spawns `sign-indexer <args>` (e.g. `['start', '--config', path]`) with `env` over this process's environment;
 * `ready` resolves once `readyText` appears in its output (or it exits). `output()` keeps the last ~100 KB: listen on `child.stdout`/`child.stderr` for all of it.
 */
export function spawnCli(args: string[], readyText: string, env: Record<string, string> = {}): IndexerProcess {
  // INDEXER_NODE_ARGS: node flags NODE_OPTIONS refuses (e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof` for benches)
  const nodeArgs = process.env.INDEXER_NODE_ARGS?.split(' ').filter(Boolean) ?? []
  const child = spawn(process.execPath, [...nodeArgs, join(ROOT, 'bin/sign-indexer.mjs'), ...args], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, LOG_LEVEL: 'info', ...(process.env.INDEXER_NODE_OPTIONS && { NODE_OPTIONS: process.env.INDEXER_NODE_OPTIONS }), ...env },
  })
  let out = ''
  let markReady!: () => void
  const ready = new Promise<void>((r) => {
    markReady = r
  })
  const onData = (d: Buffer) => {
    out += d.toString()
    if (out.length > 200_000) out = out.slice(-100_000)
    if (out.includes(readyText)) markReady()
  }
  child.stdout!.on('data', onData)
  child.stderr!.on('data', onData)
  const exited = new Promise<number | null>((resolve) =>
    child.on('exit', (code) => {
      markReady()
      resolve(code)
    }),
  )
  return { child, output: () => out, ready, exited }
}

/**
 * Resolves `true` as soon as `text` appears in what `proc` writes from now on (stdout or stderr), `false` after
 * `timeoutMs` ms or when it exits first. (A line split across two chunks is missed; pino writes each line whole.)
 */
export function waitForOutput(proc: IndexerProcess, text: string, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const finish = (seen: boolean) => {
      clearTimeout(timer)
      proc.child.stdout!.off('data', onData)
      proc.child.stderr!.off('data', onData)
      proc.child.off('exit', onExit)
      resolve(seen)
    }
    const onData = (d: Buffer) => {
      if (d.toString().includes(text)) finish(true)
    }
    const onExit = () => finish(false)
    const timer = setTimeout(() => finish(false), timeoutMs)
    proc.child.stdout!.on('data', onData)
    proc.child.stderr!.on('data', onData)
    proc.child.once('exit', onExit)
  })
}
