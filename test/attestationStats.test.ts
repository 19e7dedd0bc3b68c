/**
 * Explorer statistics over the real workload, on PostgreSQL and on PGlite: the live workload (schemas, linked
 * attestations, `attestBatch`, revocations, delegated attestations) writes to the real contract while the real
 * indexer follows the head; at seeded moments the devnet's clock jumps (so attestations spread over several UTC
 * days) and the chain is reorganised (`anvil_reorg`, depth 1–24). After each reorg, once the indexer is at the head:
 * - the rollup table equals a GROUP BY over the stored attestations (the triggers kept it exact);
 * - `attestationStats` for every groupBy × several filters (rollup-served and direct) and `schemaStats` equal the
 *   groups computed from the contract's own state (ground truth), paged through with `first`/`after`.
 * Then: paging in small pages (forward and backward) returns every group exactly once, in order; bad input is coded.
 * STATS_SEED (default 7) replays a run; STATS_REORGS (default 5) per database.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { getAddress, type Hex } from 'viem'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createDb, type Db } from '../src/db/createDb.js'
import { resetChain } from '../src/db/resetChain.js'
import { createWorkload, type Devnet, startDevnet } from '../src/devnet/index.js'
import { createGateway, type Gateway, toFullId } from '../src/gateway/index.js'
import { decodeRecipient } from '../src/ingest/decodeData.js'
import { createIndexer } from '../src/sync/createIndexer.js'
import { createTestDatabase } from './helpers/database.js'
import { mulberry32 } from './helpers/faultProxy.js'
import { createTruthClient, diffWithGroundTruth, readGroundTruth } from './helpers/groundTruth.js'
import { execute, type GraphQLResult } from './helpers/graphql.js'
import { devnetChain } from './helpers/runIndexerToHead.js'
import { createTestCommon } from './helpers/common.js'

const SEED = Number(process.env.STATS_SEED ?? 7)
const REORGS = Number(process.env.STATS_REORGS ?? 5)
const MAX_DEPTH = 24
const DAY = 86_400n
const GROUP_BYS = ['SCHEMA', 'ATTESTER', 'RECIPIENT', 'DAY', 'CHAIN'] as const
type GroupBy = (typeof GROUP_BYS)[number]

type TruthAttestation = {
  id: bigint
  schemaId: bigint
  attester: string
  attestTimestamp: bigint
  revoked: boolean
  recipients: { address: string | null; text: string | null; key: string }[]
}
type Group = { key: string; count: number; revokedCount: number; firstTimestamp: string | null; lastTimestamp: string | null }
type Filter = Record<string, unknown>

const STATS = `query ($where: AttestationWhere, $groupBy: AttestationStatsGroupBy!, $first: Int, $after: String, $last: Int, $before: String) {
  attestationStats(where: $where, groupBy: $groupBy, first: $first, after: $after, last: $last, before: $before) {
    totalCount edges { cursor node { key count revokedCount firstTimestamp firstAt lastTimestamp lastAt } } pageInfo { hasNextPage hasPreviousPage endCursor startCursor }
  } }`
const SCHEMA_STATS = `query ($where: SchemaWhere, $first: Int, $after: String) {
  schemaStats(where: $where, first: $first, after: $after) {
    edges { cursor node { schemaId schema { id } count revokedCount firstTimestamp lastTimestamp uniqueAttesters uniqueRecipients } } pageInfo { hasNextPage endCursor }
  } }`

/**
 * Each rollup table and a recount of its rows from "Attestation" (and "Recipient": an attestation counts once per
 * distinct recipient key), both as sorted text rows.
 */
const ROLLUP_RECOUNTS: Record<string, { rollup: string; recount: string }> = {
  AttestationRollup: {
    rollup: `SELECT "chainId", "schemaId"::text, "attester", "day"::text, "count"::text, "revokedCount"::text, "firstAt"::text, "lastAt"::text
      FROM "AttestationRollup" ORDER BY 1, 2, 3, 4`,
    recount: `SELECT "chainId", "schemaId"::text, "attester", ("attestTimestamp" - "attestTimestamp" % 86400)::text AS "day",
      count(*)::text AS "count", (count(*) FILTER (WHERE "revoked"))::text AS "revokedCount", min("attestTimestamp")::text AS "firstAt", max("attestTimestamp")::text AS "lastAt"
      FROM "Attestation" GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4`,
  },
  SchemaDayRollup: {
    rollup: `SELECT "chainId", "schemaId"::text, "day"::text, "count"::text, "revokedCount"::text, "firstAt"::text, "lastAt"::text
      FROM "SchemaDayRollup" ORDER BY 1, 2, 3`,
    recount: `SELECT "chainId", "schemaId"::text, ("attestTimestamp" - "attestTimestamp" % 86400)::text AS "day",
      count(*)::text AS "count", (count(*) FILTER (WHERE "revoked"))::text AS "revokedCount", min("attestTimestamp")::text AS "firstAt", max("attestTimestamp")::text AS "lastAt"
      FROM "Attestation" GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`,
  },
  SchemaAttesterRollup: {
    rollup: `SELECT "chainId", "schemaId"::text, "attester", "count"::text, "revokedCount"::text, "firstAt"::text, "lastAt"::text
      FROM "SchemaAttesterRollup" ORDER BY 1, 2, 3`,
    recount: `SELECT "chainId", "schemaId"::text, "attester",
      count(*)::text AS "count", (count(*) FILTER (WHERE "revoked"))::text AS "revokedCount", min("attestTimestamp")::text AS "firstAt", max("attestTimestamp")::text AS "lastAt"
      FROM "Attestation" GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`,
  },
  RecipientRollup: {
    rollup: `SELECT "chainId", "recipientKey", "count"::text, "revokedCount"::text, "firstAt"::text, "lastAt"::text
      FROM "RecipientRollup" ORDER BY 1, "recipientKey" COLLATE "C"`,
    recount: `SELECT k."chainId", k."recipientKey", count(*)::text AS "count", (count(*) FILTER (WHERE a."revoked"))::text AS "revokedCount",
        min(a."attestTimestamp")::text AS "firstAt", max(a."attestTimestamp")::text AS "lastAt"
      FROM (SELECT DISTINCT "chainId", "attestationId", recipient_key("address", "text", "raw") AS "recipientKey" FROM "Recipient") k
      JOIN "Attestation" a ON a."chainId" = k."chainId" AND a."attestationId" = k."attestationId"
      GROUP BY 1, 2 ORDER BY 1, "recipientKey" COLLATE "C"`,
  },
  SchemaRollup: {
    rollup: `SELECT "chainId", "schemaId"::text, "count"::text, "revokedCount"::text, "firstAt"::text, "lastAt"::text, "uniqueRecipients"::text
      FROM "SchemaRollup" r ORDER BY 1, r."schemaId"`,
    recount: `SELECT a."chainId", a."schemaId"::text,
      count(*)::text AS "count", (count(*) FILTER (WHERE a."revoked"))::text AS "revokedCount", min(a."attestTimestamp")::text AS "firstAt",
      max(a."attestTimestamp")::text AS "lastAt",
      (SELECT count(DISTINCT recipient_key(x."address", x."text", x."raw")) FROM "Recipient" x JOIN "Attestation" b ON b."chainId" = x."chainId" AND b."attestationId" = x."attestationId"
       WHERE b."chainId" = a."chainId" AND b."schemaId" = a."schemaId")::text AS "uniqueRecipients"
      FROM "Attestation" a GROUP BY 1, a."schemaId" ORDER BY 1, a."schemaId"`,
  },
  AttesterRollup: {
    rollup: `SELECT "chainId", "attester", "count"::text, "revokedCount"::text, "firstAt"::text, "lastAt"::text FROM "AttesterRollup" ORDER BY 1, 2`,
    recount: `SELECT "chainId", "attester",
      count(*)::text AS "count", (count(*) FILTER (WHERE "revoked"))::text AS "revokedCount", min("attestTimestamp")::text AS "firstAt", max("attestTimestamp")::text AS "lastAt"
      FROM "Attestation" GROUP BY 1, 2 ORDER BY 1, 2`,
  },
  RecipientTotalRollup: {
    rollup: `SELECT "recipientKey", "count"::text, "revokedCount"::text, "firstAt"::text, "lastAt"::text
      FROM "RecipientTotalRollup" ORDER BY "recipientKey" COLLATE "C"`,
    recount: `SELECT k."recipientKey", count(*)::text AS "count", (count(*) FILTER (WHERE a."revoked"))::text AS "revokedCount",
        min(a."attestTimestamp")::text AS "firstAt", max(a."attestTimestamp")::text AS "lastAt"
      FROM (SELECT DISTINCT "chainId", "attestationId", recipient_key("address", "text", "raw") AS "recipientKey" FROM "Recipient") k
      JOIN "Attestation" a ON a."chainId" = k."chainId" AND a."attestationId" = k."attestationId"
      GROUP BY 1 ORDER BY "recipientKey" COLLATE "C"`,
  },
  AttesterRecipientRollup: {
    rollup: `SELECT "chainId", "attester", "recipientKey", "count"::text, "revokedCount"::text FROM "AttesterRecipientRollup" ORDER BY 1, 2, "recipientKey" COLLATE "C"`,
    recount: `SELECT a."chainId", a."attester", k."recipientKey", count(*)::text AS "count", (count(*) FILTER (WHERE a."revoked"))::text AS "revokedCount"
      FROM (SELECT DISTINCT "chainId", "attestationId", recipient_key("address", "text", "raw") AS "recipientKey" FROM "Recipient") k
      JOIN "Attestation" a ON a."chainId" = k."chainId" AND a."attestationId" = k."attestationId"
      GROUP BY 1, 2, 3 ORDER BY 1, 2, "recipientKey" COLLATE "C"`,
  },
  SchemaRecipientRollup: {
    rollup: `SELECT "chainId", "schemaId"::text, "recipientKey", "count"::text FROM "SchemaRecipientRollup" ORDER BY 1, 2, "recipientKey" COLLATE "C"`,
    recount: `SELECT a."chainId", a."schemaId"::text, k."recipientKey", count(*)::text AS "count"
      FROM (SELECT DISTINCT "chainId", "attestationId", recipient_key("address", "text", "raw") AS "recipientKey" FROM "Recipient") k
      JOIN "Attestation" a ON a."chainId" = k."chainId" AND a."attestationId" = k."attestationId"
      GROUP BY 1, 2, 3 ORDER BY 1, 2, "recipientKey" COLLATE "C"`,
  },
}

/** Every rollup equals a recount of the stored rows (the triggers kept them exact). */
async function expectRollupsExact(db: Db, label: string) {
  for (const [table, { rollup, recount }] of Object.entries(ROLLUP_RECOUNTS)) {
    const kept = await db.prisma.$queryRawUnsafe<unknown[]>(rollup)
    expect(kept, `${label}: ${table}`).toEqual(await db.prisma.$queryRawUnsafe<unknown[]>(recount))
  }
}

const ADDRESS = /^0x[0-9a-fA-F]{40}$/
/** A recipient's key as the statistics document it (address, else text — lower-cased when an address —, else raw). */
function recipientOf(raw: string) {
  const r = decodeRecipient(raw as Hex)
  return { address: r.address, text: r.text, key: r.address ?? (r.text != null && ADDRESS.test(r.text) ? r.text.toLowerCase() : r.text) ?? r.raw }
}

function dayKey(ts: bigint): string {
  return new Date(Number(ts - (ts % DAY)) * 1000).toISOString().slice(0, 10)
}

/** The `AttestationWhere` meaning, in plain code over the contract's attestations (only the fields used here). */
function matches(a: TruthAttestation, chainId: number, where: Filter): boolean {
  if (where.chainId != null && where.chainId !== chainId) return false
  if (where.schemaId != null && where.schemaId !== toFullId(chainId, a.schemaId)) return false
  if (where.attester != null && a.attester !== String(where.attester).toLowerCase()) return false
  if (where.revoked != null && a.revoked !== where.revoked) return false
  if (where.attestTimestampGte != null && a.attestTimestamp < BigInt(where.attestTimestampGte as string)) return false
  if (where.attestTimestampLte != null && a.attestTimestamp > BigInt(where.attestTimestampLte as string)) return false
  if (where.recipient != null) {
    const lower = String(where.recipient).toLowerCase()
    const spellings = [String(where.recipient), lower, `0x${lower.slice(2).toUpperCase()}`, getAddress(lower)]
    if (!a.recipients.some((r) => r.address === lower || (r.text != null && spellings.includes(r.text)))) return false
  }
  return true
}

/** The groups computed from ground truth, by key. */
function expectedGroups(atts: TruthAttestation[], chainId: number, groupBy: GroupBy, where: Filter): Map<string, Group> {
  const out = new Map<string, Group>()
  const add = (key: string, a: TruthAttestation) => {
    const g = out.get(key) ?? { key, count: 0, revokedCount: 0, firstTimestamp: null, lastTimestamp: null }
    g.count++
    if (a.revoked) g.revokedCount++
    if (g.firstTimestamp == null || a.attestTimestamp < BigInt(g.firstTimestamp)) g.firstTimestamp = a.attestTimestamp.toString()
    if (g.lastTimestamp == null || a.attestTimestamp > BigInt(g.lastTimestamp)) g.lastTimestamp = a.attestTimestamp.toString()
    out.set(key, g)
  }
  for (const a of atts) {
    if (!matches(a, chainId, where)) continue
    if (groupBy === 'RECIPIENT') for (const key of new Set(a.recipients.map((r) => r.key))) add(key, a)
    else
      add(
        groupBy === 'SCHEMA'
          ? toFullId(chainId, a.schemaId)
          : groupBy === 'ATTESTER'
            ? a.attester
            : groupBy === 'DAY'
              ? dayKey(a.attestTimestamp)
              : String(chainId),
        a,
      )
  }
  return out
}

type StatsData = {
  attestationStats: {
    totalCount: number
    edges: { cursor: string; node: Group & { firstAt: string | null; lastAt: string | null } }[]
    pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; endCursor: string | null; startCursor: string | null }
  }
}

/** Every group of a stats query, paged with `first` / `after`; checks the order (count descending) on the way. */
async function readAllGroups(gateway: Gateway, groupBy: GroupBy, where: Filter, first: number): Promise<{ groups: Group[]; totalCount: number }> {
  const groups: Group[] = []
  let after: string | null = null
  let totalCount = -1
  for (;;) {
    const result: GraphQLResult<StatsData> = await execute<StatsData, unknown>(gateway.yoga, STATS, { where, groupBy, first, after })
    expect(result.errors, JSON.stringify(result.errors)).toBeUndefined()
    const page: StatsData['attestationStats'] = result.data!.attestationStats
    totalCount = page.totalCount
    for (const e of page.edges) {
      expect(e.node.firstAt).toBe(new Date(Number(e.node.firstTimestamp) * 1000).toISOString())
      groups.push(e.node)
    }
    if (!page.pageInfo.hasNextPage) break
    after = page.pageInfo.endCursor
  }
  for (let i = 1; i < groups.length; i++) expect(groups[i - 1]!.count).toBeGreaterThanOrEqual(groups[i]!.count)
  return { groups, totalCount }
}

/**
 * The page order of groups: count descending, then the key — SCHEMA by (chain, id), CHAIN by chain id, DAY by date,
 * ATTESTER and RECIPIENT by the key's UTF-8 bytes (COLLATE "C").
 */
function byPageOrder(groupBy: GroupBy): (a: Group, b: Group) => number {
  const schemaKey = (key: string) => {
    const [, , chain, id] = key.split('_')
    return [BigInt(chain!), BigInt(id!)] as const
  }
  const cmp = (x: bigint, y: bigint) => (x < y ? -1 : x > y ? 1 : 0)
  return (a, b) => {
    if (a.count !== b.count) return b.count - a.count
    if (groupBy === 'SCHEMA') {
      const [ca, ia] = schemaKey(a.key)
      const [cb, ib] = schemaKey(b.key)
      return cmp(ca, cb) || cmp(ia, ib)
    }
    if (groupBy === 'CHAIN') return cmp(BigInt(a.key), BigInt(b.key))
    return Buffer.compare(Buffer.from(a.key, 'utf8'), Buffer.from(b.key, 'utf8'))
  }
}

const strip = ({ key, count, revokedCount, firstTimestamp, lastTimestamp }: Group): Group => ({ key, count, revokedCount, firstTimestamp, lastTimestamp })

describe.each(['postgres', 'pglite'] as const)('explorer statistics over the live workload (%s)', (kind) => {
  let devnet: Devnet
  let db: Db
  let gateway: Gateway
  let cleanup: () => Promise<void> = async () => {}
  let truthAtts: TruthAttestation[] = []

  beforeAll(async () => {
    console.log(`attestationStats (${kind}): STATS_SEED=${SEED} STATS_REORGS=${REORGS}`)
    devnet = await startDevnet({ port: 0 })
    await createWorkload({ rpcUrl: devnet.rpcUrl, address: devnet.address }).seedScenario()
    if (kind === 'postgres') {
      const database = await createTestDatabase('attestation_stats')
      db = await createDb({ databaseUrl: database.url })
      cleanup = () => database.drop()
    } else {
      const dir = await mkdtemp(join(tmpdir(), 'sign-stats-'))
      db = await createDb({ dataDir: join(dir, 'pglite') })
      cleanup = () => rm(dir, { recursive: true, force: true })
    }
    gateway = createGateway({ prisma: db.prisma, common: createTestCommon(), journalPollMs: 60_000, maxPageSize: 100 })
  }, 120_000)

  afterAll(async () => {
    await gateway?.close()
    await db?.close()
    await cleanup()
    await devnet?.stop()
  })

  it(`${REORGS} seeded reorgs (seed ${SEED}): stats equal the contract's attestations after each, for every groupBy and filter`, async () => {
    const random = mulberry32(SEED)
    const truth = createTruthClient(devnet.rpcUrl)
    const rpc = (method: string, params: unknown[] = []) => truth.request({ method: method as never, params: params as never })
    const lowest = (await truth.getBlockNumber()) + 1n
    const indexer = createIndexer({ prisma: db.prisma, writer: db.writer, chains: [devnetChain(devnet, { pollIntervalMs: 50 })], common: createTestCommon() })
    const running = indexer.run()
    let gate: Promise<void> = Promise.resolve()
    let inFlight: Promise<unknown> = Promise.resolve()
    const around = <T>(action: () => Promise<T>): Promise<T> => {
      const run = gate.then(action)
      inFlight = Promise.allSettled([inFlight, run])
      return run
    }
    const live = new AbortController()
    const workload = createWorkload({ rpcUrl: devnet.rpcUrl, address: devnet.address }).runLive({
      intervalMs: 20,
      signal: live.signal,
      around,
      random: mulberry32(SEED + 1),
    })

    const converge = async (label: string) => {
      const deadline = Date.now() + 60_000
      for (;;) {
        const head = await truth.getBlockNumber({ cacheTime: 0 })
        const cp = await db.prisma.checkpoint.findUnique({ where: { chainId: devnet.chainId } })
        const block = cp ? await truth.getBlock({ blockNumber: cp.blockNumber }).catch(() => null) : null
        if (cp && cp.blockNumber === head && block?.hash === cp.blockHash) {
          const onChain = await readGroundTruth(truth, devnet.address, devnet.deployBlock)
          if (!(await diffWithGroundTruth(db.prisma, devnet.chainId, onChain)).length) {
            return [...onChain.attestations].map(([id, a]) => ({
              id,
              schemaId: a.schemaId as bigint,
              attester: a.attester as string,
              attestTimestamp: a.attestTimestamp as bigint,
              revoked: a.revoked as boolean,
              recipients: (a.recipientsRaw as string[]).map(recipientOf),
            }))
          }
        }
        if (Date.now() > deadline) throw new Error(`${label} (seed ${SEED}): not converged`)
        await new Promise((r) => setTimeout(r, 100))
      }
    }

    let mostDays = 0
    const check = async (label: string) => {
      // every rollup equals a recount of the stored rows
      await expectRollupsExact(db, label)

      const chainId = devnet.chainId
      const pick = <T>(values: T[]) => values[Math.floor(random() * values.length)]!
      const sample = pick(truthAtts)
      const days = [...new Set(truthAtts.map((a) => a.attestTimestamp - (a.attestTimestamp % DAY)))]
      mostDays = Math.max(mostDays, days.length)
      const day = pick(days)
      // two attestations at least a day apart when the rows allow it (else any two): a range with whole days inside
      const byTime = [...truthAtts].sort((x, y) => (x.attestTimestamp < y.attestTimestamp ? -1 : x.attestTimestamp > y.attestTimestamp ? 1 : 0))
      const early = byTime[Math.floor(random() * Math.max(1, byTime.length / 3))]!
      const later = byTime.filter((a) => a.attestTimestamp >= early.attestTimestamp + 2n * DAY)
      const late = later.length ? pick(later) : byTime[byTime.length - 1]!
      const recipients = truthAtts.flatMap((a) => a.recipients.filter((r) => r.address != null).map((r) => r.address!))
      const filters: Filter[] = [
        {},
        { chainId },
        { chainId: chainId + 1 },
        { schemaId: toFullId(chainId, sample.schemaId) },
        { attester: getAddress(sample.attester), chainId },
        { attestTimestampGte: day.toString(), attestTimestampLte: (day + DAY - 1n).toString() }, // whole day: the rollup
        { schemaId: toFullId(chainId, sample.schemaId), attestTimestampGte: day.toString() }, // whole days, no attester: SchemaDayRollup
        { attester: getAddress(sample.attester), attestTimestampLte: (day + DAY - 1n).toString() }, // whole days and an attester: AttestationRollup
        { attestTimestampGte: sample.attestTimestamp.toString() }, // part of a day, then whole days: rollup + the part day
        // part days at both ends with whole days between (the rollup and two part days), alone, with an attester over
        // every chain, with revoked (counts merged, times of the page's groups from the attestations)
        { attestTimestampGte: (early.attestTimestamp + 1n).toString(), attestTimestampLte: (late.attestTimestamp - 1n).toString() },
        {
          attester: getAddress(sample.attester),
          attestTimestampGte: (early.attestTimestamp - 1n).toString(),
          attestTimestampLte: late.attestTimestamp.toString(),
        },
        { chainId, revoked: true, attestTimestampLte: late.attestTimestamp.toString() },
        { schemaId: toFullId(chainId, sample.schemaId), revoked: false, attestTimestampGte: early.attestTimestamp.toString() },
        { revoked: true }, // SCHEMA / CHAIN: counts from the rollup, times of the page from the attestations, else direct
        { chainId, revoked: true },
        { schemaId: toFullId(chainId, sample.schemaId), revoked: false },
        { attester: getAddress(sample.attester), chainId, revoked: false, attestTimestampGte: day.toString() },
        ...(recipients.length ? [{ recipient: pick(recipients) }] : []),
        // a recipient with a chain and a time range: DAY and CHAIN from its Recipient rows alone, revoked by index probe
        ...(recipients.length ? [{ recipient: pick(recipients), chainId, attestTimestampLte: late.attestTimestamp.toString() }] : []),
      ]
      for (const where of filters) {
        for (const groupBy of GROUP_BYS) {
          const expected = expectedGroups(truthAtts, chainId, groupBy, where)
          const { groups, totalCount } = await readAllGroups(gateway, groupBy, where, 100)
          const got = new Map(groups.map((g) => [g.key, strip(g)]))
          expect(got.size, `${label}: ${groupBy} ${JSON.stringify(where)}: a key twice`).toBe(groups.length)
          expect(got, `${label}: ${groupBy} ${JSON.stringify(where)}`).toEqual(expected)
          expect(
            groups.map((g) => g.key),
            `${label}: ${groupBy} ${JSON.stringify(where)}: order`,
          ).toEqual([...expected.values()].sort(byPageOrder(groupBy)).map((g) => g.key))
          expect(totalCount).toBe(expected.size)
        }
      }
      // schemaStats: every indexed schema, counts from the contract's attestations
      const { data, errors } = await execute<
        { schemaStats: { edges: { node: Group & { schemaId: string; schema: { id: string } | null; uniqueAttesters: number; uniqueRecipients: number } }[] } },
        unknown
      >(gateway.yoga, SCHEMA_STATS, { where: { chainId }, first: 100 })
      expect(errors).toBeUndefined()
      const schemas = await db.prisma.schema.findMany({ where: { chainId } })
      expect(data!.schemaStats.edges.length).toBe(Math.min(100, schemas.length))
      for (const { node } of data!.schemaStats.edges) {
        const own = truthAtts.filter((a) => toFullId(chainId, a.schemaId) === node.schemaId)
        expect(node.schema?.id).toBe(node.schemaId)
        expect(node.count, node.schemaId).toBe(own.length)
        expect(node.revokedCount).toBe(own.filter((a) => a.revoked).length)
        expect(node.uniqueAttesters).toBe(new Set(own.map((a) => a.attester)).size)
        expect(node.uniqueRecipients).toBe(new Set(own.flatMap((a) => a.recipients.map((r) => r.key))).size)
        expect(node.firstTimestamp).toBe(
          own.length ? own.reduce((m, a) => (a.attestTimestamp < m ? a.attestTimestamp : m), own[0]!.attestTimestamp).toString() : null,
        )
      }
    }

    let reorgs = 0
    let failed = true
    let resume = () => {}
    try {
      for (let i = 0; i < REORGS; i++) {
        await new Promise((r) => setTimeout(r, 300 + Math.floor(random() * 1_500)))
        while ((await truth.getBlockNumber({ cacheTime: 0 })) <= lowest) await new Promise((r) => setTimeout(r, 100)) // room for a reorg
        gate = new Promise((r) => {
          resume = r
        })
        await inFlight
        const head = await truth.getBlockNumber({ cacheTime: 0 })
        const room = Number(head - lowest)
        const depth = Math.min(1 + Math.floor(random() * MAX_DEPTH), Math.max(room, 1))
        if (room >= 1) {
          await rpc('anvil_reorg', [depth, []])
          reorgs++
        }
        // the next blocks are up to 1.5 days later, and always past the next UTC midnight: attestations spread over
        // several UTC days (random jumps alone left every attestation in one day when the run began early in a UTC
        // day, and a later reorg can take back every block mined after a jump: the DAY groupings had a single group)
        const jump = Math.floor(random() * 1.5 * 86_400)
        const { timestamp } = await truth.getBlock({ blockTag: 'latest' })
        await rpc('evm_increaseTime', [Math.max(jump, Number(DAY - (timestamp % DAY)) + 60)])
        truthAtts = await converge(`after reorg ${i + 1} (depth ${depth})`)
        await check(`after reorg ${i + 1} (depth ${depth})`)
        resume()
      }
      failed = false
    } finally {
      live.abort()
      resume() // a check that failed while the workload was held would leave its next write waiting forever
      gate = Promise.resolve()
      await workload
      await inFlight // a write the workload started may land after it returned
      if (failed) {
        indexer.stop()
        await running
      }
    }
    // the indexer runs until it has what the workload wrote last (stopping it first left the final state unreachable)
    try {
      truthAtts = await converge('final')
      await check('final')
    } finally {
      indexer.stop()
      await running
    }
    expect(reorgs).toBe(REORGS)
    expect(truthAtts.filter((a) => a.revoked).length).toBeGreaterThan(0)
    // the DAY groupings were checked over several UTC days at least once
    expect(mostDays).toBeGreaterThan(1)
  }, 600_000)

  it('paging in small pages returns every group exactly once, in the same order, forward and backward', async () => {
    // {} and chainId: groups read in order from the rollups' order indexes (every key column free, or the chain fixed)
    const cases: [GroupBy, Filter][] = GROUP_BYS.flatMap((g): [GroupBy, Filter][] => [
      [g, {}],
      [g, { chainId: devnet.chainId }],
    ])
    for (const [groupBy, where] of cases) {
      const all = (await readAllGroups(gateway, groupBy, where, 100)).groups.map((g) => g.key)
      const paged = (await readAllGroups(gateway, groupBy, where, 2)).groups.map((g) => g.key)
      expect(paged, `${groupBy} ${JSON.stringify(where)}`).toEqual(all)
      // backward from the end with last/before
      const back: string[] = []
      let before: string | null = null
      for (;;) {
        const result: GraphQLResult<StatsData> = await execute<StatsData, unknown>(gateway.yoga, STATS, { groupBy, where, last: 3, before })
        expect(result.errors).toBeUndefined()
        const page: StatsData['attestationStats'] = result.data!.attestationStats
        back.unshift(...page.edges.map((e) => e.node.key))
        if (!page.pageInfo.hasPreviousPage) break
        before = page.pageInfo.startCursor
      }
      expect(back, `${groupBy} ${JSON.stringify(where)} backward`).toEqual(all)
    }
  }, 120_000)

  it('bad input gets coded errors: unknown groupBy, a page above the cap, foreign cursors, bad filters', async () => {
    const code = async (variables: Record<string, unknown>) => {
      const { data, errors } = await execute<StatsData, unknown>(gateway.yoga, STATS, variables)
      expect(data?.attestationStats ?? null).toBeNull()
      return errors?.[0]?.extensions
    }
    expect((await code({ groupBy: 'WEEK' }))?.code).toBe('BAD_USER_INPUT')
    expect(await code({ groupBy: 'DAY', first: 101 })).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'first', maxPageSize: 100 })
    expect(await code({ groupBy: 'DAY', first: 1_000_000_000 })).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'first' })
    expect((await code({ groupBy: 'DAY', first: -1 }))?.code).toBe('BAD_USER_INPUT')
    const first = await execute<StatsData, unknown>(gateway.yoga, STATS, { groupBy: 'SCHEMA', first: 1 })
    const schemaCursor = first.data!.attestationStats.edges[0]!.cursor
    expect(await code({ groupBy: 'ATTESTER', after: schemaCursor })).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'after' }) // another grouping's
    const { data: attData } = await execute<{ attestations: { edges: { cursor: string }[] } }, unknown>(
      gateway.yoga,
      '{ attestations(first: 1) { edges { cursor } } }',
    )
    expect(await code({ groupBy: 'SCHEMA', after: attData!.attestations.edges[0]!.cursor })).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'after' })
    for (const garbage of [
      'stats:',
      'stats:!!!',
      `stats:${Buffer.from('[1,2,3]').toString('base64url')}`,
      'x'.repeat(2_000),
      `stats:${Buffer.from(JSON.stringify(['attestationStats:SCHEMA', 1, 1, '99999999999999999999', ''])).toString('base64url')}`,
    ]) {
      expect((await code({ groupBy: 'SCHEMA', before: garbage }))?.code, garbage.slice(0, 40)).toBe('BAD_USER_INPUT')
    }
    expect(await code({ groupBy: 'SCHEMA', where: { attester: 'nope' } })).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'attester' })
    expect(await code({ groupBy: 'DAY', where: { attestTimestampGte: '-5' } })).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'attestTimestampGte' })
    const { errors } = await execute(gateway.yoga, SCHEMA_STATS, { where: { registrant: '0x12' } })
    expect(errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'registrant' })
    // a stats page multiplies its selection like any page: 2 × 100 schemas × 100 attestations is over the budget
    const many = `{ ${[0, 1].map((i) => `s${i}: schemaStats(first: 100) { edges { node { schema { attestations(first: 100) { edges { node { id attester } } } } } } }`).join(' ')} }`
    const tooComplex = await execute(gateway.yoga, many)
    expect(tooComplex.errors?.[0]?.extensions?.code).toBe('QUERY_TOO_COMPLEX')
  }, 60_000)

  it('every rollup stays exact through set deletes and a chain reset, and refuses an UPDATE of a key column', async () => {
    // a set DELETE of a few recipients (an attestation loses some keys, keeps others), then of their attestations
    const some = await db.prisma.$queryRawUnsafe<{ attestationId: bigint }[]>(
      `SELECT "attestationId" FROM "Attestation" a WHERE "chainId" = ${devnet.chainId} AND "linkedAttestationId" IS NULL
         AND NOT EXISTS (SELECT 1 FROM "Attestation" b WHERE b."chainId" = a."chainId" AND b."linkedAttestationId" = a."attestationId")
         AND NOT EXISTS (SELECT 1 FROM "Verification" v WHERE v."chainId" = a."chainId" AND v."attestationId" = a."attestationId")
       ORDER BY "attestationId" DESC LIMIT 5`,
    )
    expect(some.length).toBeGreaterThan(0)
    const ids = some.map((r) => r.attestationId)
    await db.prisma.recipient.deleteMany({ where: { chainId: devnet.chainId, attestationId: { in: ids }, position: { gt: 0 } } })
    await expectRollupsExact(db, 'after deleting recipients beyond the first')
    await db.prisma.recipient.deleteMany({ where: { chainId: devnet.chainId, attestationId: { in: ids } } })
    await db.prisma.attestation.updateMany({ where: { chainId: devnet.chainId, attestationId: { in: ids } }, data: { revoked: true } })
    await expectRollupsExact(db, 'after revoking attestations without recipients')
    await db.prisma.attestation.deleteMany({ where: { chainId: devnet.chainId, attestationId: { in: ids } } })
    await expectRollupsExact(db, 'after deleting attestations')
    await expect(
      db.prisma.$executeRawUnsafe(
        `UPDATE "Recipient" SET "address" = '0x${'1'.repeat(40)}' WHERE "chainId" = ${devnet.chainId} AND "recipientKey" <> '0x${'1'.repeat(40)}'`,
      ),
    ).rejects.toThrow(/RecipientRollup/)
    await expectRollupsExact(db, 'after a refused recipient UPDATE')
    expect(await resetChain(db.prisma, devnet.chainId)).toBeGreaterThan(0)
    await expectRollupsExact(db, 'after resetChain')
    for (const table of Object.keys(ROLLUP_RECOUNTS)) expect(await db.prisma.$queryRawUnsafe<unknown[]>(`SELECT 1 FROM "${table}"`), table).toEqual([])
  }, 120_000)
})
