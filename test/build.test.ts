/**
 * The compiled CLI, as a user runs it after `npm install` (which runs `npm run build`): `bin/sign-indexer.mjs` runs
 * `dist/` (not tsx), and from `dist/` the embedded default finds everything it needs outside the JavaScript — the
 * Prisma client, `prisma/migrations`, the SP artifact cache, anvil — started twice on one data directory; `migrate`
 * against PostgreSQL; viem compiled into dist/ (not loaded from node_modules: ~0.35 s of every start); and a build
 * older than a source makes the bin run the sources instead of stale code.
 */
import { execFile } from 'node:child_process'
import { cp, mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { createTestDatabase } from './helpers/database.js'
import { ROOT, startEmbedded, waitForLinkedAttestations } from './helpers/embeddedStart.js'

const BIN = join(ROOT, 'bin/sign-indexer.mjs')
const FALLBACK_NOTICE = 'running the TypeScript sources through tsx'
const run = promisify(execFile)
/** this process's environment without the test-wide SIGN_INDEXER_TSX=1 (vitest.config.ts) */
const { SIGN_INDEXER_TSX: _, ...userEnv } = process.env
let dataDir: string

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'sign-build-'))
  await run(process.execPath, ['--import', 'tsx', join(ROOT, 'scripts/build.ts')], { cwd: ROOT })
})
afterAll(async () => {
  if (dataDir) await rm(dataDir, { recursive: true, force: true })
})

it('`start` from dist/ serves the embedded default, twice on one data directory', async () => {
  for (const attempt of ['fresh data directory', 'second start']) {
    const started = await startEmbedded(dataDir, userEnv)
    try {
      await waitForLinkedAttestations(started, 480_000)
      expect(started.output(), attempt).not.toContain(FALLBACK_NOTICE)
      expect(started.output(), attempt).not.toMatch(/"level":(50|60)/) // no error or fatal log line
    } finally {
      started.child.kill('SIGINT')
    }
    expect(await started.exited, attempt).toBe(0)
  }
}, 1_200_000) // two embedded starts (anvil, seeding, PGlite): minutes on a loaded machine

it('dist/ carries viem compiled in (scripts/build.ts COMPILED_IN): no module of it imports viem from node_modules', async () => {
  const files = (await readdir(join(ROOT, 'dist'), { recursive: true })).filter((f) => f.endsWith('.js'))
  expect(files.length).toBeGreaterThan(100)
  const importsViem = /(?:from\s*|import\s*\(\s*|import\s+)["'](?:viem|ox|abitype)(?:\/[^"']*)?["']/
  const offenders = []
  for (const file of files) if (importsViem.test(await readFile(join(ROOT, 'dist', file), 'utf8'))) offenders.push(file)
  expect(offenders).toEqual([])
  // and the sources do import it: the check above is not empty because nothing uses viem
  expect(await readFile(join(ROOT, 'src/chain/createChainClient.ts'), 'utf8')).toMatch(/from 'viem'/)
})

it("dist/'s shared chunks (viem) carry no source map, our modules do: a stack through viem does not parse viem's map", async () => {
  const files = await readdir(join(ROOT, 'dist'))
  const chunks = files.filter((f) => /^(chunk|ccip)-.*\.js$/.test(f))
  expect(chunks.length).toBeGreaterThan(0)
  for (const chunk of chunks) {
    expect(await readFile(join(ROOT, 'dist', chunk), 'utf8'), chunk).not.toContain('sourceMappingURL')
    expect(files, chunk).not.toContain(`${chunk}.map`)
  }
  expect(await readFile(join(ROOT, 'dist/sync/runChainSync.js'), 'utf8')).toMatch(/\/\/# sourceMappingURL=runChainSync\.js\.map\s*$/)
})

it('installed under a node_modules directory (npm i -g, npx github:…), the build still keeps every source file its own module', async () => {
  // the package's own path then holds `/node_modules/`: the build must not take its sources for a package's files and
  // bundle them into shared chunks, where `import.meta.url` (migrations, the SP artifact cache) points one level up
  const installed = join(dataDir, 'node_modules', 'sign-indexer')
  await mkdir(installed, { recursive: true })
  for (const entry of ['src', 'scripts', 'package.json', 'tsconfig.json']) await cp(join(ROOT, entry), join(installed, entry), { recursive: true })
  await symlink(join(ROOT, 'node_modules'), join(installed, 'node_modules'), 'dir')
  await run(process.execPath, ['--import', 'tsx', join(installed, 'scripts/build.ts')], { cwd: installed })
  const chunks = (await readdir(join(installed, 'dist'))).filter((f) => /^chunk-.*\.js$/.test(f))
  expect(chunks.length).toBeGreaterThan(0)
  for (const chunk of chunks) expect(await readFile(join(installed, 'dist', chunk), 'utf8'), chunk).not.toContain('import.meta')
  expect(await readFile(join(installed, 'dist/db/migrate.js'), 'utf8')).toContain('import.meta.url')
}, 300_000)

it('`migrate` from dist/ applies the migrations to PostgreSQL, then finds the database up to date', async () => {
  const database = await createTestDatabase('sitest_build')
  try {
    const migrate = () => run(process.execPath, [BIN, 'migrate', '--database-url', database.url], { cwd: ROOT, env: userEnv })
    const first = await migrate()
    expect(first.stdout + first.stderr).toContain('"msg":"Migrations applied"')
    const second = await migrate()
    expect(second.stdout + second.stderr).toContain('"msg":"Database is up to date"')
    expect(first.stderr + second.stderr).not.toContain(FALLBACK_NOTICE)
  } finally {
    await database.drop()
  }
}, 300_000)

it('a build older than a source file: the bin runs the sources through tsx, with a notice', async () => {
  const info = join(ROOT, 'dist/build-info.json')
  const built = await readFile(info, 'utf8')
  await writeFile(info, JSON.stringify({ builtAt: 0 }))
  try {
    const { stdout, stderr } = await run(process.execPath, [BIN, '--help'], { cwd: ROOT, env: userEnv })
    expect(stderr).toContain(FALLBACK_NOTICE)
    expect(stdout).toContain('Usage: sign-indexer')
  } finally {
    await writeFile(info, built)
  }
})

it('a build made with another viem than node_modules has: the bin runs the sources through tsx, with a notice naming both', async () => {
  // viem is compiled into dist/ (scripts/build.ts): a node_modules changed without a build must not run the old copy
  const info = join(ROOT, 'dist/build-info.json')
  const built = await readFile(info, 'utf8')
  const { builtAt, compiledIn } = JSON.parse(built) as { builtAt: number; compiledIn: Record<string, string> }
  expect(Object.keys(compiledIn)).toContain('viem')
  try {
    const current = await run(process.execPath, [BIN, '--help'], { cwd: ROOT, env: userEnv })
    expect(current.stderr).not.toContain(FALLBACK_NOTICE)
    await writeFile(info, JSON.stringify({ builtAt, compiledIn: { ...compiledIn, viem: '0.0.1' } }))
    const { stdout, stderr } = await run(process.execPath, [BIN, '--help'], { cwd: ROOT, env: userEnv })
    expect(stderr).toContain(`node_modules has viem ${compiledIn.viem}, dist/ was built with 0.0.1`)
    expect(stderr).toContain(FALLBACK_NOTICE)
    expect(stdout).toContain('Usage: sign-indexer')
  } finally {
    await writeFile(info, built)
  }
})
