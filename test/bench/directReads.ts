/**
 * The "headroom" of issue 14: the rows a query type returns, read by node-pg directly (no HTTP, no GraphQL), as
 * closed loops on one pool. Each read returns the rows it got, so a wrong statement shows as empty reads.
 */
import { performance } from 'node:perf_hooks'
import type pg from 'pg'
import type { SeedChain } from '../helpers/seedRows.js'
import { seedAttester } from '../helpers/seedRows.js'
import { BENCH_LINEAGE } from './queryLoads.js'

export type DirectRead = { name: string; run: (pool: pg.Pool) => Promise<number> }

const BLOCK = BENCH_LINEAGE.length + BENCH_LINEAGE.branches

/** by key, a 50-row keyset page (attester, id order, deep cursor), the ancestor CTE (10 generations). */
export function createDirectReads(chains: SeedChain[], next: () => number): DirectRead[] {
  const chainOf = () => chains[Math.floor(next() * chains.length)]!
  return [
    {
      name: 'by key (Attestation row + recipients)',
      run: async (pool) => {
        const c = chainOf()
        const id = 1 + Math.floor(next() * c.rows)
        const { rows } = await pool.query(
          `SELECT a.*, (SELECT json_agg(r) FROM "Recipient" r WHERE r."chainId" = a."chainId" AND r."attestationId" = a."attestationId") AS recipients
          FROM "Attestation" a WHERE a."chainId" = $1 AND a."attestationId" = $2`,
          [c.chainId, id],
        )
        return rows.length
      },
    },
    {
      name: 'keyset page 50 (attester, id desc, deep cursor)',
      run: async (pool) => {
        const c = chainOf()
        const { rows } = await pool.query(
          `SELECT "chainId", "attestationId", "attester", "schemaId", "attestTimestamp", "revoked", "linkedAttestationId" FROM "Attestation"
          WHERE "chainId" = $1 AND "attester" = $2 AND "attestationId" < $3 ORDER BY "attestationId" DESC LIMIT 50`,
          [c.chainId, seedAttester(5), Math.floor(c.rows * (0.1 + 0.9 * next()))],
        )
        return rows.length
      },
    },
    {
      name: 'ancestor CTE (10 generations)',
      run: async (pool) => {
        const c = chainOf()
        const leaf = Math.floor(next() * Math.floor(c.rows / BLOCK)) * BLOCK + BENCH_LINEAGE.length
        const { rows } = await pool.query(
          `WITH RECURSIVE up AS (
            SELECT "chainId", "linkedAttestationId" AS id, 1 AS depth FROM "Attestation" WHERE "chainId" = $1 AND "attestationId" = $2
            UNION ALL
            SELECT a."chainId", a."linkedAttestationId", up.depth + 1 FROM up JOIN "Attestation" a ON a."chainId" = up."chainId" AND a."attestationId" = up.id WHERE up.depth < 10)
          SELECT a."chainId", a."attestationId", a."attester", a."schemaId", a."attestTimestamp", a."revoked", up.depth
          FROM up JOIN "Attestation" a ON a."chainId" = up."chainId" AND a."attestationId" = up.id ORDER BY up.depth`,
          [c.chainId, leaf],
        )
        return rows.length
      },
    },
  ]
}

/**
 * Runs `read` in `concurrency` closed loops for `seconds`.
 * @returns reads/s, p50/p99 latency (ms), the mean rows per read and the errors seen
 */
export async function runDirectRead(pool: pg.Pool, read: DirectRead, concurrency: number, seconds: number) {
  const times: number[] = []
  let rows = 0
  let errors = 0
  const until = performance.now() + seconds * 1000
  const start = performance.now()
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < until) {
        const t = performance.now()
        try {
          const got = await read.run(pool)
          rows += got
        } catch {
          errors++
        }
        times.push(performance.now() - t)
      }
    }),
  )
  const elapsed = (performance.now() - start) / 1000
  times.sort((a, b) => a - b)
  const p = (q: number) => times[Math.min(times.length - 1, Math.floor(q * times.length))] ?? NaN
  return { perSecond: times.length / elapsed, p50: p(0.5), p99: p(0.99), rowsPerRead: rows / Math.max(1, times.length), errors }
}
