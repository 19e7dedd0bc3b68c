/**
 * Multicall3 `aggregate3((address target, bool allowFailure, bytes callData)[])` calldata and its
 * `(bool success, bytes returnData)[]` answer, encoded and decoded by hand: the hot path of backfill record reads
 * (readRecords.ts). viem's generic coder turned each 250-call answer into bytes and back into hex per field; measured
 * here it was ~10 % of the indexer's CPU during a backfill. The decoder accepts only the canonical layout (what
 * Multicall3 returns) and answers null for anything else, so the caller falls back to viem's strict decoder.
 */
import type { Address, Hex } from 'viem'

/** `aggregate3((address,bool,bytes)[])` */
const AGGREGATE3_SELECTOR = '0x82ad56cb'

const WORD = 64 // hex characters per 32-byte word
const ZERO_WORD = '0'.repeat(WORD)

function uintWord(n: number): string {
  return n.toString(16).padStart(WORD, '0')
}

/** The calldata of `aggregate3(calls)` with every call's `allowFailure` true; equal to viem's `encodeFunctionData`. */
export function encodeAggregate3(target: Address, callDatas: readonly Hex[]): Hex {
  const targetWord = target.slice(2).toLowerCase().padStart(WORD, '0')
  const trueWord = uintWord(1)
  const parts: string[] = [AGGREGATE3_SELECTOR, uintWord(32), uintWord(callDatas.length)]
  const elements: string[] = []
  let offset = callDatas.length * 32 // element offsets are relative to the start of the offset list
  for (const data of callDatas) {
    const hex = data.slice(2)
    const bytes = hex.length / 2
    const padded = Math.ceil(bytes / 32) * WORD
    parts.push(uintWord(offset))
    elements.push(targetWord, trueWord, uintWord(96), uintWord(bytes), hex.padEnd(padded, '0'))
    offset += 32 * 4 + padded / 2
  }
  return `${parts.join('')}${elements.join('')}` as Hex
}

/** A word holding a small unsigned integer (< 2^48), or -1 when the word is out of range or not such an integer. */
function smallUint(hex: string, at: number): number {
  if (at + WORD > hex.length) return -1
  for (let i = at; i < at + WORD - 12; i++) if (hex.charCodeAt(i) !== 48) return -1
  return Number.parseInt(hex.slice(at + WORD - 12, at + WORD), 16)
}

/**
 * Decodes aggregate3's return data.
 * @returns one `{ success, returnData }` per call, or null when the data is not in the canonical layout (the caller
 *   then decodes it with viem, which throws for what is not an aggregate3 answer at all).
 */
export function decodeAggregate3(data: Hex): { success: boolean; returnData: Hex }[] | null {
  if (data.length < 2 + 2 * WORD) return null
  const hex = data.slice(2)
  if (smallUint(hex, 0) !== 32) return null
  const count = smallUint(hex, WORD)
  if (count < 0) return null
  const base = 2 * WORD // start of the offset list
  const out: { success: boolean; returnData: Hex }[] = new Array(count)
  let expected = count * 32 // each element follows the previous one (canonical layout)
  for (let i = 0; i < count; i++) {
    const offset = smallUint(hex, base + i * WORD)
    if (offset !== expected) return null
    const at = base + offset * 2
    const success = smallUint(hex, at)
    if (success !== 0 && success !== 1) return null
    if (smallUint(hex, at + WORD) !== 64) return null
    const length = smallUint(hex, at + 2 * WORD)
    if (length < 0) return null
    const start = at + 3 * WORD
    const padded = Math.ceil(length / 32) * WORD
    if (start + padded > hex.length) return null
    if (hex.slice(start + length * 2, start + padded) !== ZERO_WORD.slice(0, padded - length * 2)) return null
    out[i] = { success: success === 1, returnData: `0x${hex.slice(start, start + length * 2)}` as Hex }
    expected = offset + 32 * 3 + padded / 2
  }
  if (base + expected * 2 !== hex.length) return null
  return out
}
