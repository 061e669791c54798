export { acrTimeClaimName } from './acr-time-claim.ts';
export { AMR_VALUES, type AmrValue, isAmrValue } from './amr.ts';
export { canonicalJson } from './canonical-json.ts';
export { hasAmr, isAcrClaim, isAmrClaim, isNumericDate, readAuthContext } from './claims.ts';
export { type AuthContext, type ComputeAuthContextOptions, computeAuthContext } from './context.ts';
export {
  ACR_MULTI_FACTOR,
  ACR_ONE_FACTOR,
  ACR_PHISHING_RESISTANT,
  AcrLadder,
  type AcrLevel,
  createAcrLadder,
  DEFAULT_ACR_LADDER,
} from './ladder.ts';
export {
  AUTHENTICATION_METHODS,
  type AuthenticationMethod,
  type FactorKind,
  isMethodName,
  type MethodName,
  type ProvenMethod,
} from './methods.ts';
export {
  type EvaluateRequirementOptions,
  evaluateRequirement,
  minimumLevel,
  type Requirement,
  type RequirementResult,
  satisfies,
  type UnmetRequirement,
} from './requirement.ts';
export {
  type BearerChallenge,
  formatBearerChallenge,
  INSUFFICIENT_USER_AUTHENTICATION,
  parseBearerChallenges,
} from './step-up-challenge.ts';
