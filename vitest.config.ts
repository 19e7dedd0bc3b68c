import { createRequire } from 'node:module'
import { defineConfig } from 'vitest/config'
import { BaseSequencer, type TestSpecification } from 'vitest/node'

const require = createRequire(import.meta.url)

/**
 * The files that take minutes (each waits on a devnet through faults, reorgs or kills), longest first. A fresh clone
 * (CI) has no timings for vitest's own longest-first order, so it ran them by file size: the 3-minute fault run was
 * the last file started, alone on one worker for its whole length.
 */
const LONGEST = ['faults', 'reorgRandom', 'deferredIndexes', 'crash', 'readiness', 'keysetPlans', 'attestationStats'].map((name) => `/test/${name}.test.ts`)

/** vitest's order, with {@link LONGEST} moved to the front. */
class LongestFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const rank = (file: TestSpecification) => {
      const i = LONGEST.findIndex((suffix) => file.moduleId.endsWith(suffix))
      return i < 0 ? LONGEST.length : i
    }
    return (await super.sort(files)).sort((a, b) => rank(a) - rank(b)) // stable: the rest keep vitest's order
  }
}

export default defineConfig({
  resolve: {
    // One graphql module for everything: vite would otherwise load graphql's .mjs for our code while yoga and
    // Pothos (externalised) load its .js ("Cannot use GraphQLObjectType from another module or realm").
    // Exact match only, so deep imports such as `graphql/language/parser` keep resolving normally.
    alias: [{ find: /^graphql$/, replacement: require.resolve('graphql') }],
  },
  test: {
    pool: 'forks',
    // vitest's default in a run is one worker per core but one (cpus - 1): a single file at a time on this 2-core
    // machine, though most of a file's time here waits on anvil, PostgreSQL and spawned processes
    maxWorkers: 2,
    sequence: { sequencer: LongestFirst },
    // the CLI children tests spawn (bin/sign-indexer.mjs) run the TypeScript sources through tsx, never a dist/
    // built earlier from other sources; test/build.test.ts builds dist/ and runs it on purpose
    env: { SIGN_INDEXER_TSX: '1' },
    // Starts an embedded PostgreSQL once for the run when none answers at TEST_DATABASE_URL.
    globalSetup: ['test/setup/postgresServer.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
})
