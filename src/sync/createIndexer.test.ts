import { describe, expect, it } from 'vitest'
import { createCommon } from '../common/common.js'
import { createSilentLogger } from '../common/logger.js'
import type { PrismaClient } from '../generated/prisma/client.js'
import { createVerifier } from '../verify/createVerifier.js'
import { createIndexer } from './createIndexer.js'

describe("the bag's shutdown signal", () => {
  it('stops the indexer and the verifier like their own stop() (nothing runs once it has aborted)', async () => {
    const common = createCommon({ logger: createSilentLogger(), signal: AbortSignal.abort() })
    const prisma = {} as PrismaClient // never reached: no loop starts
    const indexer = createIndexer({
      prisma,
      common,
      chains: [
        {
          name: 'unused',
          chainId: 1,
          rpcUrls: ['http://127.0.0.1:9'],
          contract: '0x0000000000000000000000000000000000000001',
          multicall3: '0xca11bde05977b3631167028862be2a173976ca11',
          startBlock: 0n,
          confirmations: 0,
          maxBlockRange: 10,
          pollIntervalMs: 1_000,
        },
      ],
    })
    expect(indexer.clients.get(1)?.governor.concurrency()).toBe(8) // the client carries its governor
    await expect(indexer.run()).resolves.toBeUndefined()
    const verifier = createVerifier({ prisma, common, workers: 2 })
    await expect(verifier.run()).resolves.toBeUndefined()
    expect(verifier.stats().batches).toBe(0)
  })
})
