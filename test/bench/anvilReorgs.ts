/**
 * `npx tsx test/bench/anvilReorgs.ts [anvil args…]` — does anvil keep the contract's state through many `anvil_reorg`s?
 * 80 seeded reorgs of depth 1–16 between bursts of attestations; after each, the contract's code at the head and
 * 300 blocks back must be there. Prints the first reorg after which it is not (seen: reorg 76 with the defaults;
 * none with `--prune-history 100000`, which keeps every state in memory). Prints; asserts nothing.
 */
import { createWorkload, startDevnet } from '../../src/devnet/index.js'
import { createTruthClient } from '../helpers/groundTruth.js'
import { mulberry32 } from '../helpers/faultProxy.js'
const args = process.argv.slice(2)
const devnet = await startDevnet({ port: 0, args })
const client = createTruthClient(devnet.rpcUrl)
const workload = createWorkload({ rpcUrl: devnet.rpcUrl, address: devnet.address })
await workload.seedBulk({ attestations: 2_000, perTx: 50, txPerBlock: 1 })
const random = mulberry32(5)
let lost = false
for (let i = 0; i < 80; i++) {
  await workload.seedBulk({ attestations: 50 + Math.floor(random() * 100), perTx: 10, txPerBlock: 1 })
  const depth = 1 + Math.floor(random() * 16)
  await client.request({ method: 'anvil_reorg' as never, params: [depth, []] as never })
  const head = await client.getBlockNumber({ cacheTime: 0 })
  const code = await client.getCode({ address: devnet.address }).catch((e) => `ERR ${String(e).slice(0, 80)}`)
  const old = await client
    .getCode({ address: devnet.address, blockNumber: head - 300n > devnet.deployBlock ? head - 300n : devnet.deployBlock })
    .catch((e) => `ERR ${String(e).slice(0, 80)}`)
  if (!code || code === '0x' || String(code).startsWith('ERR') || !old || old === '0x' || String(old).startsWith('ERR')) {
    console.log(`reorg ${i} depth ${depth} head ${head}: code at head ${String(code).slice(0, 20)} at head-300 ${String(old).slice(0, 40)}`)
    lost = true
    break
  }
  if (i % 10 === 0) console.log(`reorg ${i} head ${head} ok`)
}
console.log(lost ? 'anvil lost the contract state' : `anvil kept the contract state through 80 reorgs (args: ${args.join(' ') || 'none'})`)
await devnet.stop()
