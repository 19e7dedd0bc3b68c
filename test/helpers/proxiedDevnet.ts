/**
 * The set-up of the suites that run the real CLI against a devnet through the fault proxy: anvil with the real
 * contract and the scenario workload, an empty migrated PostgreSQL database, and a fault proxy in front of the
 * devnet that passes everything until a test changes its rates or target.
 */
import { createDb } from '../../src/db/createDb.js'
import { createWorkload, type Devnet, startDevnet } from '../../src/devnet/index.js'
import { createTestDatabase, type TestDatabase } from './database.js'
import { createFaultProxy, type FaultProxy } from './faultProxy.js'

export type ProxiedDevnet = { devnet: Devnet; database: TestDatabase; proxy: FaultProxy; stop(): Promise<void> }

/**
 * @param prefix the test database's name prefix (see `createTestDatabase`)
 * @param seed the fault proxy's seed
 * @returns the three parts and `stop()`, which closes the proxy, drops the database and stops anvil
 */
export async function startProxiedDevnet(prefix: string, seed: number): Promise<ProxiedDevnet> {
  const devnet = await startDevnet({ port: 0 })
  await createWorkload({ rpcUrl: devnet.rpcUrl, address: devnet.address }).seedScenario()
  const database = await createTestDatabase(prefix)
  await (await createDb({ databaseUrl: database.url })).close() // migrate once
  const proxy = await createFaultProxy({ target: devnet.rpcUrl, seed, rates: {} })
  return {
    devnet,
    database,
    proxy,
    stop: async () => {
      await proxy.close()
      await database.drop()
      await devnet.stop()
    },
  }
}
