/**
 * GraphiQL works offline (issue 12 §4.5): the real gateway server, a real headless Chromium (Debian's
 * /usr/bin/chromium, driven by playwright-core; no browser download) that may reach nothing but the gateway — every
 * other request is aborted and recorded — opens /graphql, sees the editor render, types a query, runs it and reads
 * the result.
 *
 * Without /usr/bin/chromium the test is skipped with a message, except under CI (`CI` set; `.ci/run` sets it and
 * installs chromium when missing), where it fails and says how to install it.
 */
import { existsSync } from 'node:fs'
import { chromium } from 'playwright-core'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { createDb, type Db } from '../src/db/createDb.js'
import { createGateway, type GatewayServer, startGatewayServer } from '../src/gateway/index.js'
import { ATTESTATION_COUNT, seedGatewayFixtures } from './fixtures/gatewayFixtures.js'
import { createTestDatabase, type TestDatabase } from './helpers/database.js'
import { createTestCommon } from './helpers/common.js'

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
const INSTALL_HINT = `no Chromium at ${CHROMIUM}: install it with \`apt-get install -y chromium\` (or set CHROMIUM_PATH)`
const available = existsSync(CHROMIUM)
if (!available && process.env.CI) throw new Error(`GraphiQL browser test: ${INSTALL_HINT}`)
if (!available) console.warn(`GraphiQL browser test skipped: ${INSTALL_HINT}`)

let database: TestDatabase
let db: Db
let server: GatewayServer

beforeAll(async () => {
  if (!available) return
  database = await createTestDatabase('sitest_graphiql')
  db = await createDb({ databaseUrl: database.url })
  await seedGatewayFixtures(db.prisma)
  const gateway = createGateway({ prisma: db.prisma, common: createTestCommon(), journalPollMs: 200 })
  server = await startGatewayServer({ gateway, port: 0, host: '127.0.0.1' })
})

afterAll(async () => {
  await server?.close()
  await db?.close()
  await database?.drop()
})

it.skipIf(!available)('renders, runs a typed query and shows the result with every non-local request blocked', async () => {
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] })
  try {
    const page = await browser.newPage()
    const blocked: string[] = []
    await page.route('**/*', (route) => {
      const url = new URL(route.request().url())
      if (url.protocol === 'data:' || url.protocol === 'blob:' || url.hostname === '127.0.0.1' || url.hostname === 'localhost') return route.continue()
      blocked.push(url.href)
      return route.abort()
    })
    const errors: string[] = []
    page.on('pageerror', (error) => errors.push(error.message))
    await page.goto(server.url, { waitUntil: 'load' })
    const editor = page.locator('.graphiql-query-editor')
    await editor.waitFor({ state: 'visible', timeout: 30_000 })
    await editor.click()
    await page.keyboard.press('ControlOrMeta+A')
    await page.keyboard.press('Delete')
    await page.keyboard.insertText('{ attestations(first: 2) { totalCount nodes { id } } }')
    await page.locator('.graphiql-execute-button').click()
    const response = page.locator('.graphiql-response')
    await expect.poll(async () => (await response.textContent()) ?? '', { timeout: 30_000 }).toContain('"totalCount"')
    const text = (await response.textContent()) ?? ''
    expect(text).toContain(`${ATTESTATION_COUNT + 3}`) // the fixtures' attestations on both chains
    expect(text).toContain('onchain_evm_')
    expect(blocked).toEqual([])
    expect(errors).toEqual([])
  } finally {
    await browser.close()
  }
})
