/**
 * A test's own dependency bag: silent logger, fresh metrics (no test sees another's counts), a signal that never
 * aborts, the system clock; any of them replaced by `overrides`.
 */
import { type Common, type CreateCommonParameters, createCommon } from '../../src/common/common.js'
import { createSilentLogger } from '../../src/common/logger.js'

export function createTestCommon(overrides: Partial<CreateCommonParameters> = {}): Common {
  return createCommon({ logger: createSilentLogger(), ...overrides })
}
