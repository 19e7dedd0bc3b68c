/**
 * `npm run bench:subscribers -- --subscribers 1000 --rate 100 --seconds 20` — live delivery at scale.
 * A gateway process (`sign-indexer serve`) and an indexer process (`sign-indexer index`, confirmations 0) share a
 * fresh PostgreSQL database and are woken by PostgreSQL NOTIFY. N subscribers (half SSE, half graphql-ws, one
 * connection each) follow `attestationEvents(kinds: [CREATED])` while the devnet produces M attestations/s
 * (`attestBatch` every 100 ms). Prints delivery latency p50/p99 (transaction sent → event received by the client,
 * so it includes mining, indexing and fan-out), events lost (expected × subscribers − received; must be 0), and
 * the gateway's peak RSS (VmHWM). Prints figures; asserts nothing.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { Command } from 'commander'
import { createClient } from 'graphql-ws'
import WebSocket from 'ws'
import { createDb } from '../../src/db/createDb.js'
import { createDevClients, createSpWriter, schemaJson, SCORE_FIELDS, startDevnet, tupleScore } from '../../src/devnet/index.js'
import { createTestDatabase } from '../helpers/database.js'
import { createTruthClient } from '../helpers/groundTruth.js'
import { spawnGateway, spawnIndexer, writeChainConfig } from '../helpers/indexerProcess.js'

const opts = new Command('bench-subscribers')
  .option('--subscribers <n>', 'concurrent subscribers (half SSE, half graphql-ws)', '1000')
  .option('--rate <n>', 'attestations per second produced', '100')
  .option('--seconds <n>', 'production time', '20')
  .parse()
  .opts()
const N = Number(opts.subscribers)
const RATE = Number(opts.rate)
const SECONDS = Number(opts.seconds)
const QUERY = 'subscription($c: Int) { attestationEvents(where: { chainId: $c, kinds: [CREATED] }) { attestationId } }'

const devnet = await startDevnet({ port: 0 })
const writer = createSpWriter(await createDevClients(devnet.rpcUrl), devnet.address)
const schemaId = await writer.register(1, { data: schemaJson('load', 'subscriber load', SCORE_FIELDS) })
const database = await createTestDatabase('subscribers')
await (await createDb({ databaseUrl: database.url })).close()
const dir = await mkdtemp(join(tmpdir(), 'sign-subs-'))
const startBlock = (await createTruthClient(devnet.rpcUrl).getBlockNumber({ cacheTime: 0 })) + 1n
const config = await writeChainConfig(join(dir, 'chain.json'), { rpcUrl: devnet.rpcUrl, chainId: devnet.chainId, contract: devnet.address, startBlock, maxBlockRange: 50 })
const args = ['--pubsub', 'postgres']
const gateway = spawnGateway(database.url, args)
const indexer = spawnIndexer(config, database.url, args)
await Promise.all([gateway.ready, indexer.ready])
const url = gateway.url()

const sentAt = new Map<string, number>()
const received: number[] = new Array(N).fill(0)
const latencies: number[] = []
const onEvent = (i: number, id: string) => {
  received[i]!++
  const sent = sentAt.get(id)
  if (sent !== undefined && i % 10 === 0) latencies.push(performance.now() - sent)
}
let errors = 0
const closers: (() => void)[] = []
for (let i = 0; i < N; i++) {
  if (i % 2 === 0) {
    const controller = new AbortController()
    closers.push(() => controller.abort())
    void fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'text/event-stream' }, body: JSON.stringify({ query: QUERY, variables: { c: devnet.chainId } }), signal: controller.signal })
      .then(async (res) => {
        let buffer = ''
        const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader()
        for (;;) {
          const { value, done } = await reader.read()
          if (done) break
          buffer += value
          let split: number
          while ((split = buffer.indexOf('\n\n')) >= 0) {
            const frame = buffer.slice(0, split)
            buffer = buffer.slice(split + 2)
            const data = frame.split('\n').filter((l) => l.startsWith('data:')).map((l) => l.slice(5)).join('')
            if (!data) continue
            const parsed = JSON.parse(data) as { data?: { attestationEvents?: { attestationId: string } }; errors?: unknown }
            if (parsed.errors) errors++
            else if (parsed.data?.attestationEvents) onEvent(i, parsed.data.attestationEvents.attestationId)
          }
        }
      })
      .catch((error) => { if (!controller.signal.aborted) { errors++; console.error('SSE subscriber failed:', String(error)) } })
  } else {
    const client = createClient({ url: url.replace('http', 'ws'), webSocketImpl: WebSocket, lazy: false, retryAttempts: 0 })
    closers.push(() => void client.dispose())
    client.subscribe<{ attestationEvents: { attestationId: string } }>({ query: QUERY, variables: { c: devnet.chainId } }, {
      next: (r) => (r.errors ? errors++ : onEvent(i, r.data!.attestationEvents.attestationId)),
      error: (e) => {
        errors++
        const close = e as { code?: number; reason?: string; message?: string }
        console.error('graphql-ws subscriber failed:', close.code !== undefined ? `close ${close.code} ${close.reason ?? ''}` : String(close.message ?? e))
      },
      complete: () => {},
    })
  }
  if (i % 200 === 199) await new Promise((r) => setTimeout(r, 50)) // do not SYN-flood our own gateway
}
await new Promise((r) => setTimeout(r, 3_000)) // let every subscription attach

const perTick = Math.max(1, Math.round(RATE / 10))
const end = Date.now() + SECONDS * 1_000
let produced = 0
while (Date.now() < end) {
  const tick = Date.now()
  const sent = performance.now()
  const ids = await writer.attestBatch(1, Array.from({ length: perTick }, (_, k) => ({ schemaId, data: tupleScore(`l${produced + k}`, 1n) })), Array.from({ length: perTick }, (_, k) => `load-${produced + k}`))
  for (const id of ids) sentAt.set(`onchain_evm_${devnet.chainId}_0x${id.toString(16)}`, sent)
  produced += ids.length
  await new Promise((r) => setTimeout(r, Math.max(0, 100 - (Date.now() - tick))))
}
const drainDeadline = Date.now() + 30_000
while (received.some((n) => n < produced) && Date.now() < drainDeadline) await new Promise((r) => setTimeout(r, 200))

// what the gateway itself says (journal position, subscriptions, overflows) and how much CPU it used
const metrics = await fetch(url.replace(/\/graphql$/, '/metrics')).then((r) => r.text()).catch(() => '')
const pick = (name: string) => metrics.split('\n').filter((l) => l.startsWith(name)).join('; ')
const stat = (await readFile(`/proc/${gateway.child.pid}/stat`, 'utf8').catch(() => '')).split(' ')
console.log(`  gateway: ${pick('sign_indexer_journal_seq')} | ${pick('sign_indexer_subscriptions_active')} | ${pick('sign_indexer_subscription_overflows_total')} | CPU ${((Number(stat[13]) + Number(stat[14])) / 100).toFixed(1)} s`)
const status = await readFile(`/proc/${gateway.child.pid}/status`, 'utf8').catch(() => '')
const gatewayPeakMiB = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024
const lost = received.reduce((sum, n) => sum + Math.max(0, produced - n), 0)
latencies.sort((a, b) => a - b)
const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * p))] ?? Number.NaN
console.log(`\nSubscribers: ${N} (${Math.ceil(N / 2)} SSE, ${Math.floor(N / 2)} graphql-ws); produced ${produced} attestations at ~${RATE}/s for ${SECONDS} s`)
console.log(`  delivery latency (tx sent → client received): p50 ${pct(0.5).toFixed(0)} ms, p99 ${pct(0.99).toFixed(0)} ms (${latencies.length} samples)`)
console.log(`  events lost: ${lost} of ${produced * N}; subscriber errors: ${errors}`)
console.log(`  gateway peak RSS (VmHWM): ${gatewayPeakMiB.toFixed(0)} MiB`)
console.log(JSON.stringify({ subscribers: N, rate: RATE, produced, p50: pct(0.5), p99: pct(0.99), lost, errors, gatewayPeakMiB }))

for (const close of closers) close()
gateway.child.kill('SIGTERM')
indexer.child.kill('SIGTERM')
await Promise.all([gateway.exited, indexer.exited])
await database.drop()
await devnet.stop()
await rm(dir, { recursive: true, force: true })
process.exit(0)
