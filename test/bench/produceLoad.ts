/**
 * The offered load of bench:subscribers, in its own process so that thousands of subscriber sockets in the bench
 * process cannot delay it: every `--tick` ms (default 100) one `attestBatch` of rate × tick / 1000 attestations, from whichever of four dev
 * accounts has none in flight (a batch waits for its receipt; under load that takes longer than a tick).
 * stdout, one line each: `sent <firstKeyNumber> <count> <epochMs>` just before a batch is sent (keys are
 * `load-<n>`, also the indexing keys), then `done <produced> <skippedTicks>` once every batch has its receipt.
 */
import { Command } from 'commander'
import { createDevClients, createSpWriter, tupleScore } from '../../src/devnet/index.js'

const opts = new Command('produce-load')
  .requiredOption('--rpc <url>')
  .requiredOption('--contract <address>')
  .requiredOption('--schema <id>')
  .option('--rate <n>', 'attestations per second', '100')
  .option('--tick <ms>', 'one attestBatch (one block on an automining anvil) every this many ms', '100')
  .option('--seconds <n>', 'production time', '20')
  .parse()
  .opts()
const writer = createSpWriter(await createDevClients(opts.rpc), opts.contract)
const schemaId = BigInt(opts.schema)
const PRODUCERS = [1, 2, 3, 4]
const TICK_MS = Number(opts.tick)
const perTick = Math.max(1, Math.round((Number(opts.rate) * TICK_MS) / 1_000))
const end = Date.now() + Number(opts.seconds) * 1_000
const epochMs = () => performance.timeOrigin + performance.now()
let produced = 0
let offered = 0
let skippedTicks = 0
const busy = new Set<number>()
const inFlight = new Set<Promise<void>>()
for (let tick = Date.now(); tick < end; tick += TICK_MS) {
  const account = PRODUCERS.find((a) => !busy.has(a))
  if (account === undefined) skippedTicks++
  else {
    const first = offered
    const keys = Array.from({ length: perTick }, (_, k) => `load-${first + k}`)
    offered += perTick
    busy.add(account)
    process.stdout.write(`sent ${first} ${perTick} ${epochMs()}\n`)
    const batch = writer
      .attestBatch(
        account,
        keys.map((key) => ({ schemaId, data: tupleScore(key, 1n) })),
        keys,
      )
      .then((ids) => void (produced += ids.length))
      .catch((error) => console.error('attestBatch failed:', String(error)))
      .finally(() => {
        busy.delete(account)
        inFlight.delete(batch)
      })
    inFlight.add(batch)
  }
  await new Promise((r) => setTimeout(r, Math.max(0, tick + TICK_MS - Date.now())))
}
await Promise.all(inFlight)
process.stdout.write(`done ${produced} ${skippedTicks}\n`)
process.exit(0)
