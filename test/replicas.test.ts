/**
 * Several gateway replicas, one indexer, separate processes (the real CLI): every replica delivers every event
 * to its subscribers, woken through Redis pub/sub (`@graphql-yoga/redis-event-target`) or PostgreSQL NOTIFY.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createDb } from '../src/db/createDb.js'
import { createDevClients, createSpWriter, type Devnet, schemaJson, SCORE_FIELDS, startDevnet, tupleScore } from '../src/devnet/index.js'
import { OnAttestationCreatedDocument } from './generated/graphql.js'
import { createTestDatabase } from './helpers/database.js'
import { httpFetcher, subscribeSse } from './helpers/graphql.js'
import { createTruthClient } from './helpers/groundTruth.js'
import { type IndexerProcess, spawnGateway, spawnIndexer, writeChainConfig } from './helpers/indexerProcess.js'

let devnet: Devnet
let dir: string

beforeAll(async () => {
  devnet = await startDevnet({ port: 0 })
  dir = await mkdtemp(join(tmpdir(), 'sign-replicas-'))
})

afterAll(async () => {
  await devnet?.stop()
  if (dir) await rm(dir, { recursive: true, force: true })
})

describe.each(['redis', 'postgres'])('pubsub %s', (pubsub) => {
  it('two gateway processes both deliver every attestation created', async () => {
    const database = await createTestDatabase(`replicas_${pubsub}`)
    const procs: IndexerProcess[] = []
    try {
      await (await createDb({ databaseUrl: database.url })).close()
      // start at the current head: the devnet is shared by both cases and only this case's attestations count
      const startBlock = (await createTruthClient(devnet.rpcUrl).getBlockNumber({ cacheTime: 0 })) + 1n
      const config = await writeChainConfig(join(dir, `${pubsub}.json`), {
        rpcUrl: devnet.rpcUrl,
        chainId: devnet.chainId,
        contract: devnet.address,
        startBlock,
        maxBlockRange: 50,
      })
      const args = ['--pubsub', pubsub, ...(pubsub === 'redis' ? ['--redis-url', 'redis://127.0.0.1:6379'] : [])]
      const gateways = [spawnGateway(database.url, args), spawnGateway(database.url, args)]
      procs.push(...gateways)
      await Promise.all(gateways.map((g) => g.ready))
      for (const g of gateways) if (!g.url()) throw new Error(`gateway did not start: ${g.output()}`)
      const indexer = spawnIndexer(config, database.url, args)
      procs.push(indexer)
      await indexer.ready
      const subscriptions = await Promise.all(
        gateways.map((g) => subscribeSse(httpFetcher(g.url()), OnAttestationCreatedDocument, { where: { chainId: devnet.chainId } })),
      )

      const writer = createSpWriter(await createDevClients(devnet.rpcUrl), devnet.address)
      const schemaId = await writer.register(3, { data: schemaJson(`replicas-${pubsub}`, 'replica test', SCORE_FIELDS) })
      const ids: string[] = []
      for (let i = 0; i < 5; i++) {
        const id = await writer.attest(3, { schemaId, data: tupleScore(`r${i}`, BigInt(i)) }, `replica-${i}`)
        ids.push(`onchain_evm_${devnet.chainId}_0x${id.toString(16)}`)
      }
      for (const sub of subscriptions) {
        const received: string[] = []
        while (received.length < ids.length) {
          const event = await sub.next(30_000)
          expect(event.errors).toBeUndefined()
          received.push(event.data!.attestationCreated!.id)
        }
        expect(received).toEqual(ids)
        sub.close()
      }
    } finally {
      for (const p of procs) p.child.kill('SIGTERM')
      await Promise.all(procs.map((p) => p.exited))
      await database.drop()
    }
  }, 120_000)
})
