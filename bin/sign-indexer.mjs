#!/usr/bin/env node
// Runs the compiled CLI (dist/cli/main.js, built by `npm run build`, which `npm install` runs after `prisma generate`).
// The TypeScript sources run through tsx instead when SIGN_INDEXER_TSX=1 (tests, development), when dist/ is
// missing, or when a file under src/ is newer than the build (edited since, or a checkout): never stale code.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')

/** The version of the package `name` that node resolves from `root` (node_modules, then each parent's), if any. */
function installedVersion(name) {
  for (let dir = root; ; dir = dirname(dir)) {
    try {
      return JSON.parse(readFileSync(join(dir, 'node_modules', name, 'package.json'), 'utf8')).version
    } catch {}
    if (dirname(dir) === dir) return undefined
  }
}

/** Why dist/ cannot be run (a sentence for stderr), or undefined when it is current. */
function staleReason() {
  let builtAt
  let compiledIn
  try {
    ;({ builtAt, compiledIn } = JSON.parse(readFileSync(join(root, 'dist/build-info.json'), 'utf8')))
  } catch {
    return 'dist/ is missing (`npm run build` makes it)'
  }
  // packages compiled into dist/ (scripts/build.ts): another version installed since is not what dist/ would run
  for (const [name, version] of Object.entries(compiledIn ?? {})) {
    const installed = installedVersion(name)
    if (installed !== undefined && installed !== version)
      return `node_modules has ${name} ${installed}, dist/ was built with ${version} (\`npm run build\` to run dist/ again)`
  }
  const src = join(root, 'src')
  if (!existsSync(src)) return undefined // installed without its sources: dist/ is all there is
  for (const file of readdirSync(src, { recursive: true })) {
    if (statSync(join(src, file)).mtimeMs > builtAt) return `src/${file} changed after the last build (\`npm run build\` to run dist/ again)`
  }
  return undefined
}

const reason = process.env.SIGN_INDEXER_TSX === '1' ? undefined : staleReason()
if (process.env.SIGN_INDEXER_TSX === '1' || reason) {
  if (reason) process.stderr.write(`sign-indexer: ${reason}; running the TypeScript sources through tsx\n`)
  const { register } = await import('tsx/esm/api')
  register()
  await import(pathToFileURL(join(root, 'src/cli/main.ts')).href)
} else {
  process.setSourceMapsEnabled(true) // stack traces name src/*.ts lines (dist/ ships linked source maps)
  await import(pathToFileURL(join(root, 'dist/cli/main.js')).href)
}
