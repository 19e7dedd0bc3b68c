#!/usr/bin/env node
// Runs the compiled CLI (dist/cli/main.js, built by `npm run build`, which `npm install` runs after `prisma generate`).
// The TypeScript sources run through tsx instead when SIGN_INDEXER_TSX=1 (tests, development), when dist/ is
// missing, or when a file under src/ is newer than the build (edited since, or a checkout): never stale code.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')

/** Why dist/ cannot be run (a sentence for stderr), or undefined when it is current. */
function staleReason() {
  let builtAt
  try {
    builtAt = JSON.parse(readFileSync(join(root, 'dist/build-info.json'), 'utf8')).builtAt
  } catch {
    return 'dist/ is missing (`npm run build` makes it)'
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
