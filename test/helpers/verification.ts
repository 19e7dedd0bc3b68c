/**
 * Helpers for the verify-stage suites: wait for the verification queue to drain, and read every attestation's
 * GraphQL `verification` on a chain.
 */
import type { PrismaClient } from '../../src/generated/prisma/client.js'
import { AttestationVerificationsDocument, type VerificationFieldsFragment } from '../generated/graphql.js'
import { execute, type Fetcher } from './graphql.js'

/** Resolves once the `VerificationJob` table stayed empty for two polls (50 ms apart); rejects after `timeoutMs`. */
export async function waitForQueueEmpty(prisma: PrismaClient, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  let emptyPolls = 0
  while (emptyPolls < 2) {
    if (Date.now() > deadline) throw new Error(`verification queue not empty after ${timeoutMs} ms (${await prisma.verificationJob.count()} jobs)`)
    emptyPolls = (await prisma.verificationJob.count()) === 0 ? emptyPolls + 1 : 0
    await new Promise((r) => setTimeout(r, 50))
  }
}

/** Every attestation on `chainId` with its GraphQL `verification`, by full id (pages of 100). */
export async function readVerifications(fetcher: Fetcher, chainId: number): Promise<Map<string, VerificationFieldsFragment>> {
  const out = new Map<string, VerificationFieldsFragment>()
  let after: string | null | undefined
  for (;;) {
    const { data, errors } = await execute(fetcher, AttestationVerificationsDocument, { where: { chainId }, first: 100, after })
    if (errors?.length) throw new Error(JSON.stringify(errors))
    for (const node of data!.attestations.nodes) out.set(node.id, node.verification)
    if (!data!.attestations.pageInfo.hasNextPage) return out
    after = data!.attestations.pageInfo.endCursor
  }
}
