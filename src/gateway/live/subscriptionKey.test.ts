import { parse } from 'graphql'
import { describe, expect, it } from 'vitest'
import { createSubscriptionKeys } from './subscriptionKey.js'

describe('createSubscriptionKeys', () => {
  const document = parse('subscription S($chainId: Int, $after: String) { attestationEvents(where: { chainId: $chainId }, after: $after) { cursor } }')

  it('gives identical operations one key, and different variables or documents another', () => {
    const keyOf = createSubscriptionKeys()
    const a = keyOf({ document, variableValues: { chainId: 1 } })
    expect(a).toEqual({ key: expect.any(String), resumes: false, after: undefined })
    expect(keyOf({ document, variableValues: { chainId: 1 } })?.key).toBe(a?.key)
    expect(keyOf({ document, variableValues: { chainId: 2 } })?.key).not.toBe(a?.key)
    expect(keyOf({ document: parse(document.loc!.source.body), variableValues: { chainId: 1 } })?.key).not.toBe(a?.key)
  })

  it('leaves the `after` variable out of the key: a resumed operation has the key it may merge into', () => {
    const keyOf = createSubscriptionKeys()
    const live = keyOf({ document, variableValues: { chainId: 1 } })
    expect(keyOf({ document, variableValues: { chainId: 1, after: 42 } })).toEqual({ key: live?.key, resumes: true, after: '42' })
    expect(keyOf({ document, variableValues: { chainId: 1, after: null } })).toEqual({ key: live?.key, resumes: false, after: undefined })
  })

  it('does not share a literal cursor, queries, or an unknown operation name', () => {
    const keyOf = createSubscriptionKeys()
    expect(keyOf({ document: parse('subscription { attestationEvents(after: "5") { cursor } }') })).toBeNull()
    expect(keyOf({ document: parse('subscription { attestationEvents(after: null) { cursor } }') })).not.toBeNull()
    expect(keyOf({ document: parse('query { __typename }') })).toBeNull()
    expect(keyOf({ document, operationName: 'Other' })).toBeNull()
  })
})
