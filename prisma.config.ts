import { defineConfig } from 'prisma/config'

// The datasource URL is only used by Prisma CLI commands that talk to a database; this project runs
// migrations through src/db/migrate.ts (WASM schema engine), so generate/validate/format need none.
export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
})
