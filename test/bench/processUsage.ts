/**
 * CPU and memory of another process on Linux, read from /proc (the figures `ps` and `time` print).
 */
import { execFileSync } from 'node:child_process'
import { readdirSync, readFileSync } from 'node:fs'

/** Clock ticks per second of /proc/<pid>/stat times (`getconf CLK_TCK`, 100 on Linux x86-64). */
const CLOCK_TICKS_PER_S = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100

/** User + system CPU seconds the process has used so far (/proc/<pid>/stat fields utime and stime). */
export function getCpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
  // fields after the command name, which is in parentheses and may hold spaces: state is field 3, utime 14, stime 15
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_S
}

/** Resident set size now (VmRSS) and its peak over the process's life (VmHWM), in MiB (/proc/<pid>/status). */
export function getMemoryMiB(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8')
  const kib = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0)
  return { rss: kib('VmRSS') / 1024, peak: kib('VmHWM') / 1024 }
}

/** The process and its children (/proc/<pid>/task/<pid>/children: e.g. the workers of `serve --workers`). */
export function processTree(pid: number): number[] {
  let children: number[] = []
  try {
    children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').split(' ').filter(Boolean).map(Number)
  } catch {} // gone, or a kernel without the file: the process alone
  return [pid, ...children]
}

/** CPU seconds of a process tree (the processes alive now). */
const treeCpuSeconds = (pids: number[]) => pids.reduce((sum, p) => sum + (alive(p) ? getCpuSeconds(p) : 0), 0)
/** Memory of a process tree: RSS now and peak (VmHWM), summed over its processes, in MiB. */
export function getTreeMemoryMiB(pid: number): { rss: number; peak: number } {
  return processTree(pid).reduce(
    (sum, p) => {
      if (!alive(p)) return sum
      const m = getMemoryMiB(p)
      return { rss: sum.rss + m.rss, peak: sum.peak + m.peak }
    },
    { rss: 0, peak: 0 },
  )
}
const alive = (pid: number) => {
  try {
    readFileSync(`/proc/${pid}/stat`)
    return true
  } catch {
    return false
  }
}

/**
 * Samples a process and its children while `work` runs: CPU seconds used during it and the highest summed RSS seen
 * (every `everyMs`).
 * @returns work's result with `cpuSeconds` and `peakRssMiB`
 */
export async function measureProcess<T>(pid: number, work: () => Promise<T>, everyMs = 50): Promise<{ result: T; cpuSeconds: number; peakRssMiB: number }> {
  const pids = processTree(pid)
  const cpuBefore = treeCpuSeconds(pids)
  let peakRssMiB = getTreeMemoryMiB(pid).rss
  const timer = setInterval(() => {
    peakRssMiB = Math.max(peakRssMiB, getTreeMemoryMiB(pid).rss)
  }, everyMs)
  try {
    const result = await work()
    peakRssMiB = Math.max(peakRssMiB, getTreeMemoryMiB(pid).rss)
    return { result, cpuSeconds: treeCpuSeconds(pids) - cpuBefore, peakRssMiB }
  } finally {
    clearInterval(timer)
  }
}

/**
 * CPU seconds used so far by every live process whose command name (/proc/<pid>/comm) is `name` (e.g. `postgres`:
 * the server and its backends; `anvil`). A process that exited since is not counted: read before it ends.
 */
export function cpuSecondsByCommand(name: string): number {
  let sum = 0
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    try {
      if (readFileSync(`/proc/${entry}/comm`, 'utf8').trim() === name) sum += getCpuSeconds(Number(entry))
    } catch {} // gone meanwhile
  }
  return sum
}
