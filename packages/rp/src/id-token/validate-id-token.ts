import { acrTimeClaimName, isAcrClaim, isAmrClaim, isNumericDate } from '@stepup/core';
import { StepupRpError } from '../errors.ts';
import { checkRegisteredClaims, claimOf, type JsonObject } from '../jwt/check-jwt-claims.ts';
import type { AsymmetricJwsAlgorithm, SymmetricJwsAlgorithm } from '../jwt/jws-algorithms.ts';
import type { RemoteKeySet } from '../jwt/remote-key-set.ts';
import { findVerificationKey } from '../jwt/verification-key.ts';
import { verifyJwtWithJose } from '../jwt/verify-jwt-with-jose.ts';
import type { AuthenticationContext } from '../policy/evaluate-policy.ts';

/** How ID tokens of one client are signed: an HMAC with the client secret, or the provider's keys. */
export type IdTokenKey =
  | { alg: SymmetricJwsAlgorithm; secret: Uint8Array }
  | { alg: AsymmetricJwsAlgorithm; keySet: RemoteKeySet };

/** What the callback (or a refresh) expects of an ID token. */
export interface IdTokenExpectations {
  issuer: string;
  clientId: string;
  /** Audiences besides the client that may appear in `aud` (OIDC Core 3.1.3.7 step 3). */
  trustedAudiences: readonly string[];
  key: IdTokenKey;
  now: number;
  skew: number;
  maxTokenLength: number;
  /** The nonce of the transaction; required at the callback, absent on refresh (OIDC Core 12.2). */
  nonce?: string;
  /** The `max_age` sent, if any. */
  maxAge?: number;
}

/** An ID token that passed every check, and what it says about the authentication. */
export interface ValidatedIdToken extends AuthenticationContext {
  sub: string;
  sid?: string;
  claims: JsonObject;
}

function invalid(claim: string, detail: string): never {
  throw new StepupRpError('claim_invalid', `The ID token's ${claim} claim is malformed.`, { detail });
}

/**
 * Validates an ID token as ARCHITECTURE.md invariant 5 and OIDC Core 3.1.3.7 ask, trusting nothing
 * the token endpoint's TLS alone vouches for: size first (before any parsing), then the signature
 * with the pinned algorithm (`jose`), then `exp`/`nbf`/`iat` with bounded skew, `iss` exact, `aud`
 * and `azp`, `nonce`, the types of `acr`, `amr`, `auth_time` and `sid`, and `auth_time` against the
 * `max_age` sent. Throws a `StepupRpError` with the code of the first failed check.
 */
export async function validateIdToken(
  token: string,
  expected: IdTokenExpectations,
): Promise<ValidatedIdToken> {
  if (typeof token !== 'string' || token.length > expected.maxTokenLength) {
    throw new StepupRpError('token_too_large', 'The ID token is too large.', {
      detail: `${typeof token === 'string' ? token.length : typeof token} characters, at most ${expected.maxTokenLength}`,
    });
  }
  const { key, now, skew } = expected;
  // Step 6: the algorithm is pinned per client; the key is the client secret for HS*, never a JWKS key.
  const keyInput =
    'secret' in key ? key.secret : (header: JsonObject) => findVerificationKey(key.keySet, header);
  const { header, payload } = await verifyJwtWithJose(token, keyInput, { algorithms: [key.alg], now, skew });
  // Steps 2, 3 (client in aud), 9 (exp), 10 (iat), plus nbf.
  checkRegisteredClaims(header, payload, { issuer: expected.issuer, audience: expected.clientId, now, skew });

  // Step 3: no audience the client does not trust. Steps 4 and 5: azp.
  const aud = payload.aud as string | string[];
  const audiences = Array.isArray(aud) ? aud : [aud];
  const stranger = audiences.find(
    (value) => value !== expected.clientId && !expected.trustedAudiences.includes(value),
  );
  if (stranger !== undefined) {
    throw new StepupRpError('audience_mismatch', 'The ID token is also meant for someone else.', {
      detail: `untrusted audience ${JSON.stringify(stranger)}`,
    });
  }
  const azp = claimOf(payload, 'azp');
  if ((audiences.length > 1 || azp !== undefined) && azp !== expected.clientId) {
    throw new StepupRpError('azp_mismatch', 'The ID token was issued to another party.', {
      detail: `azp ${JSON.stringify(azp)} with aud ${JSON.stringify(aud)}`,
    });
  }

  // Step 11: the nonce of this transaction, exactly; a missing one is a replay risk too.
  if (expected.nonce !== undefined) {
    const nonce = claimOf(payload, 'nonce');
    if (typeof nonce !== 'string' || nonce !== expected.nonce) {
      throw new StepupRpError('nonce_mismatch', 'The ID token does not belong to this sign-in.', {
        detail: nonce === undefined ? 'no nonce' : 'nonce differs from the transaction',
      });
    }
  }

  const acr = claimOf(payload, 'acr');
  if (acr !== undefined && !isAcrClaim(acr)) invalid('acr', 'acr is not a non-empty string');
  // OIDC Core 2: a JSON array of strings. "mfa" as a string is refused, not read as ["mfa"].
  const amr = claimOf(payload, 'amr');
  if (amr !== undefined && !isAmrClaim(amr)) invalid('amr', 'amr is not an array of strings');
  const authTime = claimOf(payload, 'auth_time');
  if (authTime !== undefined && !isNumericDate(authTime))
    invalid('auth_time', 'auth_time is not an integer date');
  if (authTime !== undefined && authTime > now + skew)
    invalid('auth_time', `auth_time ${authTime} is in the future`);
  // A Stepup provider's time of reaching the level; other providers send none. It dates a proof of
  // the same authentication, so it lies between auth_time (the earliest proof) and iat.
  const acrTime = claimOf(payload, acrTimeClaimName(expected.issuer));
  if (acrTime !== undefined) {
    const iat = payload.iat as number;
    if (!isNumericDate(acrTime)) invalid('acr_time', 'acr_time is not an integer date');
    if (authTime === undefined) invalid('acr_time', 'acr_time without auth_time');
    if (acrTime < authTime) invalid('acr_time', `acr_time ${acrTime} is before auth_time ${authTime}`);
    if (acrTime > iat + skew) invalid('acr_time', `acr_time ${acrTime} > iat ${iat} + skew ${skew}`);
  }
  const sid = claimOf(payload, 'sid');
  if (sid !== undefined && (typeof sid !== 'string' || sid === ''))
    invalid('sid', 'sid is not a non-empty string');

  // Step 13 (OIDC Core 3.1.2.1): with max_age sent, auth_time is required and must be recent enough.
  if (expected.maxAge !== undefined) {
    if (authTime === undefined) {
      throw new StepupRpError(
        'auth_time_missing',
        'The provider did not say when the person authenticated.',
        {
          detail: `max_age ${expected.maxAge} was sent but the ID token has no auth_time`,
        },
      );
    }
    if (now - authTime > expected.maxAge + skew) {
      throw new StepupRpError(
        'authentication_too_old',
        'The authentication is older than the route allows.',
        {
          detail: `auth_time ${authTime}, now ${now}, max_age ${expected.maxAge}, skew ${skew}`,
        },
      );
    }
  }

  const validated: ValidatedIdToken = { sub: payload.sub as string, claims: payload };
  if (sid !== undefined) validated.sid = sid as string;
  if (acr !== undefined) validated.acr = acr;
  if (amr !== undefined) validated.amr = [...amr];
  if (authTime !== undefined) validated.auth_time = authTime;
  if (acrTime !== undefined) validated.acr_time = acrTime;
  return validated;
}
