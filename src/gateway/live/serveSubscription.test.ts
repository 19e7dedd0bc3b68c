import type { ExecutionResult } from 'graphql'
import { describe, expect, it } from 'vitest'
import { createMetrics } from '../../common/metrics.js'
import { createCatchUpLine } from './catchUpLine.js'
import { createExecutionRegistry } from './executionRegistry.js'
import { type Serving, serveSubscription } from './serveSubscription.js'
import type { SharedExecution } from './sharedExecution.js'

const stream = (): AsyncIterableIterator<ExecutionResult> => {
  const it: AsyncIterableIterator<ExecutionResult> = {
    [Symbol.asyncIterator]: () => it,
    next: async () => ({ done: true, value: undefined }),
    return: async () => ((returned.n += 1), { done: true, value: undefined }),
  }
  return it
}
const returned = { n: 0 }

function serving(options: { maxWaiting?: number; recent?: (after: string) => unknown } = {}) {
  const registry = createExecutionRegistry({ metrics: createMetrics() })
  const log: string[] = []
  const s: Serving = {
    registry,
    line: createCatchUpLine({ maxCatchingUp: 1, maxWaiting: options.maxWaiting ?? 10 }),
    listen: (execution, _ctx, resumed) => (log.push(`listen ${execution.key ?? 'alone'}${resumed ? ` after ${resumed.after}` : ''}`), stream()),
    start: (key, _source, _ctx, baseKey) => {
      log.push(`start ${key ?? `resumed ${baseKey}`}`)
      const execution = { key, recentAfter: options.recent ?? (() => undefined) } as unknown as SharedExecution
      registry.add(execution)
      return execution
    },
  }
  return { s, log, registry }
}

describe('serveSubscription', () => {
  it('starts an execution for the first subscriber and joins it for the next', async () => {
    const { s, log } = serving()
    let executions = 0
    const execute = () => (executions++, stream())
    await serveSubscription(s, { key: 'k', resumes: false }, {}, execute)
    await serveSubscription(s, { key: 'k', resumes: false }, {}, execute)
    expect(log).toEqual(['start k', 'listen k', 'listen k'])
    expect(executions).toBe(1)
  })

  it('serves a resume from the shared execution’s recent results, or starts a resumed execution alone', async () => {
    const { s, log } = serving({ recent: (after) => (after === '5' ? [] : undefined) })
    await serveSubscription(s, { key: 'k', resumes: false }, {}, stream)
    await serveSubscription(s, { key: 'k', resumes: true, after: '5' }, {}, stream)
    await serveSubscription(s, { key: 'k', resumes: true, after: '1' }, {}, stream)
    expect(log).toEqual(['start k', 'listen k', 'listen k after 5', 'start resumed k', 'listen alone'])
  })

  it('answers an error result as it is, and REPLAY_LIMIT when the catch-up line is full', async () => {
    const { s, log } = serving({ maxWaiting: 0 })
    const error = { errors: [] }
    expect(await serveSubscription(s, null, {}, () => error)).toBe(error)
    const refused = (await serveSubscription(s, { key: 'k', resumes: true, after: '1' }, {}, stream)) as ExecutionResult
    expect(refused.errors?.[0]?.extensions).toEqual({ code: 'REPLAY_LIMIT', scope: 'process' })
    expect(log).toEqual([])
  })

  it('joins an execution another subscriber started while this one executed, returning its own source', async () => {
    const { s, log, registry } = serving()
    const before = returned.n
    const served = serveSubscription(s, { key: 'k', resumes: false }, {}, async () => {
      registry.add({ key: 'k' } as SharedExecution) // started meanwhile
      return stream()
    })
    await served
    expect(log).toEqual(['listen k'])
    expect(returned.n).toBe(before + 1)
  })
})
