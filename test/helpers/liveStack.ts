/**
 * The live stack most subscription suites need: a devnet with the real contract and one registered schema, a fresh
 * PostgreSQL database, an in-process gateway, and the real indexer following the head and notifying the gateway.
 */
import { createDb, type Db } from '../../src/db/createDb.js'
import { createDevClients, createSpWriter, type Devnet, schemaJson, SCORE_FIELDS, type SpWriter, startDevnet } from '../../src/devnet/index.js'
import { createGateway, type Gateway } from '../../src/gateway/index.js'
import { createIndexer } from '../../src/sync/createIndexer.js'
import { createTestDatabase } from './database.js'
import { devnetChain } from './runIndexerToHead.js'
import { createTestCommon } from './common.js'

export type LiveStack = { devnet: Devnet; db: Db; gateway: Gateway; writer: SpWriter; schemaId: bigint; stop(): Promise<void> }

/** @param name database name prefix and schema name; `confirmations` for the indexed chain (default 0); `onQuery` sees every Prisma query */
export async function startLiveStack(
  name: string,
  opts: { confirmations?: number; journalPollMs?: number; onQuery?: (e: { query: string; durationMs: number }) => void } = {},
): Promise<LiveStack> {
  const devnet = await startDevnet({ port: 0 })
  const writer = createSpWriter(await createDevClients(devnet.rpcUrl), devnet.address)
  const schemaId = await writer.register(1, { data: schemaJson(name, `${name} test`, SCORE_FIELDS) })
  const database = await createTestDatabase(name)
  const db = await createDb({ databaseUrl: database.url, onQuery: opts.onQuery })
  const gateway = createGateway({ prisma: db.prisma, common: createTestCommon(), journalPollMs: opts.journalPollMs ?? 100 })
  const chain = devnetChain(devnet, { pollIntervalMs: 50, ...(opts.confirmations !== undefined && { confirmations: opts.confirmations }) })
  const indexer = createIndexer({ prisma: db.prisma, writer: db.writer, chains: [chain], common: createTestCommon(), onCommit: () => gateway.journal.notify() })
  const running = indexer.run()
  return {
    devnet,
    db,
    gateway,
    writer,
    schemaId,
    async stop() {
      indexer.stop()
      await running
      await gateway.close()
      await db.close()
      await database.drop()
      await devnet.stop()
    },
  }
}
