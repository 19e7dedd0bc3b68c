import fc from 'fast-check'
import { type ExecutionResult, parse } from 'graphql'
import { describe, expect, it } from 'vitest'
import { createMetrics } from '../../common/metrics.js'
import { createSharedSubscriptions } from './useSharedSubscriptions.js'

/** `readUpTo`: a stepped journal's execution started with this context reads no further (see steppedJournal) */
type Ctx = { cursor?: string; replaying?: boolean; buffered?: () => number; readUpTo?: number }
/** The shared-subscriptions view of a test context (`buffered` overrides what the context says; replaying unless told). */
const streamOf = (buffered?: number) => (c: unknown) => {
  const ctx = c as Ctx
  return { cursor: ctx.cursor ?? null, buffered: buffered ?? ctx.buffered?.() ?? 0, replaying: ctx.replaying ?? true }
}
type SubscribeFn = (args: unknown) => Promise<AsyncIterableIterator<ExecutionResult> | ExecutionResult>

/** Runs the plugin's onSubscribe for one subscriber and returns the iterator it would serve. */
async function subscribe(
  plugin: ReturnType<typeof createSharedSubscriptions>['plugin'],
  source: SubscribeFn,
  document: ReturnType<typeof parse>,
  variableValues: Record<string, unknown> = {},
  ctx: Ctx = {},
) {
  let fn: SubscribeFn = source
  await (plugin.onSubscribe as (p: unknown) => unknown)({
    args: { document, variableValues, contextValue: ctx },
    subscribeFn: source,
    setSubscribeFn: (f: SubscribeFn) => (fn = f),
  })
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
    const shared = createSharedSubscriptions({ metrics: createMetrics(), bufferSize: 4, overflowGraceMs: 50, streamOf: streamOf() })
    const executions = { n: 0 }
    const gate: { open?: () => void } = {}
    const opened = new Promise<void>((r) => (gate.open = r))
    const slowSource: SubscribeFn = async (args) => {
      const inner = (await source(20, executions)(args)) as AsyncIterableIterator<ExecutionResult>
      return {
        [Symbol.asyncIterator]() {
          return this
        },
        next: async () => (await opened, inner.next()),
        return: async () => inner.return!(),
      } as AsyncIterableIterator<ExecutionResult>
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

  it('hands results over in batches; a subscriber that overflows inside a batch gets nothing after its cursor', async () => {
    const ctx: Ctx = { cursor: '100' }
    // the source always says more events are buffered, so results go out in batches of bufferSize / 4 = 3
    const shared = createSharedSubscriptions({ metrics: createMetrics(), bufferSize: 12, overflowGraceMs: 20, streamOf: streamOf(1) })
    const executions = { n: 0 }
    const fast = await subscribe(shared.plugin, source(40, executions), document, {}, ctx)
    const slow = await subscribe(shared.plugin, source(40, executions), document, {}, ctx)
    const firstOfSlow = ((await slow.next()).value as { data: { n: number } }).data.n
    const got: number[] = []
    for (let i = 0; i < 40; i++) got.push(((await fast.next()).value as { data: { n: number } }).data.n)
    expect(got).toEqual(Array.from({ length: 40 }, (_, i) => i + 1))
    const rest: ExecutionResult[] = []
    for (let r = await slow.next(); !r.done; r = await slow.next()) rest.push(r.value)
    // whatever it was still given before overflowing continues right after its first result, then the error
    // carries the cursor of the last result it actually received: resuming there leaves no gap and no duplicate
    const delivered = rest.slice(0, -1).map((r) => (r.data as { n: number }).n)
    expect(delivered).toEqual(Array.from({ length: delivered.length }, (_, i) => firstOfSlow + 1 + i))
    expect(rest.at(-1)!.errors?.[0]?.extensions).toMatchObject({ code: 'SUBSCRIPTION_OVERFLOW', cursor: String(100 + firstOfSlow + delivered.length) })
    await fast.return!()
    expect(shared.stats()).toEqual({ subscribers: 0, executions: 0 })
  })

  it('does not hold a result back longer than holdMs when the buffered events never turn into results', async () => {
    const ctx: Ctx = { cursor: '100' }
    const shared = createSharedSubscriptions({ metrics: createMetrics(), holdMs: 30, streamOf: streamOf(4) })
    // one result, then a source that keeps skipping (filtered-out events) and has nothing more to give
    const stalling: SubscribeFn = async () => {
      let first = true
      return {
        [Symbol.asyncIterator]() {
          return this
        },
        next: () =>
          first ? ((first = false), Promise.resolve({ done: false, value: { data: { n: 1 } } })) : new Promise<IteratorResult<ExecutionResult>>(() => {}),
        return: async () => ({ done: true, value: undefined }),
      } as AsyncIterableIterator<ExecutionResult>
    }
    const sub = await subscribe(shared.plugin, stalling, document, {}, ctx)
    const first = await Promise.race([sub.next(), new Promise((resolve) => setTimeout(() => resolve('held'), 2_000))])
    expect(first).toEqual({ done: false, value: { data: { n: 1 } } })
    await sub.return!()
  })

  it('stops counting a subscriber once its source has ended', async () => {
    const shared = createSharedSubscriptions({ metrics: createMetrics(), streamOf: () => undefined })
    const sub = await subscribe(shared.plugin, source(2, { n: 0 }), document)
    for (let r = await sub.next(); !r.done; r = await sub.next());
    expect(shared.stats()).toEqual({ subscribers: 0, executions: 0 })
  })

  /** A journal of seqs 1..n; each execution follows it from `after` (or its end) and says when it is replaying. */
  function fakeJournal() {
    let length = 0
    const waiters = new Set<() => void>()
    const executions = { n: 0 }
    const subscribeFn: SubscribeFn = async (args) => {
      const { contextValue, variableValues } = args as { contextValue: Ctx; variableValues: { after?: string | null } }
      executions.n++
      let position = variableValues.after != null ? Number(variableValues.after) : length
      const liveFrom = length
      let closed = false
      contextValue.cursor = String(position)
      contextValue.replaying = position < liveFrom
      contextValue.buffered = () => length - position
      return {
        [Symbol.asyncIterator]() {
          return this
        },
        async next() {
          while (!closed && position >= length) await new Promise<void>((resolve) => waiters.add(resolve))
          if (closed) return { done: true, value: undefined }
          position++
          contextValue.cursor = String(position)
          contextValue.replaying = position < liveFrom
          return { done: false, value: { data: { seq: position } } }
        },
        async return() {
          closed = true
          for (const wake of waiters) wake()
          return { done: true, value: undefined }
        },
      } as AsyncIterableIterator<ExecutionResult>
    }
    const append = (count: number) => {
      length += count
      for (const wake of waiters) wake()
      waiters.clear()
    }
    return { subscribeFn, append, executions }
  }
  const resumable = parse('subscription($after: String) { attestationEvents(after: $after) { cursor } }')
  const seqs = async (it: AsyncIterableIterator<ExecutionResult>, count: number) => {
    const out: number[] = []
    for (let i = 0; i < count; i++) out.push(((await it.next()).value as { data: { seq: number } }).data.seq)
    return out
  }
  // recentResults 0: these tests are about resumes that replay (see the last resume test for the recent results)
  const sharedOptions = () => createSharedSubscriptions({ metrics: createMetrics(), recentResults: 0, streamOf: streamOf(0) })

  it('a resumed subscription replays alone, then merges into the shared execution with no gap and no duplicate', async () => {
    const journal = fakeJournal()
    const shared = sharedOptions()
    journal.append(5)
    const fresh = await subscribe(shared.plugin, journal.subscribeFn, resumable, { after: null }, {})
    journal.append(2)
    expect(await seqs(fresh, 2)).toEqual([6, 7])
    const resumed = await subscribe(shared.plugin, journal.subscribeFn, resumable, { after: '2' }, {})
    expect(shared.stats().executions).toBe(2)
    expect(await seqs(resumed, 5)).toEqual([3, 4, 5, 6, 7])
    journal.append(5)
    expect(await seqs(resumed, 5)).toEqual([8, 9, 10, 11, 12])
    expect(await seqs(fresh, 5)).toEqual([8, 9, 10, 11, 12])
    expect(shared.stats()).toEqual({ subscribers: 2, executions: 1 })
    journal.append(1)
    expect(await seqs(resumed, 1)).toEqual([13])
    expect(await seqs(fresh, 1)).toEqual([13])
    await resumed.return!()
    await fresh.return!()
    expect(shared.stats()).toEqual({ subscribers: 0, executions: 0 })
  })

  it('a resumed subscription merges while events keep arriving, delivering each exactly once', async () => {
    const journal = fakeJournal()
    const shared = sharedOptions()
    journal.append(5)
    const fresh = await subscribe(shared.plugin, journal.subscribeFn, resumable, { after: null }, {})
    const resumed = await subscribe(shared.plugin, journal.subscribeFn, resumable, { after: '3' }, {})
    expect(await seqs(resumed, 2)).toEqual([4, 5])
    // (here the resumed execution catches up between two events; one kept a hand-over behind: the next test)
    const fromFresh: number[] = []
    const fromResumed: number[] = []
    for (let round = 0; round < 4; round++) {
      journal.append(2)
      fromFresh.push(...(await seqs(fresh, 2)))
      fromResumed.push(...(await seqs(resumed, 2)))
    }
    expect(fromFresh).toEqual([6, 7, 8, 9, 10, 11, 12, 13])
    expect(fromResumed).toEqual([6, 7, 8, 9, 10, 11, 12, 13])
    expect(shared.stats()).toEqual({ subscribers: 2, executions: 1 })
    await resumed.return!()
    await fresh.return!()
  })

  /**
   * A journal of seqs 1..n like fakeJournal's, except that an execution started with a context carrying `readUpTo`
   * reads no further than that seq (the test moves it, then calls `wake`): the test decides which execution hands
   * over first, as a slower resolver or a later wake-up would.
   */
  function steppedJournal() {
    let length = 0
    const waiters = new Set<() => void>()
    const executions = { n: 0 }
    const wake = () => {
      for (const resolve of waiters) resolve()
      waiters.clear()
    }
    const subscribeFn: SubscribeFn = async (args) => {
      const { contextValue: ctx, variableValues } = args as { contextValue: Ctx; variableValues: { after?: string | null } }
      executions.n++
      let position = variableValues.after != null ? Number(variableValues.after) : length
      const liveFrom = length
      const limit = () => Math.min(length, ctx.readUpTo ?? length)
      let closed = false
      ctx.cursor = String(position)
      ctx.replaying = position < liveFrom
      ctx.buffered = () => Math.max(0, limit() - position)
      return {
        [Symbol.asyncIterator]() {
          return this
        },
        async next() {
          while (!closed && position >= limit()) await new Promise<void>((resolve) => waiters.add(resolve))
          if (closed) return { done: true, value: undefined }
          position++
          ctx.cursor = String(position)
          ctx.replaying = position < liveFrom
          return { done: false, value: { data: { seq: position } } }
        },
        async return() {
          closed = true
          wake()
          return { done: true, value: undefined }
        },
      } as AsyncIterableIterator<ExecutionResult>
    }
    return {
      subscribeFn,
      executions,
      wake,
      append: (count: number) => ((length += count), wake()),
      head: () => length,
    }
  }

  /** Seeded: a failing run replays with the same LOCKSTEP_SEED (fast-check also prints the failing plan). */
  const LOCKSTEP_SEED = Number(process.env.LOCKSTEP_SEED ?? 130_013)
  it(`resumed executions kept a hand-over behind the shared one under a steady stream join it, each event delivered once (seed ${LOCKSTEP_SEED})`, async () => {
    console.log(`lockstep-merge property test, seed ${LOCKSTEP_SEED} (override with LOCKSTEP_SEED)`)
    const plan = fc.record({
      // events committed per round (a tail slice), and whether a fresh identical subscription joins in that round
      rounds: fc.array(fc.record({ events: fc.integer({ min: 1, max: 3 }), freshJoins: fc.boolean() }), { minLength: 9, maxLength: 14 }),
      // reconnecting clients: resume cursor, the round they come back in, and how many events their execution trails
      resumes: fc.array(fc.record({ after: fc.integer({ min: 0, max: 4 }), round: fc.integer({ min: 0, max: 2 }), lag: fc.integer({ min: 1, max: 3 }) }), {
        minLength: 1,
        maxLength: 3,
      }),
    })
    await fc.assert(
      fc.asyncProperty(plan, async ({ rounds, resumes }) => {
        const journal = steppedJournal()
        const shared = createSharedSubscriptions({ metrics: createMetrics(), streamOf: streamOf() })
        type Reader = { it: AsyncIterableIterator<ExecutionResult>; from: number; got: number[]; ctx: Ctx; lag?: number }
        const readers: Reader[] = []
        /** reads `reader` until it has every seq through `through` (what its execution handed over by now) */
        const readThrough = async (reader: Reader, through: number) => {
          while ((reader.got.at(-1) ?? reader.from) < through) reader.got.push(((await reader.it.next()).value as { data: { seq: number } }).data.seq)
        }
        const join = async (variables: { after: string | null }, ctx: Ctx, from: number, lag?: number) => {
          readers.push({ it: await subscribe(shared.plugin, journal.subscribeFn, resumable, variables, ctx), from, got: [], ctx, lag })
        }
        try {
          journal.append(5)
          await join({ after: null }, {}, 5)
          for (const [index, round] of rounds.entries()) {
            journal.append(round.events)
            const head = journal.head()
            // the shared execution hands this slice over first (its readers have it) ...
            for (const reader of readers) if (reader.lag === undefined) await readThrough(reader, head)
            if (round.freshJoins) await join({ after: null }, {}, head)
            for (const resume of resumes)
              if (resume.round === index) await join({ after: String(resume.after) }, { readUpTo: resume.after }, resume.after, resume.lag)
            // ... then each resumed execution hands over what it has resolved: `lag` events short of the head
            for (const reader of readers) if (reader.lag !== undefined) reader.ctx.readUpTo = Math.max(reader.ctx.readUpTo!, head - reader.lag)
            journal.wake()
            for (const reader of readers) if (reader.lag !== undefined) await readThrough(reader, reader.ctx.readUpTo!)
          }
          // every resumed execution has been live and close behind for rounds: all have joined the shared one
          expect(shared.stats()).toEqual({ subscribers: readers.length, executions: 1 })
          journal.append(1)
          for (const reader of readers) reader.ctx.readUpTo = undefined
          journal.wake()
          for (const reader of readers) await readThrough(reader, journal.head())
          for (const reader of readers) expect(reader.got).toEqual(Array.from({ length: journal.head() - reader.from }, (_, i) => reader.from + 1 + i))
        } finally {
          for (const reader of readers) await reader.it.return!()
        }
        expect(shared.stats()).toEqual({ subscribers: 0, executions: 0 })
      }),
      { seed: LOCKSTEP_SEED, numRuns: 40 },
    )
  })

  it('a resumed execution a hand-over behind whose subscriber has no room for what it lacks goes on alone instead of overflowing', async () => {
    const journal = steppedJournal()
    // queues of 8, batches of 2, a grace long enough that nobody overflows by waiting
    const shared = createSharedSubscriptions({ metrics: createMetrics(), bufferSize: 8, overflowGraceMs: 10_000, streamOf: streamOf() })
    journal.append(10)
    const fresh = await subscribe(shared.plugin, journal.subscribeFn, resumable, { after: null }, {})
    const ctx: Ctx = { readUpTo: 9 }
    const resumed = await subscribe(shared.plugin, journal.subscribeFn, resumable, { after: '3' }, ctx)
    /** until its execution's source has read through `seq` (and so handed it over: nothing more is buffered) */
    const readThrough = async (seq: string) => {
      while (ctx.cursor !== seq) await new Promise((resolve) => setTimeout(resolve, 5))
    }
    // its client is busy: 4..9 replayed into its queue, unread
    await readThrough('9')
    journal.append(1)
    expect(await seqs(fresh, 1)).toEqual([11])
    ctx.readUpTo = 10 // its execution hands over 10 (7 queued, room for 1): live, one hand-over behind
    journal.wake()
    await readThrough('10')
    journal.append(1)
    expect(await seqs(fresh, 1)).toEqual([12]) // joining here would queue 11 and 12: one more than it has room for
    ctx.readUpTo = undefined
    journal.wake()
    const got: unknown[] = []
    for (let i = 0; i < 9; i++) {
      const next = await resumed.next()
      if (next.done) break
      got.push(next.value.errors ? next.value.errors[0]?.extensions?.code : (next.value.data as { seq: number }).seq)
    }
    expect(got).toEqual([4, 5, 6, 7, 8, 9, 10, 11, 12])
    journal.append(1)
    expect(await seqs(resumed, 1)).toEqual([13])
    expect(await seqs(fresh, 1)).toEqual([13])
    expect(shared.stats()).toEqual({ subscribers: 2, executions: 1 }) // caught up, it joined after all
    await resumed.return!()
    await fresh.return!()
  })

  it('lets at most maxCatchingUp resumed subscriptions replay at once; the next starts when one has merged', async () => {
    const journal = fakeJournal()
    // queues of 4 and a long grace: a resumed subscriber that does not read cannot finish its replay
    const shared = createSharedSubscriptions({
      metrics: createMetrics(),
      recentResults: 0,
      maxCatchingUp: 1,
      bufferSize: 4,
      overflowGraceMs: 10_000,
      streamOf: streamOf(0),
    })
    journal.append(6)
    const fresh = await subscribe(shared.plugin, journal.subscribeFn, resumable, { after: null }, {})
    const first = await subscribe(shared.plugin, journal.subscribeFn, resumable, { after: '0' }, {})
    let secondStarted = false
    const secondPromise = subscribe(shared.plugin, journal.subscribeFn, resumable, { after: '3' }, {}).then((it) => ((secondStarted = true), it))
    await new Promise((resolve) => setTimeout(resolve, 50))
    expect([journal.executions.n, secondStarted]).toEqual([2, false]) // waiting in line
    expect(await seqs(first, 6)).toEqual([1, 2, 3, 4, 5, 6]) // caught up and merged: its slot goes to the next
    const second = await secondPromise
    expect(await seqs(second, 3)).toEqual([4, 5, 6])
    expect(shared.stats()).toEqual({ subscribers: 3, executions: 1 })
    journal.append(1)
    for (const it of [fresh, first, second]) expect(await seqs(it, 1)).toEqual([7])
    for (const it of [fresh, first, second]) await it.return!()
  })

  it('refuses a resumed subscription with REPLAY_LIMIT when the line of those waiting to catch up is full', async () => {
    const journal = fakeJournal()
    const shared = createSharedSubscriptions({
      metrics: createMetrics(),
      recentResults: 0,
      maxCatchingUp: 1,
      maxWaitingToCatchUp: 1,
      bufferSize: 4,
      overflowGraceMs: 10_000,
      streamOf: streamOf(0),
    })
    journal.append(6)
    const first = await subscribe(shared.plugin, journal.subscribeFn, resumable, { after: '0' }, {}) // replays, holds the slot
    const waiting = subscribe(shared.plugin, journal.subscribeFn, resumable, { after: '1' }, {}) // waits in line
    await new Promise((resolve) => setTimeout(resolve, 20))
    const refused = (await subscribe(shared.plugin, journal.subscribeFn, resumable, { after: '2' }, {})) as unknown as ExecutionResult
    expect(refused.errors?.[0]?.extensions?.code).toBe('REPLAY_LIMIT')
    expect(await seqs(first, 6)).toEqual([1, 2, 3, 4, 5, 6])
    const second = await waiting
    expect(await seqs(second, 5)).toEqual([2, 3, 4, 5, 6])
    for (const it of [first, second]) await it.return!()
  })

  it('a resumed subscription at the head with nothing to replay merges without waiting for an event', async () => {
    const journal = fakeJournal()
    const shared = sharedOptions()
    journal.append(3)
    const fresh = await subscribe(shared.plugin, journal.subscribeFn, resumable, { after: null }, {})
    const resumed = await subscribe(shared.plugin, journal.subscribeFn, resumable, { after: '3' }, {})
    expect(shared.stats().executions).toBe(2)
    await new Promise((resolve) => setTimeout(resolve, 600))
    expect(shared.stats().executions).toBe(1)
    journal.append(1)
    expect(await seqs(resumed, 1)).toEqual([4])
    expect(await seqs(fresh, 1)).toEqual([4])
    await resumed.return!()
    await fresh.return!()
  })

  it('a resumed subscription with nobody to merge into becomes the shared execution once it is live', async () => {
    const journal = fakeJournal()
    const shared = sharedOptions()
    journal.append(4)
    const resumed = await subscribe(shared.plugin, journal.subscribeFn, resumable, { after: '1' }, {})
    expect(await seqs(resumed, 3)).toEqual([2, 3, 4])
    journal.append(1)
    expect(await seqs(resumed, 1)).toEqual([5])
    const fresh = await subscribe(shared.plugin, journal.subscribeFn, resumable, { after: null }, {})
    expect(journal.executions.n).toBe(1) // joined the formerly resumed execution
    journal.append(2)
    expect(await seqs(fresh, 2)).toEqual([6, 7])
    expect(await seqs(resumed, 2)).toEqual([6, 7])
    await resumed.return!()
    await fresh.return!()
  })

  it('a resumed subscription that overtakes a held-up shared execution skips what it already got when it merges', async () => {
    const journal = fakeJournal()
    // batches of 2 (bufferSize / 4); a full subscriber holds the shared execution back for up to 10 s
    const shared = createSharedSubscriptions({ metrics: createMetrics(), recentResults: 0, bufferSize: 8, overflowGraceMs: 10_000, streamOf: streamOf() })
    journal.append(5)
    const fresh = await subscribe(shared.plugin, journal.subscribeFn, resumable, { after: null }, {})
    journal.append(8) // 6..13 fill the non-reading subscriber's queue
    await new Promise((resolve) => setTimeout(resolve, 50))
    journal.append(2) // 14, 15: the shared execution holds them, waiting for room
    const resumed = await subscribe(shared.plugin, journal.subscribeFn, resumable, { after: '10' }, {})
    expect(await seqs(resumed, 4)).toEqual([11, 12, 13, 14]) // replayed alone; merged after handing over 13-14
    expect(await seqs(fresh, 8)).toEqual([6, 7, 8, 9, 10, 11, 12, 13])
    expect(await seqs(resumed, 1)).toEqual([15]) // 14 came again from the shared execution and was skipped
    expect(await seqs(fresh, 2)).toEqual([14, 15])
    expect(shared.stats()).toEqual({ subscribers: 2, executions: 1 })
    await resumed.return!()
    await fresh.return!()
  })

  it("serves a resume from the shared execution's recent results when they cover its cursor, else replays it", async () => {
    const journal = fakeJournal()
    const shared = createSharedSubscriptions({ metrics: createMetrics(), recentResults: 3, streamOf: streamOf(0) })
    journal.append(5)
    const fresh = await subscribe(shared.plugin, journal.subscribeFn, resumable, { after: null }, {})
    journal.append(4)
    expect(await seqs(fresh, 4)).toEqual([6, 7, 8, 9]) // it keeps 7, 8, 9: a resume after 6 or later needs nothing else
    const recentResume = await subscribe(shared.plugin, journal.subscribeFn, resumable, { after: '6' }, {})
    expect(journal.executions.n).toBe(1)
    expect(await seqs(recentResume, 3)).toEqual([7, 8, 9])
    const oldResume = await subscribe(shared.plugin, journal.subscribeFn, resumable, { after: '4' }, {}) // 5, 6 are gone
    expect(journal.executions.n).toBe(2)
    expect(await seqs(oldResume, 5)).toEqual([5, 6, 7, 8, 9])
    journal.append(1)
    for (const it of [fresh, recentResume, oldResume]) expect(await seqs(it, 1)).toEqual([10])
    expect(shared.stats()).toEqual({ subscribers: 3, executions: 1 })
    for (const it of [fresh, recentResume, oldResume]) await it.return!()
  })

  it('runs resumed subscriptions alone while they catch up, and refuses one beyond the limit', async () => {
    const shared = createSharedSubscriptions({ metrics: createMetrics(), maxSubscriptions: 2, streamOf: () => undefined })
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
