// Usage: npm run schema:print — writes schema.graphql at the repository root from the gateway's code.
import { writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { printGatewaySchema } from '../src/gateway/gatewaySchema.js'

const target = join(dirname(fileURLToPath(import.meta.url)), '..', 'schema.graphql')
writeFileSync(target, printGatewaySchema())
console.log(`Wrote ${target}`)
