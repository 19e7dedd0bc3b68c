import { createRequire } from 'node:module'
import { defineConfig } from 'vitest/config'

const require = createRequire(import.meta.url)

export default defineConfig({
  resolve: {
    // One graphql module for everything: vite would otherwise load graphql's .mjs for our code while yoga and
    // Pothos (externalised) load its .js ("Cannot use GraphQLObjectType from another module or realm").
    // Exact match only, so deep imports such as `graphql/language/parser` keep resolving normally.
    alias: [{ find: /^graphql$/, replacement: require.resolve('graphql') }],
  },
  test: {
    pool: 'forks',
    // the CLI children tests spawn (bin/sign-indexer.mjs) run the TypeScript sources through tsx, never a dist/
    // built earlier from other sources; test/build.test.ts builds dist/ and runs it on purpose
    env: { SIGN_INDEXER_TSX: '1' },
    // Starts an embedded PostgreSQL once for the run when none answers at TEST_DATABASE_URL.
    globalSetup: ['test/setup/postgresServer.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
})
