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
import { readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { dirname, join, resolve, sep } from 'node:path'
import { fileURLToPath } from 'node:url'
import { build, type Plugin } from 'esbuild'

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

/**
 * Packages compiled into dist/ (their code in shared `dist/chunk-*.js` files, only what `src/` uses): viem and the
 * pure-ESM libraries it is made of. Loading viem from node_modules opened ~360 modules and took ~0.35 s of every
 * command's start (`node -e "await import('viem')"` 0.45 s against 0.09 s for node alone; bundled 0.2 s). Only
 * packages nothing else in node_modules hands objects to (no `instanceof` across two copies): every other import stays
 * a bare import of node_modules.
 */
const COMPILED_IN = new Set([
  'viem',
  'ox',
  'abitype',
  '@noble/hashes',
  '@noble/curves',
  '@scure/base',
  '@scure/bip32',
  '@scure/bip39',
  '@adraffy/ens-normalize',
])
const packageName = (path: string) =>
  path
    .split('/')
    .slice(0, path.startsWith('@') ? 2 : 1)
    .join('/')

/**
 * Keeps each source file its own module (a relative import stays an import of that file's output, so every file's
 * `import.meta.url` is its own) and every package external except {@link COMPILED_IN}, whose modules are bundled.
 */
const ownFilesAndCompiledIn: Plugin = {
  name: 'own-files-and-compiled-in',
  setup(build) {
    build.onResolve({ filter: /.*/ }, (args) => {
      if (args.kind === 'entry-point' || args.path.startsWith('node:')) return undefined
      // by where the importer is, not by a `/node_modules/` in its path: installed as a package, every source is there
      const fromPackage = !args.importer.startsWith(`${SRC}${sep}`)
      if (args.path.startsWith('.') || args.path.startsWith('/')) return fromPackage ? undefined : { path: args.path, external: true }
      return COMPILED_IN.has(packageName(args.path)) ? undefined : { path: args.path, external: true }
    })
  },
}

await rm(DIST, { recursive: true, force: true })
const { metafile } = await build({
  entryPoints,
  outdir: DIST,
  outbase: SRC,
  absWorkingDir: ROOT, // metafile paths are relative to it
  bundle: true,
  splitting: true,
  plugins: [ownFilesAndCompiledIn],
  format: 'esm',
  platform: 'node',
  target: 'node20.19',
  sourcemap: 'linked',
  sourcesContent: false, // stack traces need the mappings only; viem's sources in the maps were ~2.4 MB read per start
  keepNames: true, // class names as in the sources (pino's error `type` is the constructor's name)
  metafile: true,
  logLevel: 'warning',
})
// a source file's code in a shared chunk would run with the chunk's `import.meta.url` (dist/, not dist/<dir>/)
const misplaced = Object.entries(metafile.outputs)
  .filter(([output]) => /(^|\/)chunk-[^/]*\.js$/.test(output))
  .flatMap(([output, { inputs }]) =>
    Object.keys(inputs)
      .filter((input) => resolve(ROOT, input).startsWith(`${SRC}${sep}`))
      .map((input) => `${input} → ${output}`),
  )
if (misplaced.length) throw new Error(`build: source files bundled into shared chunks (each must stay its own module):\n${misplaced.join('\n')}`)
// The outputs with no source of ours (viem and its parts: the shared chunks, ccip's) ship without source maps. With
// source maps on (the bin), the first stack formatted through a chunk parsed its map — viem's, ~60 ms of the indexer's
// CPU between the writer lock and its first committed row (`--cpu-prof`: Node's releaseLock error on the first RPC
// answer) — to name files of node_modules/viem. Our own modules keep theirs.
for (const [output, meta] of Object.entries(metafile.outputs)) {
  if (!output.endsWith('.js') || Object.keys(meta.inputs).some((input) => resolve(ROOT, input).startsWith(`${SRC}${sep}`))) continue
  const file = resolve(ROOT, output)
  const code = await readFile(file, 'utf8')
  const stripped = code.replace(/\n\/\/# sourceMappingURL=[^\n]*\n?$/, '\n')
  if (stripped === code) throw new Error(`build: no trailing sourceMappingURL comment in ${output} (esbuild's output changed?)`)
  await writeFile(file, stripped)
  await rm(`${file}.map`, { force: true })
}
// the compiled-in viem's version (its parts come with it): bin/sign-indexer.mjs runs the sources when node_modules has another
const compiledIn = { viem: JSON.parse(await readFile(join(ROOT, 'node_modules/viem/package.json'), 'utf8')).version as string }
await writeFile(join(DIST, 'build-info.json'), `${JSON.stringify({ builtAt, compiledIn })}\n`)
process.stdout.write(`Built dist/ (${entryPoints.length} modules) in ${Math.round(performance.now() - started)} ms\n`)
