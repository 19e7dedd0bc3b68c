/**
 * EXPLAIN ANALYZE of the SQL the gateway really sent (captured from Prisma's query events through
 * `createDb({ onQuery })`), for the plan tests (test/keysetPlans.test.ts, test/searchPlans.test.ts).
 */
import type pg from 'pg'

/** One node of PostgreSQL's `EXPLAIN (ANALYZE, FORMAT JSON)` plan: the fields the plan tests read. */
export type PlanNode = {
  'Node Type': string
  'Relation Name'?: string
  'Index Name'?: string
  'Actual Rows': number
  'Actual Loops': number
  'Rows Removed by Filter'?: number
  'Rows Removed by Index Recheck'?: number
  /** buffers the node (and its children) found in shared buffers / read, over all its loops (EXPLAIN's BUFFERS) */
  'Shared Hit Blocks'?: number
  'Shared Read Blocks'?: number
  Plans?: PlanNode[]
}

/** A captured query: its SQL and its parameters as Prisma's query event gives them (a JSON array, as text). */
export type CapturedQuery = { query: string; params: string }

/** Every node of `plan`, the root first, depth first. */
export function* planNodes(plan: PlanNode): Generator<PlanNode> {
  yield plan
  for (const child of plan.Plans ?? []) yield* planNodes(child)
}

/**
 * Runs `q` again under `EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON)` on `client`. Object parameters (JSON-typed binds) are sent as
 * JSON text, as the driver adapter sends them.
 * @returns the plan's root node
 * @throws what the server throws for the statement
 */
export async function explainAnalyze(client: pg.Client, q: CapturedQuery): Promise<PlanNode> {
  const { rows } = await client.query(`EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) ${q.query}`, capturedParams(q))
  return (rows[0]['QUERY PLAN'] as { Plan: PlanNode }[])[0]!.Plan
}

/**
 * Runs `q` again as a prepared statement under `plan_cache_mode = force_generic_plan` and `EXPLAIN (ANALYZE, FORMAT
 * JSON) EXECUTE`: the plan PostgreSQL uses once it keeps a generic plan for the gateway's named statement (planned
 * without the parameters' values), with this capture's values (and BUFFERS). The setting is reset and the statement deallocated
 * afterwards, whatever happened.
 * @returns the plan's root node
 * @throws what the server throws for the statement
 */
export async function explainGenericPlan(client: pg.Client, q: CapturedQuery): Promise<PlanNode> {
  // EXECUTE takes no protocol parameters: its arguments are written as literals, quoted by the server from the
  // parameters' text as node-postgres sends them (arrays as '{…}')
  const params = capturedParams(q)
  const args = params.length
    ? Object.values((await client.query(`SELECT ${params.map((_, i) => `quote_nullable($${i + 1}::text) AS "${i}"`).join(', ')}`, params)).rows[0] as object)
    : []
  await client.query(`PREPARE generic_plan_check AS ${q.query}`)
  try {
    await client.query('SET plan_cache_mode = force_generic_plan')
    const { rows } = await client.query(`EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) EXECUTE generic_plan_check${args.length ? `(${args.join(', ')})` : ''}`)
    return (rows[0]['QUERY PLAN'] as { Plan: PlanNode }[])[0]!.Plan
  } finally {
    await client.query('RESET plan_cache_mode')
    await client.query('DEALLOCATE generic_plan_check')
  }
}

/** A capture's parameters as the driver adapter sends them (object parameters, JSON-typed binds, as JSON text). */
function capturedParams(q: CapturedQuery): unknown[] {
  return (JSON.parse(q.params || '[]') as unknown[]).map((p) => (p !== null && typeof p === 'object' && !Array.isArray(p) ? JSON.stringify(p) : p))
}

/**
 * EXPLAIN ANALYZEs each captured statement that reads the search column ("searchText"), as it was sent: one sent right
 * after planner settings (`set_config`, see src/gateway/searchPage.ts) runs again after them, in a transaction rolled
 * back afterwards.
 * @returns each such statement with its plan's root node, in the order they were sent
 */
export async function explainSearchStatements(client: pg.Client, captured: CapturedQuery[]): Promise<{ query: CapturedQuery; plan: PlanNode }[]> {
  const out: { query: CapturedQuery; plan: PlanNode }[] = []
  for (const [i, q] of captured.entries()) {
    if (!q.query.includes('searchText')) continue
    const settings = captured[i - 1]?.query.includes('set_config') ? captured[i - 1]! : null
    if (settings) {
      await client.query('BEGIN')
      await client.query(settings.query)
    }
    out.push({ query: q, plan: await explainAnalyze(client, q) })
    if (settings) await client.query('ROLLBACK')
  }
  return out
}

/**
 * Whether a captured SQL statement is the gateway's `totalCount` statement of `attestations`: a count of the rows per
 * chain (attestationPage.ts `buildAttestationCountSql`) or a sum over a rollup (stats/rollupCount.ts); both name
 * their one column `count` (`… AS count`), which no page or row statement does.
 */
export function isTotalCountStatement(sql: string): boolean {
  return /\bAS count\b/i.test(sql)
}
