import { describe, expect, it } from 'vitest'
import {
  isStorableText,
  MAX_INDEXED_TEXT_BYTES,
  MAX_JSON_DEPTH,
  toIndexableText,
  toIndexableTextTruncated,
  toStorableJson,
  toStorableText,
} from './toStorable.js'

const nest = (depth: number): unknown => {
  let v: unknown = 'leaf'
  for (let i = 0; i < depth; i++) v = [v]
  return v
}

describe('toStorableText', () => {
  it('replaces NUL and lone surrogates with U+FFFD, keeps pairs, RTL and everything else', () => {
    expect(toStorableText('a\u0000b')).toBe('a\uFFFDb')
    expect(toStorableText('\ud800')).toBe('\uFFFD')
    expect(toStorableText('x\udc00y\ud800')).toBe('x\uFFFDy\uFFFD')
    expect(toStorableText('\ud83d\ude00 \u202eabc\u202c')).toBe('\ud83d\ude00 \u202eabc\u202c')
    expect(isStorableText('\ud800\ud800\udc00')).toBe(false) // the first high surrogate is alone
    expect(toStorableText('\ud800\ud800\udc00')).toBe('\uFFFD\ud800\udc00')
  })
  it('handles 100 KB quickly', () => {
    const text = 'é\u0000'.repeat(50_000)
    const started = performance.now()
    expect(toStorableText(text)).toBe('é\uFFFD'.repeat(50_000))
    expect(performance.now() - started).toBeLessThan(500)
  })
})

describe('indexable text', () => {
  it('keeps text that fits a btree index entry, refuses (null) or cuts longer text at a character boundary', () => {
    expect(toIndexableText('a'.repeat(MAX_INDEXED_TEXT_BYTES))).toBe('a'.repeat(MAX_INDEXED_TEXT_BYTES))
    expect(toIndexableText('a'.repeat(MAX_INDEXED_TEXT_BYTES + 1))).toBeNull()
    const cut = toIndexableTextTruncated('€'.repeat(MAX_INDEXED_TEXT_BYTES)) // 3 bytes each
    expect(Buffer.byteLength(cut)).toBeLessThanOrEqual(MAX_INDEXED_TEXT_BYTES)
    expect(cut).toMatch(/^€+…$/)
    expect(toIndexableTextTruncated('short\u0000')).toBe('short\uFFFD')
  })
})

describe('toStorableJson', () => {
  it('keeps __proto__ and constructor as own keys and makes keys and strings storable', () => {
    const parsed = JSON.parse('{"__proto__":{"x":1},"constructor":"c","a\\u0000":"\\ud800","n":[1,"\\u0000"]}')
    const { value, error } = toStorableJson(parsed)
    expect(error).toBeNull()
    expect(Object.keys(value as object)).toEqual(['__proto__', 'constructor', 'a\uFFFD', 'n'])
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype)
    expect(JSON.stringify(value)).toBe('{"__proto__":{"x":1},"constructor":"c","a\uFFFD":"\uFFFD","n":[1,"\uFFFD"]}')
  })
  it('bounds nesting without throwing, however deep the value', () => {
    expect(toStorableJson(nest(MAX_JSON_DEPTH)).error).toBeNull()
    expect(toStorableJson(nest(MAX_JSON_DEPTH + 1))).toEqual({ value: null, error: `nests deeper than ${MAX_JSON_DEPTH} levels` })
    expect(toStorableJson(nest(200_000)).error).toMatch(/deeper/)
  })
  it('turns bigint into decimal strings and what JSON cannot hold into null', () => {
    expect(toStorableJson({ a: 2n ** 70n, b: Number.NaN, c: undefined, d: () => 1 }).value).toEqual({ a: '1180591620717411303424', b: null, c: null, d: null })
  })
})
