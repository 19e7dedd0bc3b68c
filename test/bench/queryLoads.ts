/**
 * The GraphQL request bodies of `npm run bench:queries`, one generator per query type, each drawing its ids and
 * cursors from a seeded generator. Rows are those of test/helpers/seedRows.ts with lineage blocks of
 * `BENCH_LINEAGE.length + BENCH_LINEAGE.branches` ids.
 */
import { formatPrismaCursor } from '@pothos/plugin-prisma'
import type pg from 'pg'
import { toFullId } from '../../src/gateway/ids.js'
import { type SeedChain, seedAttester, seedRecipient } from '../helpers/seedRows.js'

/** Lineage blocks of the bench's rows: a spine of 12 (the last has 11 ancestors) + 8 branches (fan-out 3). */
export const BENCH_LINEAGE = { length: 12, branches: 8 } as const
const BLOCK = BENCH_LINEAGE.length + BENCH_LINEAGE.branches

/** `key` names the type for `--only` (e.g. `byid`, `page.attester.id_desc`, `lineage.up`); `name` describes it. */
export type QueryLoad = { key: string; name: string; body: () => string }

/** Every scalar column of Attestation (not the walks lineageDepth / lineageRoot) and its recipients. */
const ATTESTATION_FIELDS = `id chainId attestationId schemaId attester from linkedAttestationId attestTimestamp attestTime revokeTimestamp revokeTime
  validUntil validUntilTime expired delegated revoked revokeReason revokeBlockNumber revokeTransactionHash dataLocation data decodedData dataEncoding
  decodeError indexingKey transactionHash blockNumber blockHash blockTimestamp blockTime logIndex recipients { position raw address text }`
/** What a list page selects per node. */
const PAGE_NODE = 'id attester schemaId attestTimestamp revoked linkedAttestationId'

const ORDERS = ['ATTESTATION_ID_DESC', 'ATTESTATION_ID_ASC', 'ATTEST_TIMESTAMP_DESC', 'ATTEST_TIMESTAMP_ASC'] as const
const recipientMatch = (cond: string) =>
  `EXISTS (SELECT 1 FROM "Recipient" r WHERE r."chainId" = a."chainId" AND r."attestationId" = a."attestationId" AND ${cond})`

/** The paged filters: GraphQL `where` and the same rows in SQL (to draw cursors of rows on the list). */
const PAGE_FILTERS: { key: string; name: string; where: Record<string, unknown> | null; sql: string }[] = [
  { key: 'none', name: 'none', where: null, sql: 'TRUE' },
  { key: 'chain', name: 'chainId', where: { chainId: 10 }, sql: 'a."chainId" = 10' },
  { key: 'schema', name: 'schemaId', where: { schemaId: '3' }, sql: 'a."schemaId" = 3' },
  { key: 'attester', name: 'attester', where: { attester: seedAttester(5) }, sql: `a."attester" = '${seedAttester(5)}'` },
  { key: 'recipient', name: 'recipient address', where: { recipient: seedRecipient(11) }, sql: recipientMatch(`r."address" = '${seedRecipient(11)}'`) },
  { key: 'recipienttext', name: 'recipient text', where: { recipient: 'user7@example.com' }, sql: recipientMatch(`r."text" = 'user7@example.com'`) },
  { key: 'indexingkey', name: 'indexingKey', where: { indexingKey: 'key-42' }, sql: `a."indexingKey" = 'key-42'` },
  { key: 'revoked', name: 'revoked', where: { revoked: true }, sql: 'a."revoked"' },
  { key: 'time', name: 'attestTimestamp range', where: null, sql: '' }, // filled from the rows (middle half of time)
]

const pick = <T>(items: readonly T[], next: () => number): T => items[Math.floor(next() * items.length)]!
const cursorOf = (row: { chainId: number; attestationId: string }) =>
  formatPrismaCursor({ chainId: row.chainId, attestationId: BigInt(row.attestationId) }, ['chainId', 'attestationId'])
const gql = (query: string, variables: Record<string, unknown>) => JSON.stringify({ query, variables })

/** A seeded random attestation key, chains weighted by their rows. */
function randomKey(chains: SeedChain[], next: () => number): { chainId: number; id: bigint } {
  const total = chains.reduce((n, c) => n + c.rows, 0)
  let k = Math.floor(next() * total)
  for (const c of chains) {
    if (k < c.rows) return { chainId: c.chainId, id: BigInt(k + 1) }
    k -= c.rows
  }
  throw new Error('unreachable')
}

/** The first id of a seeded random lineage block (its root), among blocks that are whole. */
function randomBlockRoot(chains: SeedChain[], next: () => number): { chainId: number; root: bigint } {
  const whole = chains.filter((c) => c.rows >= BLOCK)
  const chain = pick(whole, next)
  return { chainId: chain.chainId, root: BigInt(Math.floor(next() * Math.floor(chain.rows / BLOCK)) * BLOCK + 1) }
}

const PAGE = `query($where: AttestationWhere, $orderBy: AttestationOrder, $first: Int, $after: String, $last: Int, $before: String) {
  attestations(where: $where, orderBy: $orderBy, first: $first, after: $after, last: $last, before: $before) {
    edges { cursor node { ${PAGE_NODE} } } pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } }`

/**
 * Builds every query type's body generator. Cursors for pages come from `cursorsPerList` rows of each list drawn at
 * random (PostgreSQL `setseed` from the seed) and are used after/first 50 or before/last 50 at random.
 * @param pool node-pg pool on the seeded database (read only)
 * @param chains the chains and their row counts as seeded
 * @param next the seeded generator every request draws from
 */
export async function buildQueryLoads(pool: pg.Pool, chains: SeedChain[], seed: number, next: () => number, cursorsPerList = 2000): Promise<QueryLoad[]> {
  const loads: QueryLoad[] = []
  loads.push({
    key: 'byid',
    name: 'attestation(id) all scalars + recipients',
    body: () => {
      const { chainId, id } = randomKey(chains, next)
      return gql(`query($id: ID!) { attestation(id: $id) { ${ATTESTATION_FIELDS} } }`, { id: toFullId(chainId, id) })
    },
  })
  const [{ lo, hi }] = (
    await pool.query(`SELECT percentile_disc(0.25) WITHIN GROUP (ORDER BY "attestTimestamp")::text AS lo,
    percentile_disc(0.75) WITHIN GROUP (ORDER BY "attestTimestamp")::text AS hi FROM "Attestation"`)
  ).rows
  const filters = PAGE_FILTERS.map((f) =>
    f.name === 'attestTimestamp range'
      ? { key: f.key, name: f.name, where: { attestTimestampGte: lo, attestTimestampLte: hi }, sql: `a."attestTimestamp" BETWEEN ${lo} AND ${hi}` }
      : f,
  )
  const lists: { key: string; name: string; where: Record<string, unknown> | null; sql: string; orderBy: (typeof ORDERS)[number] }[] = [
    ...filters.map((f) => ({ ...f, orderBy: ORDERS[0] })),
    ...ORDERS.slice(1).map((orderBy) => ({ ...filters[0]!, orderBy })),
    ...ORDERS.slice(1).map((orderBy) => ({ ...filters.find((f) => f.name === 'attester')!, orderBy })),
  ]
  const client = await pool.connect()
  try {
    await client.query('SELECT setseed($1)', [(seed % 1_000_000) / 1_000_000])
    for (const list of lists) {
      const { rows } = await client.query(
        `SELECT "chainId", "attestationId"::text FROM "Attestation" a WHERE ${list.sql} ORDER BY random() LIMIT ${cursorsPerList}`,
      )
      if (!rows.length) throw new Error(`no rows for the list ${list.name}`)
      const cursors = rows.map(cursorOf)
      loads.push({
        key: `page.${list.key}.${list.orderBy.replace('ATTESTATION_ID', 'id').replace('ATTEST_TIMESTAMP', 'time').toLowerCase()}`,
        name: `page 50 where ${list.name} order ${list.orderBy}`,
        body: () => {
          const cursor = pick(cursors, next)
          const page = next() < 0.5 ? { first: 50, after: cursor } : { last: 50, before: cursor }
          return gql(PAGE, { where: list.where, orderBy: list.orderBy, ...page })
        },
      })
    }
  } finally {
    client.release()
  }
  loads.push({
    key: 'page.linked',
    name: 'page 50 where linkedAttestationId (3 children)',
    body: () => {
      const { chainId, root } = randomBlockRoot(chains, next)
      return gql(PAGE, { where: { linkedAttestationId: toFullId(chainId, root) }, first: 50 })
    },
  })
  loads.push({
    key: 'page.lineage',
    name: 'page 50 where inLineageOf (19 relatives)',
    body: () => {
      const { chainId, root } = randomBlockRoot(chains, next)
      return gql(PAGE, { where: { inLineageOf: toFullId(chainId, root + BigInt(Math.floor(next() * BLOCK))) }, first: 50 })
    },
  })
  loads.push({
    key: 'lineage.up',
    name: 'lineage 10 ancestors',
    body: () => {
      const { chainId, root } = randomBlockRoot(chains, next)
      return gql(
        `query($id: ID!) { attestation(id: $id) { id lineage(direction: ANCESTORS, maxDepth: 10, first: 10) { edges { depth node { ${PAGE_NODE} } } } } }`,
        { id: toFullId(chainId, root + BigInt(BENCH_LINEAGE.length - 1)) },
      )
    },
  })
  loads.push({
    key: 'lineage.down',
    name: 'lineage descendants 3 levels (9)',
    body: () => {
      const { chainId, root } = randomBlockRoot(chains, next)
      return gql(
        `query($id: ID!) { attestation(id: $id) { id lineage(direction: DESCENDANTS, maxDepth: 3, first: 50) { totalCount edges { depth node { ${PAGE_NODE} } } } } }`,
        { id: toFullId(chainId, root) },
      )
    },
  })
  loads.push({
    key: 'linkedby',
    name: 'linkedBy (3 children)',
    body: () => {
      const { chainId, root } = randomBlockRoot(chains, next)
      return gql(`query($id: ID!) { attestation(id: $id) { id linkedBy(first: 10) { nodes { ${PAGE_NODE} } } } }`, {
        id: toFullId(chainId, root + BigInt(Math.floor(next() * 4))),
      })
    },
  })
  loads.push({
    key: 'count',
    name: 'totalCount where attester (1/18 of rows)',
    body: () =>
      gql('query($where: AttestationWhere) { attestations(where: $where, first: 1) { totalCount } }', {
        where: { attester: seedAttester(1 + Math.floor(next() * 9)) },
      }),
  })
  loads.push(...(await buildStatsLoads(pool, chains, next)))
  return loads
}

const STATS = `query($where: AttestationWhere, $groupBy: AttestationStatsGroupBy!) {
  attestationStats(where: $where, groupBy: $groupBy, first: 20) { edges { cursor node { key count revokedCount firstAt lastAt } } pageInfo { hasNextPage endCursor } } }`

/**
 * Explorer statistics as a dashboard asks for them: per schema / attester / recipient / chain, per day over a rolling
 * window ("the last 7 / 30 days" ending at a seeded random second: part days at both ends), with `revoked`, and
 * `schemaStats` with unique attesters and recipients.
 */
async function buildStatsLoads(pool: pg.Pool, chains: SeedChain[], next: () => number): Promise<QueryLoad[]> {
  const [{ lo, hi }] = (await pool.query(`SELECT min("attestTimestamp")::text AS lo, max("attestTimestamp")::text AS hi FROM "Attestation"`)).rows
  const span = Number(hi) - Number(lo)
  /** a window of `days` ending at a random second of the later half of the rows' time */
  const window = (days: number) => {
    const end = Number(lo) + Math.floor(span / 2 + next() * (span / 2))
    return { attestTimestampGte: String(Math.max(Number(lo), end - days * 86_400)), attestTimestampLte: String(end) }
  }
  const chainId = () => pick(chains, next).chainId
  const stats = (key: string, name: string, groupBy: string, where: () => Record<string, unknown> | null): QueryLoad => ({
    key: `stats.${key}`,
    name: `attestationStats ${groupBy} where ${name}`,
    body: () => gql(STATS, { groupBy, where: where() }),
  })
  return [
    stats('schema', 'chainId', 'SCHEMA', () => ({ chainId: chainId() })),
    stats('attester', 'chainId', 'ATTESTER', () => ({ chainId: chainId() })),
    stats('recipient', 'chainId', 'RECIPIENT', () => ({ chainId: chainId() })),
    stats('chain.revoked', 'revoked', 'CHAIN', () => ({ revoked: true })),
    stats('schema.revoked', 'chainId, revoked', 'SCHEMA', () => ({ chainId: chainId(), revoked: true })),
    stats('day.attester', 'attester', 'DAY', () => ({ attester: seedAttester(1 + Math.floor(next() * 9)) })),
    stats('schema.7d', 'last 7 days (part days)', 'SCHEMA', () => window(7)),
    stats('attester.7d', 'chainId, last 7 days (part days)', 'ATTESTER', () => ({ chainId: chainId(), ...window(7) })),
    stats('day.30d', 'schemaId, last 30 days (part days)', 'DAY', () => ({ schemaId: String(1 + Math.floor(next() * 20)), ...window(30) })),
    stats('day.recipient', 'recipient', 'DAY', () => ({ recipient: seedRecipient(1 + Math.floor(next() * 50)) })),
    {
      key: 'stats.schemastats',
      name: 'schemaStats where chainId, unique attesters and recipients',
      body: () =>
        gql(
          'query($chainId: Int) { schemaStats(where: { chainId: $chainId }, first: 20) { edges { node { schemaId count uniqueAttesters uniqueRecipients } } } }',
          {
            chainId: chainId(),
          },
        ),
    },
  ]
}
