/**
 * The embedded default run twice, as a newcomer does: `sign-indexer start` with no configuration on one data
 * directory, stopped with Ctrl-C (SIGINT) once it has indexed the workload (linked attestations included), then
 * started again on the same directory. The second run starts a fresh devnet, so it must remove the previous run's
 * rows for chain 31337 — linked attestations among them — and index the new chain.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { startEmbedded, waitForLinkedAttestations } from './helpers/embeddedStart.js'

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
  } finally {
    second.child.kill('SIGINT')
    expect(await second.exited).toBe(0)
  }
}, 240_000)
