/**
 * `npm run build` (run by `npm install` after `prisma generate`): compiles `src/` to JavaScript in `dist/` with esbuild
 * (one ES module per source file, same layout: `src/db/migrate.ts` → `dist/db/migrate.js`, so paths found from
 * `import.meta.url` — `prisma/migrations`, `.cache/` — resolve alike; linked source maps). Unit tests (`*.test.ts`)
 * are left out. No type checking here: that is `npm run typecheck`.
 *
 * Writes `dist/build-info.json` (`{ builtAt }`, ms since the epoch, taken before reading the sources):
 * `bin/sign-indexer.mjs` runs the sources through tsx instead of `dist/` when a source is newer than that.
 */
import { existsSync } from 'node:fs'
import { readdir, rm, writeFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..')
const SRC = join(ROOT, 'src')
const DIST = join(ROOT, 'dist')

if (!existsSync(join(SRC, 'generated/prisma/client.ts'))) {
  process.stderr.write('src/generated is missing: run `npm run generate` (Prisma client + Pothos types) before `npm run build`\n')
  process.exit(1)
}

const started = performance.now()
const builtAt = Date.now()
const entryPoints = (await readdir(SRC, { recursive: true }))
  .filter((file) => file.endsWith('.ts') && !file.endsWith('.test.ts') && !file.endsWith('.d.ts'))
  .map((file) => join(SRC, file))

await rm(DIST, { recursive: true, force: true })
await build({
  entryPoints,
  outdir: DIST,
  outbase: SRC,
  format: 'esm',
  platform: 'node',
  target: 'node20.19',
  sourcemap: 'linked',
  logLevel: 'warning',
})
await writeFile(join(DIST, 'build-info.json'), `${JSON.stringify({ builtAt })}\n`)
process.stdout.write(`Built dist/ (${entryPoints.length} modules) in ${Math.round(performance.now() - started)} ms\n`)
