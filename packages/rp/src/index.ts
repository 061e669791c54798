/**
 * `@stepup/rp`: sign-in with the authorization code flow, strict ID token validation, and route
 * guards that demand step-up, over web-standard `Request`/`Response`. Framework adapters live in
 * `@stepup/rp/express` and `@stepup/rp/hono`; the RFC 9470 bearer guard in `@stepup/rp/bearer`.
 *
 * @packageDocumentation
 */

export { canonicalJson } from '@stepup/core';
export { readStepUpChallenge, type StepUpParameters } from './client/read-step-up-challenge.ts';
export type {
  ClientAssertionAlgorithm,
  PrivateKeyJwtClientAuth,
} from './client-auth/private-key-jwt.ts';
export type { StepupRpOptions } from './config/rp-options.ts';
export { createStepupRp, type StepupRp } from './create-stepup-rp.ts';
export type { DpopAlgorithm } from './dpop/session-dpop-key.ts';
export { isStepupRpError, StepupRpError, type StepupRpErrorCode } from './errors.ts';
export type { GuardOutcome, RouteGuard } from './guards/route-guard.ts';
export type { TransactionDetailsOf, TransactionOptions } from './guards/transaction-guard.ts';
export type { AsymmetricJwsAlgorithm, SymmetricJwsAlgorithm } from './jwt/jws-algorithms.ts';
export type { ErrorPage, SignInErrorDetails } from './pages/sign-in-error.ts';
export type { AuthenticationContext } from './policy/evaluate-policy.ts';
export type { StepUpPolicy } from './policy/step-up-policy.ts';
export type { RefreshedSession } from './routes/refresh-session.ts';
export type { RpSession, TransactionApproval } from './session/rp-session.ts';
export { createMemorySessionStore, type SessionStore } from './session/session-store.ts';
export { createMemoryUsedStateStore, type UsedStateStore } from './transaction/used-state-store.ts';
