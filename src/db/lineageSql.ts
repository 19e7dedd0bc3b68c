/**
 * The one recursive walk of the linked-attestation graph, as SQL, for the gateway's lineage fields
 * (gateway/lineage.ts) and the verify stage's ancestors (verify/loadVerificationInputs.ts).
 *
 * A walk is a recursive CTE `name(ord, chain_id, id, next_id, depth, path)`: `ord` numbers the start rows (1 for a
 * single start), `id` is the attestation reached at `depth` generations from its start (0 = the start itself),
 * `next_id` its `linkedAttestationId`, `path` the ids on the way. It is cycle-safe (an id already on the path is
 * not entered again: only malformed links, LINKED_NOT_LOWER_ID, make cycles) and stops at the depth given as a
 * parameter. Ancestors follow `linkedAttestationId` (the primary key); descendants use the
 * (chainId, linkedAttestationId, attestationId) index. PostgreSQL evaluates the CTE lazily, so a LIMIT over it ends
 * the recursion early.
 */

/** Generations any lineage walk goes at most: `maxDepth` of the lineage fields, and the verifier's ancestors. */
export const LINEAGE_DEPTH_CAP = 50

export type LineageDirection = 'ANCESTORS' | 'DESCENDANTS'

/** Where a walk starts: parameter placeholders such as `$1`. */
export type WalkStart =
  /** one attestation: `chainId` an int parameter, `attestationId` a bigint (as text) parameter */
  | { kind: 'one'; chainId: string; attestationId: string }
  /** many: an int[] parameter of chain ids and a text[] parameter of attestation ids, numbered by `ord` from 1 */
  | { kind: 'many'; chainIds: string; attestationIds: string }

function seedSql(start: WalkStart): string {
  const columns = 'a."chainId", a."attestationId", a."linkedAttestationId", 0, ARRAY[a."attestationId"]'
  return start.kind === 'one'
    ? `SELECT 1, ${columns} FROM "Attestation" a WHERE a."chainId" = ${start.chainId} AND a."attestationId" = ${start.attestationId}::bigint`
    : `SELECT k.ord::int, ${columns}
      FROM unnest(${start.chainIds}::int[], ${start.attestationIds}::text[]) WITH ORDINALITY AS k(chain_id, id, ord)
      JOIN "Attestation" a ON a."chainId" = k.chain_id AND a."attestationId" = k.id::bigint`
}

/**
 * The recursive CTE (without the leading `WITH RECURSIVE`), e.g. `walk(ord, chain_id, id, next_id, depth, path) AS (…)`.
 * @param name the CTE's name
 * @param direction ANCESTORS follows each node's link; DESCENDANTS finds the nodes linking to it
 * @param start the start rows
 * @param maxDepth placeholder of the int parameter holding the depth cap (at most {@link LINEAGE_DEPTH_CAP} + 1)
 */
export function lineageWalkSql(name: string, direction: LineageDirection, start: WalkStart, maxDepth: string): string {
  // a walk from one start stays on the start's chain parameter (as a constant, for the planner)
  const chain = start.kind === 'one' ? start.chainId : 'w.chain_id'
  const step =
    direction === 'ANCESTORS'
      ? `FROM ${name} w JOIN "Attestation" n ON n."chainId" = ${chain} AND n."attestationId" = w.next_id`
      : `FROM ${name} w JOIN "Attestation" n ON n."chainId" = ${chain} AND n."linkedAttestationId" = w.id`
  return `${name}(ord, chain_id, id, next_id, depth, path) AS (
    ${seedSql(start)}
    UNION ALL
    SELECT w.ord, n."chainId", n."attestationId", n."linkedAttestationId", w.depth + 1, w.path || n."attestationId"
    ${step}
    WHERE w.depth < ${maxDepth} AND NOT n."attestationId" = ANY(w.path)
  )`
}
