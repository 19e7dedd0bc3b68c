/**
 * A live, random Sign Protocol workload: keeps sending real SP transactions until aborted.
 */
import { type Hex, toHex } from 'viem'
import type { Logger } from '../common/logger.js'
import { createSleeper } from '../common/retryPolicy.js'
import { devAccount } from './deploySp.js'
import { POISON_PILLS, sendPoisonPill } from './poisonPills.js'
import {
  addressRecipient,
  CHECK_FIELDS,
  flatScore,
  SCORE_FIELDS,
  schemaJson,
  type AttestationInput,
  type SpWriter,
  stringRecipient,
  tupleScore,
} from './spWriter.js'

const ATTESTERS = [5, 6, 7] as const
const RELAYER = 8

/** Action kinds and their relative weights. */
const ACTIONS = [
  ['register', 4],
  ['attest', 30],
  ['link', 15],
  ['batch', 8],
  ['delegated', 6],
  ['revoke', 14],
  ['offchain', 12],
  ['revokeOffchain', 6],
] as const
type ActionKind = (typeof ACTIONS)[number][0]

type Mine = { id: bigint; revocable: boolean; revoked: boolean }

function pickAction(rand: (n: number) => number): ActionKind {
  let r = rand(ACTIONS.reduce((sum, [, w]) => sum + w, 0))
  for (const [kind, w] of ACTIONS) {
    if (r < w) return kind
    r -= w
  }
  return 'attest'
}

export type LiveWorkloadOptions = {
  intervalMs: number
  signal: AbortSignal
  /**
   * Runs each action (send + wait for the receipt); lets a caller keep actions and chain surgery apart — anvil's
   * `anvil_reorg` racing a transaction being mined has left its chain inconsistent (a block that answers null,
   * attestation ids out of block order).
   */
  around?: <T>(action: () => Promise<T>) => Promise<T>
  /** uniform [0, 1) source for every choice (default `Math.random`); pass a seeded one to replay a run */
  random?: () => number
  /** also send, about one round in ten, one of the hostile records of `poisonPills.ts` (default false) */
  poisonPills?: boolean
}

/**
 * Every `intervalMs` (ms) sends 1-3 random SP actions — register a schema, attest (tuple / flat / undecodable data;
 * address / string / odd / no recipients; sometimes validUntil), attest linked to one of the same attester's
 * earlier attestations, attestBatch (2-5), delegated attest (relayer = dev account 8), revoke, attestOffchain,
 * revokeOffchain — from dev accounts 5..7, one transaction at a time, each waited for. Until the first schema
 * exists, the action is always "register". A failed action (revert, RPC error) is logged at `warn` and the loop
 * goes on. Resolves (never rejects) promptly once `signal` aborts; the action in flight is abandoned (its receipt
 * wait is aborted if `sp` was created with the same signal; a sent transaction may still be mined).
 *
 * @param sp write helpers bound to the SP contract (create it with `signal` so receipt waits stop on abort)
 * @param log pino logger (`debug` per action, `warn` per failure)
 */
export async function runLive(sp: SpWriter, log: Logger, opts: LiveWorkloadOptions): Promise<void> {
  const { signal } = opts
  const random = opts.random ?? Math.random
  const rand = (n: number) => Math.floor(random() * n)
  const pick = <T>(xs: readonly T[]): T => xs[rand(xs.length)]!
  const schemas: { id: bigint; revocable: boolean }[] = []
  const mine = new Map<number, Mine[]>(ATTESTERS.map((a) => [a, []]))
  const offchain = new Map<number, string[]>(ATTESTERS.map((a) => [a, []]))
  let seq = 0
  let pills = 0

  const randomAttestation = (): { input: AttestationInput; revocable: boolean } => {
    const schema = pick(schemas)
    const n = BigInt(seq)
    const dataKind = rand(10)
    const data: Hex = dataKind < 6 ? tupleScore(`live-${seq}`, n) : dataKind < 9 ? flatScore(`live-${seq}`, n) : toHex(`junk${seq}`)
    const recipientKind = rand(8)
    const recipients: Hex[] =
      recipientKind < 4
        ? [addressRecipient(devAccount(rand(10)).address)]
        : recipientKind < 6
          ? [stringRecipient(`user-${rand(1000)}@example.com`)]
          : recipientKind < 7
            ? ['0x1234']
            : []
    const now = BigInt(Math.floor(Date.now() / 1000))
    const validUntil = rand(5) === 0 ? now + BigInt(30 + rand(3600)) : 0n
    return { input: { schemaId: schema.id, data, recipients, validUntil }, revocable: schema.revocable }
  }

  const act = async (kind: ActionKind): Promise<string> => {
    seq++
    const attester = pick(ATTESTERS)
    const own = mine.get(attester)!
    if (schemas.length === 0 || kind === 'register') {
      const revocable = rand(4) !== 0
      const data = rand(6) === 0 ? `free text schema ${seq}` : schemaJson(`Live ${seq}`, 'live workload', rand(2) ? SCORE_FIELDS : CHECK_FIELDS)
      const id = await sp.register(attester, { data, revocable })
      // attestation data is always score-shaped; check-shaped schemas get "undecodable" data on purpose
      schemas.push({ id, revocable })
      return `register schema ${id}`
    }
    if (kind === 'link' && own.length > 0) {
      // half of the links follow up one of the attester's latest attestations (amendment chains, as apps write them),
      // so a reorg often takes back a child together with its parent; the rest link anywhere in the history
      const parent = rand(2) === 0 ? own[own.length - 1 - rand(Math.min(8, own.length))]! : pick(own)
      const { input, revocable } = randomAttestation()
      const id = await sp.attest(attester, { ...input, linkedAttestationId: parent.id }, `live-link-${seq}`)
      own.push({ id, revocable, revoked: false })
      return `attest ${id} linked to ${parent.id}`
    }
    if (kind === 'batch') {
      const items = Array.from({ length: 2 + rand(4) }, () => randomAttestation())
      const ids = await sp.attestBatch(
        attester,
        items.map((i) => i.input),
        items.map((_, k) => `live-batch-${seq}-${k}`),
      )
      for (const [k, id] of ids.entries()) own.push({ id, revocable: items[k]!.revocable, revoked: false })
      return `attestBatch ${ids.join(',')}`
    }
    if (kind === 'delegated') {
      const { input, revocable } = randomAttestation()
      const { id } = await sp.attestDelegated(attester, RELAYER, input, `live-delegated-${seq}`)
      own.push({ id, revocable, revoked: false })
      return `delegated attest ${id}`
    }
    if (kind === 'revoke') {
      const target = own.find((a) => a.revocable && !a.revoked)
      if (target) {
        await sp.revoke(attester, target.id, rand(3) === 0 ? '' : `live revoke ${seq}`)
        target.revoked = true
        return `revoke ${target.id}`
      }
    }
    if (kind === 'offchain') {
      const id = `live-${Date.now().toString(36)}-${seq}`
      await sp.attestOffchain(attester, id)
      offchain.get(attester)!.push(id)
      return `attestOffchain ${id}`
    }
    if (kind === 'revokeOffchain') {
      const id = offchain.get(attester)!.shift()
      if (id !== undefined) {
        await sp.revokeOffchain(attester, id, `live offchain revoke ${seq}`)
        return `revokeOffchain ${id}`
      }
    }
    const { input, revocable } = randomAttestation()
    const id = await sp.attest(attester, input, `live-${seq}`)
    own.push({ id, revocable, revoked: false })
    return `attest ${id}`
  }

  const aborted = new Promise<'aborted'>((resolve) => {
    if (signal.aborted) resolve('aborted')
    signal.addEventListener('abort', () => resolve('aborted'), { once: true })
  })
  /**
   * A reorg takes records back and the counters with them, and the new branch re-uses those ids: forget what the
   * canonical chain no longer holds, so links, attestations and revocations keep targeting records that exist.
   */
  const forgetRolledBack = async () => {
    const next = await sp.counters()
    for (let i = schemas.length - 1; i >= 0; i--) if (schemas[i]!.id >= next.schemas) schemas.splice(i, 1)
    for (const list of mine.values()) for (let i = list.length - 1; i >= 0; i--) if (list[i]!.id >= next.attestations) list.splice(i, 1)
  }
  while (!signal.aborted) {
    try {
      await (opts.around ? opts.around(forgetRolledBack) : forgetRolledBack())
    } catch (error) {
      if (!signal.aborted) log.warn({ error }, 'live workload could not read the counters; continuing')
    }
    if (opts.poisonPills && rand(10) === 0 && !signal.aborted) {
      const pill = POISON_PILLS[pills++ % POISON_PILLS.length]!
      const running = (opts.around ?? ((f) => f()))(() => sendPoisonPill(sp, pick(ATTESTERS), pill, String(++seq)))
      running.catch(() => undefined)
      try {
        const result = await Promise.race([running, aborted])
        if (result !== 'aborted') log.debug({ action: 'poison', result }, 'live workload action')
      } catch (error) {
        if (!signal.aborted) log.warn({ action: 'poison', pill, error }, 'live workload action failed; continuing')
      }
    }
    const count = 1 + rand(3)
    for (let i = 0; i < count && !signal.aborted; i++) {
      const kind = pickAction(rand)
      const running = opts.around ? opts.around(() => act(kind)) : act(kind)
      running.catch(() => undefined) // may settle after the abort; its outcome is ignored then
      try {
        const result = await Promise.race([running, aborted])
        if (result !== 'aborted') log.debug({ action: kind, result }, 'live workload action')
      } catch (error) {
        if (!signal.aborted) log.warn({ action: kind, error }, 'live workload action failed; continuing')
      }
    }
    await createSleeper(signal).sleep(opts.intervalMs)
  }
}
