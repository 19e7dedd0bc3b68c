/**
 * The ordered, pure part of ingest: turns one fetched range into the rows to write, in (blockNumber, logIndex)
 * order. Runs in commit order so a schema registered in an earlier range is known when its attestations are
 * decoded. Semantics follow sign-protocol-facts.md (born-revoked, off-chain timestamp sentinel, delegation).
 *
 * Every value in the rows is storable (`src/db/toStorable.ts`): strings from the chain carry U+FFFD where they had
 * NUL or a lone surrogate, JSON is depth-bounded, indexed text fits its index. The exact bytes stay in
 * `Attestation.data`, `recipientsRaw` and `Recipient.raw`; a log whose record cannot be stored at all (an off-chain
 * attestation id too long to index) becomes a SkippedLog with its raw topic0 and data and the reason.
 */
import { type OnchainAttestation, type OnchainOffchainAttestation, type OnchainSchema, recordKey } from '../chain/records.js'
import { MAX_INDEXED_TEXT_BYTES, toIndexableText, toIndexableTextTruncated, toStorableText } from '../db/toStorable.js'
import { decodeAttestationData, decodeRecipient, parseSchemaData, type SchemaField } from './decodeData.js'
import type { SkippedLog, SpEvent } from './decodeLogs.js'
import type { FetchedRange } from './fetchRange.js'
import type { JournalEntryDraft } from '../journal/journalWriter.js'

export type SchemaRow = {
  chainId: number
  schemaId: bigint
  registrant: string
  revocable: boolean
  dataLocation: number
  maxValidFor: string
  hook: string
  timestamp: bigint
  data: string
  dataJson: unknown
  fields: SchemaField[] | null
  dataError: string | null
  txHash: string
  txFrom: string
  blockNumber: bigint
  blockHash: string
  logIndex: number
}
export type AttestationRow = {
  chainId: number
  attestationId: bigint
  schemaId: bigint
  linkedAttestationId: bigint | null
  attestTimestamp: bigint
  revokeTimestamp: bigint
  attester: string
  validUntil: string
  dataLocation: number
  revoked: boolean
  recipientsRaw: string[]
  data: string
  decodedData: unknown
  dataEncoding: string | null
  decodeError: string | null
  indexingKey: string
  txHash: string
  txFrom: string
  blockNumber: bigint
  blockHash: string
  blockTimestamp: bigint
  logIndex: number
  revokeReason: string | null
  revokeTxHash: string | null
  revokeBlockNumber: bigint | null
  revokeBlockHash: string | null
  revokeLogIndex: number | null
}
export type RecipientRow = {
  chainId: number
  attestationId: bigint
  position: number
  raw: string
  address: string | null
  text: string | null
  /** the attestation's, for the gateway's (chainId, address | text, attestTimestamp, attestationId) indexes */
  attestTimestamp: bigint
}
export type OffchainRow = {
  chainId: number
  offchainAttestationId: string
  attester: string
  timestamp: bigint
  revoked: boolean
  revokeTimestamp: bigint | null
  revokeReason: string | null
  revokeTxHash: string | null
  revokeBlockNumber: bigint | null
  revokeBlockHash: string | null
  revokeLogIndex: number | null
  txHash: string
  txFrom: string
  blockNumber: bigint
  blockHash: string
  blockTimestamp: bigint
  logIndex: number
}
/** A revocation of a record committed in an earlier batch: applied as an UPDATE. */
export type RevocationUpdate = {
  subject: 'attestation' | 'offchain'
  id: bigint | string
  reason: string
  revokeTimestamp: bigint
  txHash: string
  blockNumber: bigint
  blockHash: string
  logIndex: number
}
/** The ingest's journal entries: CREATED and REVOKED only (REMOVED is the rollback's, STATUS_CHANGED the verifier's). */
export type JournalRow = JournalEntryDraft & { kind: 'CREATED' | 'REVOKED' }

export type Batch = {
  chainId: number
  fromBlock: bigint
  toBlock: bigint
  toBlockHash: string
  schemas: SchemaRow[]
  attestations: AttestationRow[]
  recipients: RecipientRow[]
  offchain: OffchainRow[]
  revocations: RevocationUpdate[]
  journal: JournalRow[]
  skipped: (SkippedLog & { chainId: number })[]
  blocks: { chainId: number; number: bigint; hash: string; parentHash: string; timestamp: bigint }[]
}

/** Looks up a schema's ABI fields (from this batch, a cache or the database); undefined when unknown. */
export type SchemaFieldsLookup = (schemaId: bigint) => Promise<SchemaField[] | null | undefined>

/**
 * @param fetched one range from {@link fetchRange}
 * @param getSchemaFields lookup for schemas registered before this range
 * @returns rows ready for {@link commitBatch}, every value storable; records whose read failed (or whose off-chain id
 *   cannot be indexed) become skipped logs with the raw log and the reason. Throws only what `getSchemaFields` throws.
 */
export async function buildBatch(chainId: number, fetched: FetchedRange, getSchemaFields: SchemaFieldsLookup): Promise<Batch> {
  const toBlockHash = fetched.blocks.get(fetched.toBlock)?.hash ?? ''
  const batch: Batch = {
    chainId,
    fromBlock: fetched.fromBlock,
    toBlock: fetched.toBlock,
    toBlockHash,
    schemas: [],
    attestations: [],
    recipients: [],
    offchain: [],
    revocations: [],
    journal: [],
    skipped: fetched.skipped.map((s) => ({ ...s, chainId })),
    blocks: [...fetched.blocks.values()].map((b) => ({ chainId, ...b })),
  }
  const localSchemas = new Map<bigint, SchemaField[] | null>()
  const attestations = new Map<bigint, AttestationRow>()
  const offchain = new Map<string, OffchainRow>()
  const skip = (e: SpEvent, reason: string) =>
    batch.skipped.push({
      chainId,
      blockNumber: e.blockNumber,
      blockHash: e.blockHash,
      logIndex: e.logIndex,
      txHash: e.txHash,
      address: e.address,
      topic0: e.topic0,
      data: e.data,
      reason,
    })
  const offchainIdTooLong = (e: SpEvent) =>
    skip(e, `OFFCHAIN_ID_TOO_LONG: the off-chain attestation id is longer than ${MAX_INDEXED_TEXT_BYTES} UTF-8 bytes, which an index cannot hold`)
  /** an id or a contract error in a reason: storable and short */
  const brief = (text: string) => toStorableText(text.length > 200 ? `${text.slice(0, 200)}…` : text)

  for (const e of fetched.events) {
    const header = fetched.blocks.get(e.blockNumber)!
    const at = { blockNumber: e.blockNumber, blockHash: e.blockHash, logIndex: e.logIndex }
    const txFrom = fetched.senders.get(e.txHash) ?? ''
    switch (e.name) {
      case 'SchemaRegistered': {
        const res = fetched.records.get(recordKey({ kind: 'schema', id: e.schemaId, blockNumber: e.blockNumber }))
        if (!res?.ok) {
          skip(e, `READ_FAILED: getSchema(${e.schemaId}): ${res?.error ?? 'missing'}`)
          break
        }
        const s = res.value as OnchainSchema
        const parsed = parseSchemaData(s.data)
        localSchemas.set(e.schemaId, parsed.fields)
        batch.schemas.push({
          chainId,
          schemaId: e.schemaId,
          registrant: s.registrant.toLowerCase(),
          revocable: s.revocable,
          dataLocation: Number(s.dataLocation),
          maxValidFor: s.maxValidFor.toString(),
          hook: s.hook.toLowerCase(),
          timestamp: s.timestamp,
          data: toStorableText(s.data),
          dataJson: parsed.json,
          fields: parsed.fields,
          dataError: parsed.error,
          txHash: e.txHash,
          txFrom,
          ...at,
        })
        batch.journal.push({ chainId, kind: 'CREATED', subjectType: 'SCHEMA', subjectId: e.schemaId.toString(), ...at })
        break
      }
      case 'AttestationMade': {
        const res = fetched.records.get(recordKey({ kind: 'attestation', id: e.attestationId, blockNumber: e.blockNumber }))
        if (!res?.ok) {
          skip(e, `READ_FAILED: getAttestation(${e.attestationId}): ${res?.error ?? 'missing'}`)
          break
        }
        const a = res.value as OnchainAttestation
        const fields = localSchemas.has(a.schemaId) ? localSchemas.get(a.schemaId)! : await getSchemaFields(a.schemaId)
        const decoded =
          fields === undefined
            ? { encoding: null, value: null, error: `DATA_UNKNOWN_SCHEMA: schema ${a.schemaId} is not indexed` }
            : decodeAttestationData(a.data, Number(a.dataLocation), fields)
        const row: AttestationRow = {
          chainId,
          attestationId: e.attestationId,
          schemaId: a.schemaId,
          linkedAttestationId: a.linkedAttestationId === 0n ? null : a.linkedAttestationId,
          attestTimestamp: a.attestTimestamp,
          revokeTimestamp: a.revokeTimestamp,
          attester: a.attester.toLowerCase(),
          validUntil: a.validUntil.toString(),
          dataLocation: Number(a.dataLocation),
          revoked: a.revoked,
          recipientsRaw: a.recipients.map((r) => r.toLowerCase()),
          data: a.data.toLowerCase(),
          decodedData: decoded.value,
          dataEncoding: decoded.encoding,
          decodeError: decoded.error,
          indexingKey: toIndexableTextTruncated(e.indexingKey),
          txHash: e.txHash,
          txFrom,
          ...at,
          blockTimestamp: header.timestamp,
          revokeReason: null,
          revokeTxHash: null,
          revokeBlockNumber: null,
          revokeBlockHash: null,
          revokeLogIndex: null,
        }
        attestations.set(e.attestationId, row)
        batch.attestations.push(row)
        for (const [position, raw] of a.recipients.entries())
          batch.recipients.push({ chainId, attestationId: e.attestationId, position, ...decodeRecipient(raw), attestTimestamp: a.attestTimestamp })
        batch.journal.push({ chainId, kind: 'CREATED', subjectType: 'ATTESTATION', subjectId: e.attestationId.toString(), ...at })
        break
      }
      case 'AttestationRevoked': {
        const reason = toStorableText(e.reason)
        const revoke = { reason, revokeTimestamp: header.timestamp, txHash: e.txHash, ...at }
        const row = attestations.get(e.attestationId)
        if (row) {
          Object.assign(row, {
            revoked: true,
            revokeTimestamp: header.timestamp,
            revokeReason: reason,
            revokeTxHash: e.txHash,
            revokeBlockNumber: e.blockNumber,
            revokeBlockHash: e.blockHash,
            revokeLogIndex: e.logIndex,
          })
        } else batch.revocations.push({ subject: 'attestation', id: e.attestationId, ...revoke })
        batch.journal.push({ chainId, kind: 'REVOKED', subjectType: 'ATTESTATION', subjectId: e.attestationId.toString(), ...at })
        break
      }
      case 'OffchainAttestationMade': {
        const res = fetched.records.get(recordKey({ kind: 'offchain', id: e.offchainAttestationId, blockNumber: e.blockNumber }))
        if (!res?.ok) {
          skip(e, `READ_FAILED: getOffchainAttestation(${brief(e.offchainAttestationId)}): ${res?.error ?? 'missing'}`)
          break
        }
        const id = toIndexableText(e.offchainAttestationId) // the stored key of its row and journal entries
        if (id === null) {
          offchainIdTooLong(e)
          break
        }
        const o = res.value as OnchainOffchainAttestation
        // The contract stores block.timestamp at creation and overwrites it with 1 on revocation: the creation
        // block's timestamp is the original time even when the read already sees the sentinel.
        const row: OffchainRow = {
          chainId,
          offchainAttestationId: id,
          attester: o.attester.toLowerCase(),
          timestamp: header.timestamp,
          revoked: false,
          revokeTimestamp: null,
          revokeReason: null,
          revokeTxHash: null,
          revokeBlockNumber: null,
          revokeBlockHash: null,
          revokeLogIndex: null,
          txHash: e.txHash,
          txFrom,
          ...at,
          blockTimestamp: header.timestamp,
        }
        offchain.set(e.offchainAttestationId, row)
        batch.offchain.push(row)
        batch.journal.push({ chainId, kind: 'CREATED', subjectType: 'OFFCHAIN_ATTESTATION', subjectId: id, ...at })
        break
      }
      case 'OffchainAttestationRevoked': {
        const id = toIndexableText(e.offchainAttestationId) // the stored key of its row and journal entries
        if (id === null) {
          offchainIdTooLong(e)
          break
        }
        const reason = toStorableText(e.reason)
        const row = offchain.get(e.offchainAttestationId)
        if (row) {
          Object.assign(row, {
            revoked: true,
            revokeTimestamp: header.timestamp,
            revokeReason: reason,
            revokeTxHash: e.txHash,
            revokeBlockNumber: e.blockNumber,
            revokeBlockHash: e.blockHash,
            revokeLogIndex: e.logIndex,
          })
        } else batch.revocations.push({ subject: 'offchain', id, reason, revokeTimestamp: header.timestamp, txHash: e.txHash, ...at })
        batch.journal.push({ chainId, kind: 'REVOKED', subjectType: 'OFFCHAIN_ATTESTATION', subjectId: id, ...at })
        break
      }
    }
  }
  return batch
}
