/** Public surface of the verify stage. */
export {
  type AttestationFacts,
  type ChainClock,
  checkAttestation,
  checkLineage,
  checkOwn,
  type FactsLookup,
  LINEAGE_DEPTH_CAP,
  toFullRef,
  type VerificationResult,
} from './checkAttestation.js'
export {
  createVerifier,
  type CreateVerifierParameters,
  type Verifier,
  type VerifierStats,
  VERIFY_BATCH_SIZE,
  VERIFY_LOCK_MS,
  VERIFY_POLL_INTERVAL_MS,
} from './createVerifier.js'
export { type AttestationKey, keyOf, loadVerificationInputs, type VerificationInputs, type VerifyDb } from './loadVerificationInputs.js'
export {
  isInformational,
  isInvalidating,
  parseReasons,
  REASON_CODES,
  type ReasonCode,
  type ReasonEffect,
  sameReasons,
  sortReasons,
  toStatus,
  type VerificationReason,
} from './reasons.js'
export { runVerificationBatch, type RunVerificationBatchParameters, type VerificationBatchHooks, type VerificationBatchResult } from './runVerificationBatch.js'
export { type ScheduleResult, scheduleRechecks } from './scheduleRechecks.js'
export { type LiveVerification, verifyLive } from './verifyLive.js'
