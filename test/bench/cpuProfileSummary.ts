/**
 * Where a process's CPU time went: `npx tsx test/bench/cpuProfileSummary.ts <file.cpuprofile>… [--top 30] [--skip-s 20]`
 *
 * Reads V8 CPU profiles (`node --cpu-prof`, the Chrome DevTools format: nodes with call frames, samples, time deltas
 * in µs), adds each sample's time to its frame (self time), and prints the categories (by the frame's source: Prisma,
 * graphql-js parse / validation / execution, yoga, Pothos, pg, node internals, ours, GC…) and the top frames, ranked,
 * as a share of the busy time (idle excluded). `--skip-s S` leaves out each profile's first S seconds (start-up: module
 * loading and tsx compiling, which a profile of the whole process otherwise counts with the load).
 */
import { readFileSync } from 'node:fs'

type CallFrame = { functionName: string; url: string; lineNumber: number }
type CpuProfile = { nodes: { id: number; callFrame: CallFrame }[]; samples: number[]; timeDeltas: number[] }

/** The category of a frame, from its source URL (node_modules package or our folder) or V8's pseudo-frames. */
export function toCategory({ functionName, url }: CallFrame): string {
  if (!url) {
    if (functionName === '(idle)') return 'idle'
    if (functionName === '(garbage collector)') return 'GC'
    if (functionName === '(program)') return 'V8 / native (program)'
    return `native: ${functionName || '(anonymous)'}`
  }
  if (url.startsWith('wasm://')) return 'WASM (Prisma query compiler)'
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)\/(.*)$/.exec(url)
  if (pkg) {
    const [, name, rest] = pkg
    if (name === 'graphql') {
      if (rest!.includes('validation')) return 'graphql-js validation'
      if (rest!.includes('language')) return 'graphql-js parse'
      if (rest!.includes('execution')) return 'graphql-js execution'
      return 'graphql-js other'
    }
    if (name!.startsWith('@prisma/') || name === 'prisma') return `Prisma (${name})`
    if (name === 'pg' || name!.startsWith('pg-')) return 'pg driver'
    if (name === 'graphql-yoga' || name!.startsWith('@graphql-yoga/') || name!.startsWith('@envelop/') || name!.startsWith('@whatwg-node/'))
      return 'yoga / envelop / whatwg-node'
    if (name!.startsWith('@pothos/')) return 'Pothos'
    return `package ${name}`
  }
  if (url.startsWith('node:')) return 'node internals'
  if (url.includes('/src/generated/')) return 'Prisma (generated client)'
  const ours = /\/src\/(.*)$/.exec(url)
  if (ours) return `ours: src/${ours[1]!.split('/').slice(0, -1).join('/') || '.'}`
  return `other: ${url}`
}

function main() {
  const args = process.argv.slice(2)
  const flagValue = (flag: string) => (args.includes(flag) ? Number(args[args.indexOf(flag) + 1]) : null)
  const top = flagValue('--top') ?? 30
  const skipUs = (flagValue('--skip-s') ?? 0) * 1e6
  const files = args.filter((a, i) => !a.startsWith('--') && !args[i - 1]?.startsWith('--'))
  if (!files.length) throw new Error('usage: cpuProfileSummary.ts <file.cpuprofile>… [--top N] [--skip-s S]')
  const byCategory = new Map<string, number>()
  const byFrame = new Map<string, number>()
  let busy = 0
  let idle = 0
  for (const file of files) {
    const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile
    const frames = new Map(profile.nodes.map((n) => [n.id, n.callFrame]))
    let elapsedUs = 0
    profile.samples.forEach((id, i) => {
      const frame = frames.get(id)!
      const us = profile.timeDeltas[i] ?? 0
      elapsedUs += us
      if (elapsedUs < skipUs) return
      const category = toCategory(frame)
      if (category === 'idle') {
        idle += us
        return
      }
      busy += us
      byCategory.set(category, (byCategory.get(category) ?? 0) + us)
      const where = frame.url ? `${frame.url.replace(/^.*node_modules\//, '').replace(/^.*\/src\//, 'src/')}:${frame.lineNumber + 1}` : ''
      const key = `${frame.functionName || '(anonymous)'} ${where}`
      byFrame.set(key, (byFrame.get(key) ?? 0) + us)
    })
  }
  const pct = (us: number) => `${((100 * us) / busy).toFixed(1).padStart(5)} %`
  console.log(`${files.length} profile(s): busy ${(busy / 1e6).toFixed(2)} s, idle ${(idle / 1e6).toFixed(2)} s\n\nself time by category (share of busy time):`)
  for (const [category, us] of [...byCategory].sort((a, b) => b[1] - a[1])) console.log(`  ${pct(us)}  ${(us / 1e3).toFixed(0).padStart(8)} ms  ${category}`)
  console.log(`\ntop ${top} frames by self time:`)
  for (const [frame, us] of [...byFrame].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`  ${pct(us)}  ${frame}`)
}

main()
