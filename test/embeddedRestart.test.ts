/**
 * The embedded default run twice, as a newcomer does: `sign-indexer start` with no configuration on one data
 * directory, stopped with Ctrl-C (SIGINT) once it has indexed the workload (linked attestations included), then
 * started again on the same directory. The second run starts a fresh devnet, so it must remove the previous run's
 * rows for chain 31337 — linked attestations among them — and index the new chain. And a Ctrl-C in the middle of
 * the first start-up (a fresh data directory: PGlite being created, the devnet's scenario being seeded), which a
 * terminal sends to anvil as well: a clean exit 0, and the next start on that directory works.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { type EmbeddedRun, startEmbedded, waitForLinkedAttestations } from './helpers/embeddedStart.js'

let dir: string

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sign-embedded-'))
})
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true })
})

it('a second `start` on the same data directory resets the devnet chain and indexes again', async () => {
  const first = await startEmbedded(dir)
  expect(await waitForLinkedAttestations(first, 90_000)).toBeGreaterThan(0)
  first.child.kill('SIGINT')
  expect(await first.exited).toBe(0)

  const second = await startEmbedded(dir)
  try {
    expect(await waitForLinkedAttestations(second, 90_000)).toBeGreaterThan(0)
    expect(second.output()).toContain("Fresh devnet: removed the previous run's rows")
    expect(second.output()).not.toMatch(/"level":(50|60)/) // no error or fatal log line
    // PGlite's WebAssembly memory is not the budget's: measured by the RSS (~550 MiB with ~100 MiB of V8 heap) every
    // start warned and collected for every 32 MiB of garbage (the first start may still warn while PGlite creates
    // its directory: ~300 MiB of ArrayBuffers for a moment)
    expect(second.output()).not.toContain('over the memory budget')
  } finally {
    second.child.kill('SIGINT')
    expect(await second.exited).toBe(0)
  }
}, 240_000)

/** Resolves once `text` is in the run's output; throws when it exits first or after `timeoutMs`. */
async function outputContains(run: EmbeddedRun, text: string, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs
  while (!run.output().includes(text)) {
    if (run.child.exitCode !== null || Date.now() > deadline) throw new Error(`no "${text}" (exit ${run.child.exitCode}):\n${run.output().slice(-4_000)}`)
    await new Promise((r) => setTimeout(r, 20))
  }
}

it('Ctrl-C in the middle of the first start-up (its anvil gets it too): exit 0, no error, and the next start works', async () => {
  const fresh = await mkdtemp(join(tmpdir(), 'sign-embedded-ctrlc-'))
  try {
    const first = await startEmbedded(fresh, process.env, { detached: true })
    try {
      // the devnet is up and its scenario is being seeded while PGlite is created: a start-up half done
      await outputContains(first, 'Devnet running the Sign Protocol contract', 90_000)
      process.kill(-first.child.pid!, 'SIGINT') // the process group, as a terminal's Ctrl-C
      expect(await first.exited, first.output()).toBe(0)
      expect(first.output()).not.toMatch(/"level":(50|60)/) // before: "Cleanup failed: PGlite is closing" (closed twice), at times exit 1 with the seeding's error
      expect(first.output()).not.toContain('failed')
    } finally {
      if (first.child.exitCode === null) process.kill(-first.child.pid!, 'SIGKILL')
    }
    const second = await startEmbedded(fresh)
    try {
      expect(await waitForLinkedAttestations(second, 90_000)).toBeGreaterThan(0)
      expect(second.output()).not.toMatch(/"level":(50|60)/)
    } finally {
      second.child.kill('SIGINT')
      expect(await second.exited).toBe(0)
    }
  } finally {
    await rm(fresh, { recursive: true, force: true })
  }
}, 240_000)
