/**
 * `@stepup/rp/bearer`: a guard for APIs that accept JWT access tokens (RFC 9068) and ask for step-up
 * with RFC 9470 challenges.
 *
 * @packageDocumentation
 */

export { isStepupRpError, StepupRpError, type StepupRpErrorCode } from '../errors.ts';
export type { AsymmetricJwsAlgorithm } from '../jwt/jws-algorithms.ts';
export { RemoteKeySet, type RemoteKeySetOptions } from '../jwt/remote-key-set.ts';
export type { StepUpPolicy } from '../policy/step-up-policy.ts';
export { createMemoryUsedStateStore, type UsedStateStore } from '../transaction/used-state-store.ts';
export type { AccessTokenClaims } from './access-token-claims.ts';
export { checkTransactionToken, type TransactionTokenRequirement } from './check-transaction-token.ts';
export {
  type BearerCheckResult,
  type BearerDpopOptions,
  type BearerGuard,
  type BearerGuardOptions,
  type BearerRequirement,
  createBearerGuard,
  type DpopPresentation,
} from './create-bearer-guard.ts';
export { createDpopNonceSource, type DpopNonceSource } from './dpop-nonce.ts';
export {
  createMemoryDpopReplayStore,
  createRedisDpopReplayStore,
  type DpopReplayStore,
  type RedisSetIfAbsent,
} from './dpop-replay-store.ts';
