/**
 * `npm run bench:subscribers -- --subscribers 1000 --rate 100 --seconds 20` — live delivery at scale.
 * A gateway process (`sign-indexer serve`) and an indexer process (`sign-indexer index`, confirmations 0) share a
 * fresh PostgreSQL database and are woken by PostgreSQL NOTIFY. N subscribers (half SSE, half graphql-ws, one
 * connection each) follow `attestationEvents(kinds: [CREATED])` while the devnet produces M attestations/s
 * (`attestBatch` every 100 ms). Prints delivery latency p50/p99 (transaction sent → event received by the client,
 * so it includes mining, indexing and fan-out), events lost (expected × subscribers − received; must be 0), and
 * the gateway's peak RSS (VmHWM). Prints figures; asserts nothing.
 *
 * Head → subscriber: the bench follows anvil's `newHeads` itself (the time each block's header reaches it stands for
 * "block mined"), listens on the journal's PostgreSQL channel, and reads the indexer's debug log; every sampled
 * delivery is split into stages: tx sent → block mined → indexer woken by the head (`New head` log, only with
 * `--ws-heads`) → range committed (`Committed range` log) → journal NOTIFY heard → subscriber received. Printed per
 * transport. `--transport sse` puts every subscriber on SSE; `--ws-heads` gives the indexer the devnet's ws URL
 * (newHeads), `--poll-interval` its poll interval (default 100 ms); `--tick` the time between blocks (default 100 ms).
 *
 * `--hostile`: the journal is first filled with `--backlog` attestations; halfway through production one hostile
 * client (hostileClient.ts) opens `--hostile-filters` distinct attester filters over `--hostile-connections`
 * graphql-ws connections and `--hostile-replays` SSE replays from `after: "0"`. Printed per phase (before / while
 * hostile): the well-behaved subscribers' delivery latency, an ordinary query's latency (`attestation(id)` every
 * 100 ms) and `/healthz` latency. `--seed` seeds the hostile client's filters (printed).
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { performance } from 'node:perf_hooks'
import { Command } from 'commander'
import { execFileSync, spawn } from 'node:child_process'
import { request as httpRequest } from 'node:http'
import pg from 'pg'
import WebSocket from 'ws'
import { createDb } from '../../src/db/createDb.js'
import { createDevClients, createSpWriter, schemaJson, SCORE_FIELDS, startDevnet, tupleScore } from '../../src/devnet/index.js'
import { createTestDatabase } from '../helpers/database.js'
import { createTruthClient } from '../helpers/groundTruth.js'
import { spawnGateway, spawnIndexer, writeChainConfig } from '../helpers/indexerProcess.js'
import { describeLatencies, type HostileClient, type Probe, startHostileClient, startProbe } from './hostileClient.js'

const opts = new Command('bench-subscribers')
  .option('--subscribers <n>', 'concurrent subscribers (half SSE, half graphql-ws)', '1000')
  .option('--rate <n>', 'attestations per second produced', '100')
  .option('--seconds <n>', 'production time', '20')
  .option('--reconnect <fraction>', 'halfway through production, drop this fraction of the connections at once (they resume after their cursor)', '0')
  .option('--hostile', 'halfway through production, add one hostile client (many distinct filters, replays from "0")')
  .option('--hostile-filters <n>', 'distinct attester filters the hostile client opens', '3000')
  .option('--hostile-connections <n>', 'graphql-ws connections carrying them', '30')
  .option('--hostile-replays <n>', 'SSE replays from after: "0" (half read, half never read)', '50')
  .option('--backlog <n>', 'attestations in the journal before subscribers attach (hostile mode)', '3000')
  .option('--seed <n>', 'seed of the hostile client', String(Date.now() % 1_000_000))
  .option('--transport <kind>', 'subscribers over "both" (half SSE, half graphql-ws), "sse" or "ws"', 'both')
  .option('--ws-heads', "give the indexer the devnet's ws URL (follows newHeads)")
  .option('--poll-interval <ms>', "the indexer's pollIntervalMs", '100')
  .option('--tick <ms>', 'one attestBatch (one block) every this many ms (default 100: 10 blocks/s)', '100')
  .parse()
  .opts()
const N = Number(opts.subscribers)
const RATE = Number(opts.rate)
const SECONDS = Number(opts.seconds)
const RECONNECT = Number(opts.reconnect)
const HOSTILE = Boolean(opts.hostile)
const TRANSPORT = String(opts.transport)
if (!['both', 'sse', 'ws'].includes(TRANSPORT)) throw new Error('--transport is both, sse or ws')
/** subscriber i uses SSE (else graphql-ws) */
const isSse = (i: number) => (TRANSPORT === 'both' ? i % 2 === 0 : TRANSPORT === 'sse')
const QUERY =
  'subscription($c: Int, $after: String) { attestationEvents(where: { chainId: $c, kinds: [CREATED] }, after: $after) { cursor attestation { indexingKey blockNumber } } }'

const devnet = await startDevnet({ port: 0 })
const writer = createSpWriter(await createDevClients(devnet.rpcUrl), devnet.address)
const schemaId = await writer.register(1, { data: schemaJson('load', 'subscriber load', SCORE_FIELDS) })
const database = await createTestDatabase('subscribers')
await (await createDb({ databaseUrl: database.url })).close()
const dir = await mkdtemp(join(tmpdir(), 'sign-subs-'))
const startBlock = (await createTruthClient(devnet.rpcUrl).getBlockNumber({ cacheTime: 0 })) + 1n
const config = await writeChainConfig(join(dir, 'chain.json'), {
  rpcUrl: devnet.rpcUrl,
  chainId: devnet.chainId,
  contract: devnet.address,
  startBlock,
  maxBlockRange: 50,
  pollIntervalMs: Number(opts.pollInterval),
  ...(opts.wsHeads && { wsUrl: devnet.wsUrl }),
})
const epochNow = () => performance.timeOrigin + performance.now()
// stage clocks (epoch ms, same machine): block header seen by the bench, head seen / range committed by the indexer
// (its debug log), journal NOTIFY heard (the gateway's channel)
const minedAt = new Map<bigint, number>()
const headSeenAt = new Map<bigint, number>()
const committedAt = new Map<bigint, number>()
const notified: { seq: bigint; at: number }[] = []
/** the indexer's commit time of each range (its debug log) */
const commitMs: number[] = []
const headsSocket = new WebSocket(devnet.wsUrl)
headsSocket.on('open', () => headsSocket.send('{"jsonrpc":"2.0","id":1,"method":"eth_subscribe","params":["newHeads"]}'))
headsSocket.on('message', (raw) => {
  const at = epochNow()
  const number = /"number":"(0x[0-9a-f]+)"/.exec(raw.toString())?.[1]
  if (number && !minedAt.has(BigInt(number))) minedAt.set(BigInt(number), at)
})
const listen = new pg.Client({ connectionString: database.url })
await listen.connect()
listen.on('notification', (n) => n.channel === 'sign_indexer_journal' && notified.push({ seq: BigInt(n.payload ?? '0'), at: epochNow() }))
await listen.query('LISTEN sign_indexer_journal')
const args = ['--pubsub', 'postgres']
const gateway = spawnGateway(database.url, args)
const indexer = spawnIndexer(config, database.url, [...args, '--log-level', 'debug'])
createInterface({ input: indexer.child.stdout! }).on('line', (line) => {
  if (line.includes('"msg":"Committed range"')) {
    const at = Number(/"time":(\d+)/.exec(line)?.[1])
    const from = BigInt(/"from_block":(\d+)/.exec(line)?.[1] ?? 0)
    const to = BigInt(/"to_block":(\d+)/.exec(line)?.[1] ?? -1)
    for (let b = from; b <= to; b++) if (!committedAt.has(b)) committedAt.set(b, at)
    commitMs.push(Number(/"commit_ms":(\d+)/.exec(line)?.[1] ?? Number.NaN))
  } else if (line.includes('"msg":"New head"')) {
    const b = BigInt(/"block_number":(\d+)/.exec(line)?.[1] ?? 0)
    if (!headSeenAt.has(b)) headSeenAt.set(b, Number(/"time":(\d+)/.exec(line)?.[1]))
  }
})
await Promise.all([gateway.ready, indexer.ready])
const url = gateway.url()
let probeId = ''
if (HOSTILE) {
  const backlog = Number(opts.backlog)
  const seeded = performance.now()
  let first: bigint | undefined
  for (let k = 0; k < backlog; k += 100) {
    const keys = Array.from({ length: Math.min(100, backlog - k) }, (_, j) => `backlog-${k + j}`)
    const ids = await writer.attestBatch(
      1 + ((k / 100) % 4),
      keys.map((key) => ({ schemaId, data: tupleScore(key, 1n) })),
      keys,
    )
    first ??= ids[0]
  }
  probeId = `onchain_evm_${devnet.chainId}_0x${first!.toString(16)}`
  const seq = async () => Number(/^sign_indexer_journal_seq (\S+)$/m.exec(await fetch(url.replace(/\/graphql$/, '/metrics')).then((r) => r.text()))?.[1] ?? 0)
  while ((await seq()) < backlog) await new Promise((r) => setTimeout(r, 500))
  console.log(`  backlog: ${backlog} attestations in the journal after ${((performance.now() - seeded) / 1_000).toFixed(1)} s; hostile seed ${opts.seed}`)
}

const sentAt = new Map<string, number>()
/** per subscriber: events received, last cursor, duplicates / out-of-order cursors seen, resubscriptions */
const received: number[] = new Array(N).fill(0)
/** how far each subscriber's current attempt got: 0 connecting, 1 connected, 2 subscription open (SSE headers / graphql-ws ack) */
const stage: number[] = new Array(N).fill(0)
const lastCursor: (bigint | undefined)[] = new Array(N).fill(undefined)
let duplicates = 0
let resumes = 0
let overflows = 0
let errors = 0
const latencies: number[] = []
/** sampled deliveries: the event's block and seq, when received, over SSE or not */
const samples: { block: bigint; seq: bigint; sent: number; received: number; sse: boolean }[] = []
/** hostile mode: when the hostile client started (epoch ms; deliveries of txs sent after it are "while hostile") */
let hostileSince = Number.POSITIVE_INFINITY
const hostileLatencies: number[] = []
const KEY = /"indexingKey":"([^"]+)"/
const BLOCK = /"blockNumber":"(\d+)"/
const CURSOR = /"cursor":"(\d+)"/
/** One `next` payload (JSON text). Cheap on purpose: 10,000 subscribers at 100 events/s is a million a second. */
const onPayload = (i: number, json: string): boolean => {
  if (json.includes('"errors"')) {
    const parsed = JSON.parse(json) as { errors?: { extensions?: { code?: string; cursor?: string } }[] }
    const error = parsed.errors?.[0]
    if (error?.extensions?.code === 'SUBSCRIPTION_OVERFLOW') overflows++
    else {
      errors++
      console.error(`subscriber ${i}: ${json.slice(0, 300)}`)
    }
    return false // the stream ends after an error; the client resumes from its last cursor
  }
  const cursor = BigInt(CURSOR.exec(json)?.[1] ?? '-1')
  const previous = lastCursor[i]
  if (previous !== undefined && cursor <= previous) {
    duplicates++
    return true
  }
  lastCursor[i] = cursor
  received[i]!++
  if (i % 10 === 0) {
    const sent = sentAt.get(KEY.exec(json)?.[1] ?? '')
    const now = epochNow()
    if (sent !== undefined) (sent >= hostileSince ? hostileLatencies : latencies).push(now - sent)
    if (sent !== undefined && sent < hostileSince) samples.push({ block: BigInt(BLOCK.exec(json)?.[1] ?? 0), seq: cursor, sent, received: now, sse: isSse(i) })
  }
  return true
}
const body = (i: number) =>
  JSON.stringify({ query: QUERY, variables: { c: devnet.chainId, after: lastCursor[i] === undefined ? null : String(lastCursor[i]) } })
const wsUrl = new URL(url.replace('http', 'ws'))
const closers: (() => void)[] = []
const reconnectors: (() => void)[] = []
const attempt: number[] = new Array(N).fill(0)
const resuming: boolean[] = new Array(N).fill(false)
let closing = false

/** SSE over node:http: frames split on a blank line, `data:` taken as is (yoga sends one data line per event). */
function subscribeSse(i: number) {
  const mine = ++attempt[i]!
  stage[i] = 0
  const request = httpRequest(
    url,
    { method: 'POST', agent: false, headers: { 'content-type': 'application/json', accept: 'text/event-stream' } },
    (response) => {
      stage[i] = 2
      response.setEncoding('utf8')
      let buffer = ''
      let ended = false
      response.on('data', (chunk: string) => {
        buffer += chunk
        let split: number
        while ((split = buffer.indexOf('\n\n')) >= 0) {
          const frame = buffer.slice(0, split)
          buffer = buffer.slice(split + 2)
          const data = frame.indexOf('data: {')
          if (data >= 0 && !ended && !onPayload(i, frame.slice(data + 6))) ended = true
        }
      })
      response.on('end', () => resume(i, mine, subscribeSse))
      response.on('error', () => {})
    },
  )
  request.on('error', (error) => {
    if (!closing && attempt[i] === mine) console.error(`SSE subscriber ${i}: ${String(error)}`)
    resume(i, mine, subscribeSse, true)
  })
  request.on('socket', (socket) => socket.once('connect', () => (stage[i] = Math.max(stage[i]!, 1))))
  request.end(body(i))
  closers[i] = () => request.destroy()
  reconnectors[i] = () => (request.destroy(), resume(i, mine, subscribeSse))
}

/** graphql-ws (graphql-transport-ws) over `ws`: init, subscribe, read Next messages as text. */
function subscribeWs(i: number) {
  const mine = ++attempt[i]!
  const socket = new WebSocket(wsUrl, 'graphql-transport-ws')
  let ended = false
  stage[i] = 0
  socket.on('open', () => {
    stage[i] = 1
    socket.send('{"type":"connection_init"}')
  })
  socket.on('message', (raw) => {
    const text = raw.toString()
    if (text.startsWith('{"id":"1","type":"next"')) {
      if (!ended && !onPayload(i, text.slice(text.indexOf('"payload":') + 10, -1))) ended = true
    } else if (text.includes('"connection_ack"')) (stage[i] = 2), socket.send(JSON.stringify({ id: '1', type: 'subscribe', payload: JSON.parse(body(i)) }))
    else if (text.includes('"type":"complete"')) socket.close()
    else if (text.includes('"type":"error"')) {
      errors++
      console.error(`graphql-ws subscriber ${i}: ${text.slice(0, 300)}`)
    }
  })
  socket.on('close', () => resume(i, mine, subscribeWs))
  socket.on('error', (error) => {
    if (!closing && attempt[i] === mine) console.error(`graphql-ws subscriber ${i}: ${String(error)}`)
  })
  closers[i] = () => socket.terminate()
  reconnectors[i] = () => socket.terminate() // its close event resumes
}

/**
 * A production client resumes after its last cursor when its stream ends (overflow, disconnect). `mine` is the
 * attempt that ended: a late event of an attempt already replaced starts nothing.
 */
function resume(i: number, mine: number, subscribe: (i: number) => void, failed = false) {
  if (closing || attempt[i] !== mine || resuming[i]) return
  resuming[i] = true
  setTimeout(() => ((resuming[i] = false), subscribe(i)), failed ? 500 : 50 + Math.random() * 200)
  resumes++
}

for (let i = 0; i < N; i++) {
  if (isSse(i)) subscribeSse(i)
  else subscribeWs(i)
  if (i % 200 === 199) await new Promise((r) => setTimeout(r, 50)) // do not SYN-flood our own gateway
}
// production starts once the gateway serves every subscription (a late subscriber would miss the first events)
const metric = async (name: string) => {
  const text = await fetch(url.replace(/\/graphql$/, '/metrics'))
    .then((r) => r.text())
    .catch(() => '')
  return Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1] ?? 0)
}
const attachStarted = performance.now()
while ((await metric('sign_indexer_live_subscribers')) < N && performance.now() - attachStarted < 300_000) await new Promise((r) => setTimeout(r, 500))
console.log(`  ${await metric('sign_indexer_live_subscribers')} subscriptions attached after ${((performance.now() - attachStarted) / 1_000).toFixed(1)} s`)

/** CPU seconds used so far by every process of these names (`ps -C … -o times=`), and by this process */
const cpuNow = () => {
  const of = (...args: string[]) => {
    try {
      return execFileSync('ps', [...args, '-o', 'times='], { encoding: 'utf8' })
        .split('\n')
        .filter(Boolean)
        .reduce((sum, t) => sum + Number(t), 0)
    } catch {
      return 0 // ps exits 1 when no process matches
    }
  }
  const usage = process.cpuUsage()
  return {
    gateway: of('-p', String(gateway.child.pid)),
    indexer: of('-p', String(indexer.child.pid)),
    anvil: of('-C', 'anvil'),
    postgres: of('-C', 'postgres'),
    clients: (usage.user + usage.system) / 1e6,
  }
}
const cpuBefore = cpuNow()
// the offered load comes from its own process (see produceLoad.ts): the subscriber sockets here cannot delay it
const productionStarted = performance.now()
const producer = spawn(
  process.execPath,
  [
    '--import',
    'tsx',
    join(dirname(fileURLToPath(import.meta.url)), 'produceLoad.ts'),
    '--rpc',
    devnet.rpcUrl,
    '--contract',
    devnet.address,
    '--schema',
    String(schemaId),
    '--rate',
    String(RATE),
    '--seconds',
    String(SECONDS),
    '--tick',
    String(opts.tick),
  ],
  { stdio: ['ignore', 'pipe', 'inherit'] },
)
let produced = 0
let skippedTicks = 0
// a reconnect wave: every k-th connection dropped at once, halfway through production
const wave =
  RECONNECT > 0
    ? setTimeout(
        () => {
          const step = Math.max(1, Math.round(1 / RECONNECT))
          let dropped = 0
          for (let i = 0; i < N; i += step) reconnectors[i]?.(), dropped++
          console.log(`  reconnect wave: dropped ${dropped} connections`)
        },
        (SECONDS * 1_000) / 2,
      )
    : undefined
let hostile: HostileClient | undefined
const probes: { name: string; probe: Probe }[] = []
const hostileTimer = HOSTILE
  ? setTimeout(
      () => {
        hostileSince = performance.timeOrigin + performance.now()
        hostile = startHostileClient({
          url,
          chainId: devnet.chainId,
          filters: Number(opts.hostileFilters),
          connections: Number(opts.hostileConnections),
          replays: Number(opts.hostileReplays),
          seed: Number(opts.seed),
          restartAfter: Number(opts.backlog),
        })
        console.log(
          `  hostile client started: ${opts.hostileFilters} distinct filters over ${opts.hostileConnections} connections, ${opts.hostileReplays} replays from "0"`,
        )
      },
      (SECONDS * 1_000) / 2,
    )
  : undefined
if (HOSTILE) {
  const phase = () => (hostile ? 'hostile' : 'calm')
  const graphqlProbe = () =>
    fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: `{ attestation(id: "${probeId}") { id attester } }` }),
      signal: AbortSignal.timeout(120_000),
    }).then((r) => r.json())
  const healthProbe = () => fetch(url.replace(/\/graphql$/, '/healthz'), { signal: AbortSignal.timeout(120_000) }).then((r) => r.text())
  probes.push({ name: 'query attestation(id)', probe: startProbe(graphqlProbe, phase) }, { name: '/healthz', probe: startProbe(healthProbe, phase) })
}
for await (const line of createInterface({ input: producer.stdout! })) {
  const [what, a, b, c] = line.split(' ')
  if (what === 'sent') for (let k = 0; k < Number(b); k++) sentAt.set(`load-${Number(a) + k}`, Number(c))
  else if (what === 'done') [produced, skippedTicks] = [Number(a), Number(b)]
}
const productionEnded = performance.now()
clearTimeout(hostileTimer)
for (const { probe } of probes) probe.stop()
const hostileStats = hostile?.stats()
hostile?.stop()
// wait while deliveries progress (a saturated gateway delivers late, not never); give up after 30 s without progress
let total = received.reduce((a, b) => a + b, 0)
let lastProgress = Date.now()
while (total < produced * N && Date.now() - lastProgress < 30_000) {
  await new Promise((r) => setTimeout(r, 500))
  const now = received.reduce((a, b) => a + b, 0)
  if (now > total) lastProgress = Date.now()
  total = now
}
const drainSeconds = (performance.now() - productionEnded) / 1_000
const cpuAfter = cpuNow()
const cpuUsed = Object.entries(cpuAfter)
  .map(([name, seconds]) => `${name} ${(seconds - cpuBefore[name as keyof typeof cpuBefore]).toFixed(0)} s`)
  .join(', ')

// what the gateway itself says (journal position, subscriptions, overflows) and how much CPU it used
const metrics = await fetch(url.replace(/\/graphql$/, '/metrics'))
  .then((r) => r.text())
  .catch(() => '')
const pick = (name: string) =>
  metrics
    .split('\n')
    .filter((l) => l.startsWith(name))
    .join('; ')
const stat = (await readFile(`/proc/${gateway.child.pid}/stat`, 'utf8').catch(() => '')).split(' ')
clearTimeout(wave)
console.log(
  `  gateway: ${pick('sign_indexer_journal_seq')} | ${pick('sign_indexer_live_subscribers')} | ${pick('sign_indexer_subscription_executions')} | ${pick('sign_indexer_subscription_overflows_total')} | CPU ${((Number(stat[13]) + Number(stat[14])) / 100).toFixed(1)} s`,
)
const status = await readFile(`/proc/${gateway.child.pid}/status`, 'utf8').catch(() => '')
const gatewayPeakMiB = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024
const lost = received.reduce((sum, n) => sum + Math.max(0, produced - n), 0)
latencies.sort((a, b) => a - b)
const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * p))] ?? Number.NaN
console.log(
  `\nSubscribers: ${N} (${received.filter((_, i) => isSse(i)).length} SSE, ${received.filter((_, i) => !isSse(i)).length} graphql-ws); indexer ${opts.wsHeads ? 'newHeads over ws +' : 'polling only,'} pollIntervalMs ${opts.pollInterval}; a block every ${opts.tick} ms; produced ${produced} attestations in ${SECONDS} s (offered ${RATE}/s; ${skippedTicks} ticks skipped with every producer busy)`,
)
console.log(`  delivery latency (tx sent → client received): p50 ${pct(0.5).toFixed(0)} ms, p99 ${pct(0.99).toFixed(0)} ms (${latencies.length} samples)`)
console.log(
  `  events lost: ${lost} of ${produced * N}; duplicates: ${duplicates}; subscriber errors: ${errors}; overflows: ${overflows}; resubscriptions: ${resumes}`,
)
console.log(
  `  last delivery ${drainSeconds.toFixed(1)} s after production ended; ${(total / ((performance.now() - productionStarted) / 1_000)).toFixed(0)} deliveries/s overall`,
)
console.log(`  gateway peak RSS (VmHWM): ${gatewayPeakMiB.toFixed(0)} MiB`)
console.log(`  CPU used from production start to last delivery (${((performance.now() - productionStarted) / 1_000).toFixed(0)} s on 2 cores): ${cpuUsed}`)
// head block → subscriber, by stage (each stage's p50/p99 over the sampled deliveries that have both ends)
{
  const p = (xs: number[], q: number) => xs[Math.min(xs.length - 1, Math.floor(xs.length * q))] ?? Number.NaN
  const fmt = (xs: number[]) => (xs.sort((a, b) => a - b), `p50 ${p(xs, 0.5).toFixed(0)} ms, p99 ${p(xs, 0.99).toFixed(0)} ms (${xs.length})`)
  const notifiedAt = (seq: bigint) => notified.find((n) => n.seq >= seq)?.at
  for (const sse of [true, false]) {
    const mine = samples.filter((s) => s.sse === sse)
    if (!mine.length) continue
    const stage = (from: (s: (typeof mine)[number]) => number | undefined, to: (s: (typeof mine)[number]) => number | undefined) =>
      fmt(
        mine.flatMap((s) => {
          const [a, b] = [from(s), to(s)]
          return a === undefined || b === undefined ? [] : [b - a]
        }),
      )
    const mined = (s: (typeof mine)[number]) => minedAt.get(s.block)
    const seen = (s: (typeof mine)[number]) => headSeenAt.get(s.block)
    const committed = (s: (typeof mine)[number]) => committedAt.get(s.block)
    const heard = (s: (typeof mine)[number]) => notifiedAt(s.seq)
    console.log(`  ${sse ? 'SSE' : 'graphql-ws'} head block → subscriber received: ${stage(mined, (s) => s.received)}`)
    console.log(`    tx sent → block mined (bench's newHeads):        ${stage((s) => s.sent, mined)}`)
    if (headSeenAt.size) {
      console.log(`    block mined → indexer woken by the head:         ${stage(mined, seen)}`)
      console.log(`    indexer woken → range committed:                 ${stage(seen, committed)}`)
    }
    console.log(`    block mined → range committed:                   ${stage(mined, committed)}`)
    if (sse || !samples.some((x) => x.sse))
      console.log(`      (the indexer's commits: ${commitMs.length} ranges, commit_ms ${fmt(commitMs.filter((x) => !Number.isNaN(x)))})`)
    console.log(`    range committed → journal NOTIFY heard:          ${stage(committed, heard)}`)
    console.log(`    NOTIFY heard → subscriber received:              ${stage(heard, (s) => s.received)}`)
  }
}
for (const [name, sse] of [
  ['SSE', true],
  ['graphql-ws', false],
] as const) {
  const mine = received.filter((_, i) => isSse(i) === sse)
  const complete = mine.filter((n) => n >= produced).length
  const none = mine.filter((n) => n === 0).length
  if (!mine.length) continue
  const stages = [0, 1, 2].map((k) => received.filter((n, i) => isSse(i) === sse && n === 0 && stage[i] === k).length)
  console.log(
    `  ${name}: ${complete} subscribers got every event, ${mine.length - complete - none} some, ${none} none (of which ${stages[0]} still connecting, ${stages[1]} connected but not subscribed, ${stages[2]} subscribed)`,
  )
}
if (HOSTILE) {
  hostileLatencies.sort((a, b) => a - b)
  console.log(`  hostile mode (seed ${opts.seed}): ${JSON.stringify(hostileStats)}`)
  console.log(`    delivery latency before the hostile client: ${describeLatencies(latencies)}`)
  console.log(`    delivery latency while hostile:             ${describeLatencies(hostileLatencies)}`)
  const gatewayErrors = gateway
    .output()
    .split('\n')
    .filter((l) => /"level":(50|60)/.test(l))
  if (gatewayErrors.length)
    console.log(
      `    gateway errors (${gatewayErrors.length}, last 3):\n${gatewayErrors
        .slice(-3)
        .map((l) => `      ${l.slice(0, 600)}`)
        .join('\n')}`,
    )
  for (const { name, probe } of probes)
    for (const phase of ['calm', 'hostile'])
      console.log(
        `    ${name} ${phase === 'calm' ? 'before the hostile client' : 'while hostile'}: ${describeLatencies(probe.samples(phase), probe.timeouts(phase))}`,
      )
}
console.log(
  JSON.stringify({
    subscribers: N,
    rate: RATE,
    produced,
    p50: pct(0.5),
    p99: pct(0.99),
    lost,
    duplicates,
    errors,
    overflows,
    resumes,
    drainSeconds,
    gatewayPeakMiB,
  }),
)

closing = true
headsSocket.terminate()
await listen.end()
for (const close of closers) close()
gateway.child.kill('SIGTERM')
indexer.child.kill('SIGTERM')
await Promise.all([gateway.exited, indexer.exited])
await database.drop()
await devnet.stop()
await rm(dir, { recursive: true, force: true })
process.exit(0)
