import { isAcrClaim, isAmrClaim, isNumericDate } from '@stepup/core';
import { StepupRpError } from '../errors.ts';
import type { JsonObject } from '../jwt/check-jwt-claims.ts';

/**
 * The claims of a verified JWT access token (RFC 9068 2.2), with the authentication context of
 * RFC 9470 when the provider sent it. `scopes` is `scope` split on spaces.
 *
 * @example
 * ```ts
 * const token: AccessTokenClaims = {
 *   iss: 'https://idp.example.com', sub: 'u1', aud: 'https://api.example.com', client_id: 'web',
 *   jti: 'j1', iat: 1_700_000_000, exp: 1_700_000_300, scopes: ['payroll:read'],
 *   acr: ACR_MULTI_FACTOR, amr: ['mfa', 'otp', 'pwd'], auth_time: 1_699_999_990, claims: {},
 * };
 * ```
 */
export interface AccessTokenClaims {
  iss: string;
  sub: string;
  aud: string | string[];
  client_id: string;
  jti: string;
  iat: number;
  exp: number;
  scopes: readonly string[];
  acr?: string;
  amr?: readonly string[];
  auth_time?: number;
  /** The thumbprint of the key the token is bound to (`cnf.jkt`, RFC 9449 6.1), when it is DPoP-bound. */
  jkt?: string;
  /** The whole verified claims set. */
  claims: Readonly<JsonObject>;
}

function malformed(claim: string, detail: string): never {
  throw new StepupRpError('claim_invalid', `The token's ${claim} claim is malformed.`, { detail });
}

/**
 * Checks what RFC 9068 2.2 requires beyond the registered claims (`client_id`, `jti`; `scope` a
 * string when present) and the types of `acr`, `amr` and `auth_time` when present — strictly: an
 * `amr` string is refused, not read as a one-element list. Call after `checkRegisteredClaims`.
 */
export function readAccessTokenClaims(payload: JsonObject): AccessTokenClaims {
  // Named reads, not claimOf: see checkRegisteredClaims.
  const clientId = Object.hasOwn(payload, 'client_id') ? payload.client_id : undefined;
  if (typeof clientId !== 'string' || clientId === '')
    malformed('client_id', 'client_id is not a non-empty string');
  const jti = Object.hasOwn(payload, 'jti') ? payload.jti : undefined;
  if (typeof jti !== 'string' || jti === '') malformed('jti', 'jti is not a non-empty string');
  const scope = Object.hasOwn(payload, 'scope') ? payload.scope : undefined;
  if (scope !== undefined && typeof scope !== 'string') malformed('scope', 'scope is not a string');
  const acr = Object.hasOwn(payload, 'acr') ? payload.acr : undefined;
  if (acr !== undefined && !isAcrClaim(acr)) malformed('acr', 'acr is not a non-empty string');
  const amr = Object.hasOwn(payload, 'amr') ? payload.amr : undefined;
  if (amr !== undefined && !isAmrClaim(amr)) malformed('amr', 'amr is not an array of strings');
  const authTime = Object.hasOwn(payload, 'auth_time') ? payload.auth_time : undefined;
  if (authTime !== undefined && !isNumericDate(authTime))
    malformed('auth_time', 'auth_time is not an integer date');
  const cnf = Object.hasOwn(payload, 'cnf') ? payload.cnf : undefined;
  if (cnf !== undefined && (typeof cnf !== 'object' || cnf === null || Array.isArray(cnf)))
    malformed('cnf', 'cnf is not an object');
  const jkt = cnf !== undefined && Object.hasOwn(cnf, 'jkt') ? (cnf as JsonObject).jkt : undefined;
  if (jkt !== undefined && (typeof jkt !== 'string' || jkt === ''))
    malformed('cnf', 'cnf.jkt is not a non-empty string');
  const claims: AccessTokenClaims = {
    iss: payload.iss as string,
    sub: payload.sub as string,
    aud: payload.aud as string | string[],
    client_id: clientId,
    jti,
    iat: payload.iat as number,
    exp: payload.exp as number,
    scopes: typeof scope === 'string' ? splitScope(scope) : [],
    claims: payload,
  };
  if (acr !== undefined) claims.acr = acr;
  if (amr !== undefined) claims.amr = amr;
  if (authTime !== undefined) claims.auth_time = authTime;
  if (jkt !== undefined) claims.jkt = jkt;
  return claims;
}

/**
 * RFC 6749 3.3: scope tokens separated by spaces; empty tokens (double spaces) are dropped. A loop
 * over indexOf rather than split: it runs for every token, and reuses code the verification already ran.
 */
function splitScope(scope: string): string[] {
  const scopes: string[] = [];
  let start = 0;
  while (start <= scope.length) {
    let end = scope.indexOf(' ', start);
    if (end === -1) end = scope.length;
    if (end > start) scopes[scopes.length] = scope.slice(start, end);
    start = end + 1;
  }
  return scopes;
}
