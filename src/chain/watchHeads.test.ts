import { Writable } from 'node:stream'
import { afterEach, expect, it } from 'vitest'
import { type WebSocket, WebSocketServer } from 'ws'
import { createLogger } from '../common/logger.js'
import { createMetrics } from '../common/metrics.js'
import { watchHeads } from './watchHeads.js'

const cleanups: (() => void)[] = []
afterEach(() => {
  for (const c of cleanups.splice(0)) c()
})

/** A WebSocket node that grants `newHeads` (subscription "0xs") and lets the test announce heads; `autoPong` off: silent. */
async function fakeNode(opts: { autoPong?: boolean } = {}) {
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0, autoPong: opts.autoPong ?? true })
  const sockets = new Set<WebSocket>()
  server.on('connection', (socket) => {
    sockets.add(socket)
    socket.on('message', (raw) => {
      const { id } = JSON.parse(raw.toString()) as { id: number }
      socket.send(JSON.stringify({ jsonrpc: '2.0', id, result: '0xs' }))
    })
  })
  await new Promise<void>((resolve) => server.once('listening', () => resolve()))
  cleanups.push(() => server.close())
  return {
    url: `ws://127.0.0.1:${(server.address() as { port: number }).port}`,
    announce: (number: number, hash: string) => {
      for (const s of sockets)
        s.send(
          JSON.stringify({ jsonrpc: '2.0', method: 'eth_subscription', params: { subscription: '0xs', result: { number: `0x${number.toString(16)}`, hash } } }),
        )
    },
  }
}

function start(url: string, heartbeatMs = 15_000) {
  const lines: string[] = []
  const destination = new Writable({
    write(chunk, _e, done) {
      lines.push(chunk.toString())
      done()
    },
  })
  const metrics = createMetrics()
  const watcher = watchHeads({ url, chainId: 7, logger: createLogger({ level: 'debug', destination }), pollIntervalMs: 60_000, metrics, heartbeatMs })
  cleanups.push(() => watcher.close())
  return { watcher, lines, metrics }
}

async function until(check: () => boolean) {
  for (let i = 0; i < 600 && !check(); i++) await new Promise((r) => setTimeout(r, 25))
  expect(check()).toBe(true)
}

/** `wait` settled (true) or still pending (false) after the event loop has turned a few times */
async function settled(p: Promise<void>) {
  let done = false
  void p.then(() => (done = true))
  for (let i = 0; i < 20; i++) await new Promise((r) => setTimeout(r, 10))
  return done
}

it('ends a wait on a head other than the one seen, at once when one was announced meanwhile, never on the seen one', async () => {
  const node = await fakeNode()
  const { watcher } = start(node.url)
  await until(() => watcher.mode() === 'newHeads')
  const waiting = watcher.wait({ number: 5n, hash: '0xa' }, 60_000)
  node.announce(5, '0xa') // the head the loop has already seen
  expect(await settled(waiting)).toBe(false)
  node.announce(6, '0xb')
  expect(await settled(waiting)).toBe(true)
  // a block mined between reading the head and waiting: the wait ends at once
  expect(await settled(watcher.wait({ number: 5n, hash: '0xa' }, 60_000))).toBe(true)
  // a reorg to another block at the same height wakes; an older announcement does not
  expect(await settled(watcher.wait({ number: 6n, hash: '0xc' }, 60_000))).toBe(true)
  expect(await settled(watcher.wait({ number: 7n, hash: '0xd' }, 60_000))).toBe(false)
})

it('falls back to polling when the node stops answering pings, once, and counts it', async () => {
  const node = await fakeNode({ autoPong: false })
  const { watcher, lines, metrics } = start(node.url, 100)
  await until(() => watcher.mode() === 'newHeads')
  await until(() => lines.some((l) => l.includes('newHeads unavailable (silent)')))
  expect(watcher.mode()).toBe('polling')
  const active = (await metrics.newHeadsActive.get()).values.find((v) => v.labels.chain_id === 7)?.value
  const silent = (await metrics.newHeadsFallbacks.get()).values.find((v) => v.labels.reason === 'silent')?.value
  expect({ active, silent }).toEqual({ active: 0, silent: 1 })
  // while polling, a wait is the poll interval (here: ended by close)
  const waiting = watcher.wait({ number: 1n, hash: '0x1' }, 60_000)
  expect(await settled(waiting)).toBe(false)
  watcher.close()
  expect(await settled(waiting)).toBe(true)
})
