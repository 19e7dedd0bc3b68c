// Usage: npm run migrate:diff -- <name>   — writes prisma/migrations/<timestamp>_<name>/migration.sql
import { createMigration } from '../src/db/migrate.js'

const dir = await createMigration(process.argv[2] ?? 'migration')
console.log(dir ? `Wrote ${dir}` : 'Schema unchanged: no migration written')
process.exit(0)
