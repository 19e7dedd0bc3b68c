import { GraphQLError } from 'graphql'
import pino from 'pino'
import { describe, expect, it } from 'vitest'
import { createResultSerializer } from './directTransports.js'
import { maskGatewayError } from '../errors.js'

/** A pino logger that keeps what it logs (level error and above). */
function capturingLogger() {
  const lines: Record<string, unknown>[] = []
  const logger = pino({ level: 'error' }, { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) })
  return { logger, lines }
}

describe('result serializer', () => {
  const coded = new GraphQLError('Subscriber fell behind', { extensions: { code: 'SUBSCRIPTION_OVERFLOW', cursor: '7' } })
  const internal = new GraphQLError('connection refused by 10.0.0.5', {
    originalError: new Error('connection refused by 10.0.0.5'),
    path: ['attestationEvents'],
  })

  it('keeps coded errors, masks the rest and logs what it masked; SSE output omits yoga-internal extensions', () => {
    const { logger, lines } = capturingLogger()
    const sse = createResultSerializer(maskGatewayError, logger, true)
    const ws = createResultSerializer(maskGatewayError, logger, false)
    const result = { data: null, errors: [coded, internal] }
    const forSse = JSON.parse(sse(result)) as { errors: { message: string; extensions?: Record<string, unknown> }[] }
    expect(forSse.errors[0]).toMatchObject({ message: 'Subscriber fell behind', extensions: { code: 'SUBSCRIPTION_OVERFLOW', cursor: '7' } })
    expect(forSse.errors[1]!.message).toBe('Unexpected error.')
    expect(forSse.errors[1]!.extensions?.unexpected).toBeUndefined()
    expect(JSON.stringify(forSse)).not.toContain('10.0.0.5')
    const forWs = JSON.parse(ws(result)) as { errors: { message: string }[] }
    expect(forWs.errors[1]!.message).toBe('Unexpected error.')
    expect(lines.filter((l) => l.msg === 'Subscription error (masked for the client)')).toHaveLength(2)
  })

  it('serializes a result once, however many subscribers ask', () => {
    const { logger, lines } = capturingLogger()
    const serialize = createResultSerializer(maskGatewayError, logger, true)
    const result = { errors: [internal] }
    const first = serialize(result)
    expect(serialize(result)).toBe(first)
    expect(lines).toHaveLength(1)
    expect(serialize({ data: { n: 1 } })).toBe('{"data":{"n":1}}')
  })
})
