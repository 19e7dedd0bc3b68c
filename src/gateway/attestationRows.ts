/**
 * Attestation rows read by one raw statement on the Prisma client's pool (src/db/directReads.ts `queryRows`: the
 * pool's own driver on PostgreSQL, `$queryRaw` on PGlite), for the selections that make up the hot reads: the row alone, or the row with its recipients. Prisma's
 * `findUnique` / `findMany` with `include: { recipients }` is two round trips (the row, then the recipients) plus
 * its query planning per call; here the recipients ride along as one JSON array per row, so `attestation(id)` is one
 * statement and a page is one statement (attestationPage.ts). Any other planned selection (schema, linked
 * attestation, verification, … under the nodes) goes through Prisma as before, so relations still batch.
 *
 * The rows have the shape Prisma returns for the `Attestation` model (bigint for BigInt, Prisma.Decimal for
 * `validUntil`, parsed JSON for `decodedData`): the column list is the model's, without the `@ignore`d "searchText".
 */
import { type Attestation, Prisma, type Recipient } from '../generated/prisma/client.js'
import type { GatewayContext } from './builder.js'
import { queryRows } from '../db/directReads.js'

/** The Attestation model's columns (prisma/schema.prisma), as `a."column"`. */
const ATTESTATION_COLUMNS = [
  'chainId',
  'attestationId',
  'schemaId',
  'linkedAttestationId',
  'attestTimestamp',
  'revokeTimestamp',
  'attester',
  'validUntil',
  'dataLocation',
  'revoked',
  'recipientsRaw',
  'data',
  'decodedData',
  'dataEncoding',
  'decodeError',
  'indexingKey',
  'txHash',
  'txFrom',
  'blockNumber',
  'blockHash',
  'blockTimestamp',
  'logIndex',
  'revokeReason',
  'revokeTxHash',
  'revokeBlockNumber',
  'revokeBlockHash',
  'revokeLogIndex',
] as const

/** What a direct read returns per row besides the columns. */
export type DirectSelection = { recipients: boolean }

/**
 * Whether a Pothos-planned Prisma query (`queryFromInfo`, or the `query` of a `prismaField`) is one the direct read
 * serves: nothing but the model's columns, optionally with `recipients` ordered by position (the `recipients`
 * relation field of types/attestation.ts).
 * @returns the selection, or null when Prisma must plan the read (other relations, `select`, counts)
 */
export function toDirectSelection(query: object): DirectSelection | null {
  const keys = Object.keys(query)
  if (keys.length === 0) return { recipients: false }
  if (keys.length !== 1 || keys[0] !== 'include') return null
  const include = (query as { include: Record<string, unknown> }).include
  const relations = Object.keys(include)
  if (relations.length === 0) return { recipients: false }
  if (relations.length !== 1 || relations[0] !== 'recipients') return null
  const recipients = include.recipients
  if (recipients === true) return { recipients: true }
  const ordered =
    typeof recipients === 'object' &&
    recipients !== null &&
    Object.keys(recipients).length === 1 &&
    JSON.stringify((recipients as { orderBy?: unknown }).orderBy) === '{"position":"asc"}'
  return ordered ? { recipients: true } : null
}

/**
 * The select list of a direct read over `"Attestation" a`: every model column, and with `recipients` a JSON array
 * of `[position, raw, address, text, attestTimestamp]` in position order (one index probe of the Recipient primary key).
 */
export function attestationColumnsSql(selection: DirectSelection): Prisma.Sql {
  const columns = Prisma.raw(ATTESTATION_COLUMNS.map((c) => `a."${c}"`).join(', '))
  if (!selection.recipients) return columns
  return Prisma.sql`${columns}, (SELECT COALESCE(json_agg(json_build_array(r."position", r."raw", r."address", r."text", r."attestTimestamp"::text) ORDER BY r."position"), '[]')
      FROM "Recipient" r WHERE r."chainId" = a."chainId" AND r."attestationId" = a."attestationId") AS "recipients"`
}

type RawRow = Attestation & { recipients?: [number, string, string | null, string | null, string][] }

/**
 * Turns a row of a statement selecting {@link attestationColumnsSql} into the model's shape (recipients as
 * `Recipient` rows when selected). Mutates and returns the row.
 */
export function toAttestationRow(row: RawRow): Attestation & { recipients?: Recipient[] } {
  if (row.recipients) {
    const { chainId, attestationId } = row
    ;(row as unknown as { recipients: Recipient[] }).recipients = row.recipients.map(([position, raw, address, text, attestTimestamp]) => ({
      chainId,
      attestationId,
      position,
      raw,
      address,
      text,
      attestTimestamp: BigInt(attestTimestamp),
    }))
  }
  return row as Attestation & { recipients?: Recipient[] }
}

/**
 * Reads attestations by key in ONE statement with a direct selection.
 * @returns the rows found, in no particular order
 */
export async function getAttestationRows(
  ctx: GatewayContext,
  selection: DirectSelection,
  keys: readonly { chainId: number; attestationId: bigint }[],
): Promise<(Attestation & { recipients?: Recipient[] })[]> {
  if (!keys.length) return []
  const where =
    keys.length === 1
      ? Prisma.sql`a."chainId" = ${keys[0]!.chainId}::int AND a."attestationId" = ${keys[0]!.attestationId.toString()}::bigint`
      : // ids travel as text: bigint arrays are not portable across driver adapters
        Prisma.sql`(a."chainId", a."attestationId") IN (SELECT k.c, k.i::bigint FROM unnest(${keys.map((k) => k.chainId)}::int[], ${keys.map((k) =>
          k.attestationId.toString(),
        )}::text[]) AS k(c, i))`
  const rows = await queryRows<RawRow>(ctx.prisma, Prisma.sql`SELECT ${attestationColumnsSql(selection)} FROM "Attestation" a WHERE ${where}`)
  return rows.map(toAttestationRow)
}
