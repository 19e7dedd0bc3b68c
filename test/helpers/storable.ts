/**
 * Checks for the property and poison-pill suites: is a value what PostgreSQL stores as it is (see
 * src/db/toStorable.ts)? Text without NUL or lone surrogates; JSON whose strings and keys are such text, nested at
 * most MAX_JSON_DEPTH levels.
 */
import { isStorableText, MAX_JSON_DEPTH } from '../../src/db/toStorable.js'

/** @returns the first problem found in `value` (a path and what is wrong), or null when it is storable. */
export function findUnstorable(value: unknown, path = '$', depth = 0): string | null {
  if (typeof value === 'string') return isStorableText(value) ? null : `${path}: unstorable text`
  if (value === null || typeof value !== 'object') return null
  if (depth >= MAX_JSON_DEPTH) return `${path}: nested deeper than ${MAX_JSON_DEPTH}`
  for (const [k, v] of Object.entries(value)) {
    if (!isStorableText(k)) return `${path}: unstorable key`
    const inner = findUnstorable(v, `${path}.${k}`, depth + 1)
    if (inner) return inner
  }
  return null
}
