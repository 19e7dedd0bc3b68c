import { type ExecutionResult, parse } from 'graphql'
import { describe, expect, it } from 'vitest'
import { createSharedSubscriptions } from './useSharedSubscriptions.js'

type Ctx = { cursor?: string }
type SubscribeFn = (args: unknown) => Promise<AsyncIterableIterator<ExecutionResult> | ExecutionResult>

/** Runs the plugin's onSubscribe for one subscriber and returns the iterator it would serve. */
async function subscribe(plugin: ReturnType<typeof createSharedSubscriptions>['plugin'], source: SubscribeFn, document: ReturnType<typeof parse>, variableValues: Record<string, unknown> = {}, ctx: Ctx = {}) {
  let fn: SubscribeFn = source
  await (plugin.onSubscribe as (p: unknown) => unknown)({ args: { document, variableValues, contextValue: ctx }, subscribeFn: source, setSubscribeFn: (f: SubscribeFn) => (fn = f) })
  return (await fn({ document, variableValues, contextValue: ctx })) as AsyncIterableIterator<ExecutionResult>
}

/** A source of `count` results; each moves the context's journal cursor the way followAttestationEvents does. */
function source(count: number, executions: { n: number }): SubscribeFn {
  return async (args) => {
    executions.n++
    const ctx = (args as { contextValue: Ctx }).contextValue
    return (async function* () {
      for (let i = 1; i <= count; i++) {
        ctx.cursor = String(100 + i)
        yield { data: { n: i } }
      }
    })()
  }
}

describe('shared subscriptions', () => {
  const document = parse('subscription { attestationEvents { cursor } }')

  it('executes identical subscriptions once; a reader that keeps up gets everything, one that stopped reading overflows with the cursor of its last event', async () => {
    const ctx: Ctx = { cursor: '100' }
    const shared = createSharedSubscriptions({ bufferSize: 4, overflowGraceMs: 50, cursorOf: (c) => (c as Ctx).cursor })
    const executions = { n: 0 }
    const gate: { open?: () => void } = {}
    const opened = new Promise<void>((r) => (gate.open = r))
    const slowSource: SubscribeFn = async (args) => {
      const inner = (await source(20, executions)(args)) as AsyncIterableIterator<ExecutionResult>
      return { [Symbol.asyncIterator]() { return this }, next: async () => (await opened, inner.next()), return: async () => inner.return!() } as AsyncIterableIterator<ExecutionResult>
    }
    const fast = await subscribe(shared.plugin, slowSource, document, {}, ctx)
    const slow = await subscribe(shared.plugin, slowSource, document, {}, ctx)
    expect(shared.stats()).toEqual({ subscribers: 2, executions: 1 })
    expect(executions.n).toBe(1)
    gate.open!()
    const slowFirst = await slow.next()
    expect(slowFirst.value).toEqual({ data: { n: 1 } })
    const got: number[] = []
    for (let i = 0; i < 10; i++) got.push(((await fast.next()).value as { data: { n: number } }).data.n)
    // two subscribers joining mid-stream at the same point: one reads, one never does. The silent one's resume
    // cursor must sit right before the first result the reader got (no gap, no duplicate), not where the stream is later
    const late = await subscribe(shared.plugin, slowSource, document, {}, ctx)
    const lateReader = await subscribe(shared.plugin, slowSource, document, {}, ctx)
    const lateFirst = ((await lateReader.next()).value as { data: { n: number } }).data.n
    void lateReader.return!()
    for (let i = 10; i < 20; i++) got.push(((await fast.next()).value as { data: { n: number } }).data.n)
    expect(got).toEqual(Array.from({ length: 20 }, (_, i) => i + 1))
    const rest: ExecutionResult[] = []
    for (let r = await slow.next(); !r.done; r = await slow.next()) rest.push(r.value)
    const overflow = rest.at(-1)!
    expect(overflow.errors?.[0]?.extensions).toMatchObject({ code: 'SUBSCRIPTION_OVERFLOW', cursor: '101' })
    expect(rest.slice(0, -1).map((r) => (r.data as { n: number }).n)).toEqual([]) // its queue was cleared on overflow
    const lateOverflow = (await late.next()).value as ExecutionResult
    expect(lateOverflow.errors?.[0]?.extensions).toMatchObject({ code: 'SUBSCRIPTION_OVERFLOW', cursor: String(100 + lateFirst - 1) })
    expect(lateFirst).toBeGreaterThan(2)
    expect(shared.stats().subscribers).toBe(1)
    await fast.return!()
    expect(shared.stats()).toEqual({ subscribers: 0, executions: 0 })
  })

  it('never shares a subscription that resumes from a cursor, and refuses one beyond the limit', async () => {
    const shared = createSharedSubscriptions({ maxSubscriptions: 2, cursorOf: () => undefined })
    const executions = { n: 0 }
    const withAfter = parse('subscription($after: String) { attestationEvents(after: $after) { cursor } }')
    const a = await subscribe(shared.plugin, source(1, executions), withAfter, { after: '5' })
    const b = await subscribe(shared.plugin, source(1, executions), withAfter, { after: '5' })
    expect(executions.n).toBe(2)
    expect(shared.stats().subscribers).toBe(2)
    const refused = (await subscribe(shared.plugin, source(1, executions), document)) as unknown as ExecutionResult
    expect(refused.errors?.[0]?.extensions).toMatchObject({ code: 'SUBSCRIPTION_LIMIT' })
    await a.return!()
    await b.return!()
    expect(shared.stats().subscribers).toBe(0)
  })
})
