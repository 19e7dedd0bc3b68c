/**
 * The migrations folder and prisma/schema.prisma agree: the diff `npm run migrate:diff` would write is empty. Guards
 * the hand-written parts of migrations (the text search migration's extension, functions and generated columns,
 * which schema.prisma declares as ignored columns with a `dbgenerated` default and trigram GIN indexes).
 */
import { describe, expect, it } from 'vitest'
import { diffMigrationsAgainstSchema } from '../src/db/migrate.js'

describe('migrations vs schema.prisma', () => {
  it('leave nothing to migrate', async () => {
    expect(await diffMigrationsAgainstSchema()).toBeNull()
  }, 120_000)
})
