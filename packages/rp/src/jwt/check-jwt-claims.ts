import { isNumericDate } from '@stepup/core';
import { StepupRpError } from '../errors.ts';

/** A decoded JWT header or claims set: a plain JSON object. */
export type JsonObject = Record<string, unknown>;

/**
 * What every token this package accepts must say, and the clock to judge it by.
 */
export interface RegisteredClaimsExpectation {
  issuer: string;
  audience: string;
  /** Seconds since the epoch. */
  now: number;
  /** Seconds of clock difference tolerated on `exp`, `nbf` and `iat`. */
  skew: number;
  /** The expected `typ` header (RFC 9068: `at+jwt`), compared as media types; not checked when absent. */
  typ?: string;
}

/** An own property of a decoded claims set; inherited ones count as absent. */
export function claimOf(payload: JsonObject, name: string): unknown {
  return Object.hasOwn(payload, name) ? payload[name] : undefined;
}

function fail(code: 'claim_invalid', claim: string, detail: string): never {
  throw new StepupRpError(code, `The token's ${claim} claim is malformed.`, { detail });
}

// RFC 8725 3.11 / RFC 9068 4: "at+jwt" and "application/at+jwt" are the same media type.
function normalizeTyp(typ: string): string {
  const lower = typ.toLowerCase();
  return lower.includes('/') ? lower : `application/${lower}`;
}

function isExpectedTyp(typ: unknown, expected: string): boolean {
  return typeof typ === 'string' && (typ === expected || normalizeTyp(typ) === normalizeTyp(expected));
}

/**
 * Checks what RFC 7519 registers, strictly, in the order `jose` does (so both verifiers answer the
 * same code for the same token): `typ`; the types of `iat`, `nbf`, `exp`; `nbf` and `exp` against the
 * clock with `skew`; then what `jose` leaves out — `exp` and `iat` required as integers, `iat` not in
 * the future, `iss` exact, `aud` holding the audience, `sub` a non-empty string.
 */
export function checkRegisteredClaims(
  header: JsonObject,
  payload: JsonObject,
  expected: RegisteredClaimsExpectation,
): void {
  const { now, skew } = expected;
  // Named reads behind Object.hasOwn rather than claimOf: this runs for every bearer token, and a
  // named read stays monomorphic where claimOf's keyed one does not.
  if (expected.typ !== undefined) {
    const typ = Object.hasOwn(header, 'typ') ? header.typ : undefined;
    if (!isExpectedTyp(typ, expected.typ)) {
      throw new StepupRpError('typ_invalid', 'The token is not of the expected type.', {
        detail: `typ ${JSON.stringify(typ)}, expected ${expected.typ}`,
      });
    }
  }
  const iat = Object.hasOwn(payload, 'iat') ? payload.iat : undefined;
  const nbf = Object.hasOwn(payload, 'nbf') ? payload.nbf : undefined;
  const exp = Object.hasOwn(payload, 'exp') ? payload.exp : undefined;
  if (iat !== undefined && typeof iat !== 'number') fail('claim_invalid', 'iat', 'iat is not a number');
  if (nbf !== undefined) {
    if (typeof nbf !== 'number') fail('claim_invalid', 'nbf', 'nbf is not a number');
    if (nbf > now + skew) {
      throw new StepupRpError('token_not_yet_valid', 'The token is not valid yet.', {
        detail: `nbf ${nbf} > now ${now} + skew ${skew}`,
      });
    }
  }
  if (exp !== undefined) {
    if (typeof exp !== 'number') fail('claim_invalid', 'exp', 'exp is not a number');
    if (exp <= now - skew) {
      throw new StepupRpError('token_expired', 'The token has expired.', {
        detail: `exp ${exp} <= now ${now} - skew ${skew}`,
      });
    }
  }
  // RFC 7519 2 NumericDate, as integers; OIDC Core 2 and RFC 9068 2.2 require exp and iat.
  if (!isNumericDate(exp)) fail('claim_invalid', 'exp', `exp ${JSON.stringify(exp)} is not an integer date`);
  if (!isNumericDate(iat)) fail('claim_invalid', 'iat', `iat ${JSON.stringify(iat)} is not an integer date`);
  if (nbf !== undefined && !isNumericDate(nbf)) fail('claim_invalid', 'nbf', 'nbf is not an integer date');
  if (iat > now + skew) {
    throw new StepupRpError('issued_in_future', 'The token was issued in the future.', {
      detail: `iat ${iat} > now ${now} + skew ${skew}`,
    });
  }
  const iss = Object.hasOwn(payload, 'iss') ? payload.iss : undefined;
  if (iss !== expected.issuer) {
    // OIDC Core 3.1.3.7 step 2, RFC 9068 4: exact match, no normalisation.
    throw new StepupRpError('issuer_mismatch', 'The token comes from another issuer.', {
      detail: `iss ${JSON.stringify(iss)}, expected ${expected.issuer}`,
    });
  }
  const aud = Object.hasOwn(payload, 'aud') ? payload.aud : undefined;
  if (
    !isAudienceClaim(aud) ||
    !(aud === expected.audience || (Array.isArray(aud) && aud.includes(expected.audience)))
  ) {
    throw new StepupRpError('audience_mismatch', 'The token is meant for someone else.', {
      detail: `aud ${JSON.stringify(aud)}, expected ${expected.audience}`,
    });
  }
  const sub = Object.hasOwn(payload, 'sub') ? payload.sub : undefined;
  if (typeof sub !== 'string' || sub === '') fail('claim_invalid', 'sub', 'sub is not a non-empty string');
}

/** `aud`: one string, or a non-empty array of strings with no holes. */
export function isAudienceClaim(aud: unknown): aud is string | string[] {
  if (typeof aud === 'string') return aud !== '';
  if (!Array.isArray(aud) || aud.length === 0) return false;
  for (let index = 0; index < aud.length; index++) {
    if (!Object.hasOwn(aud, index) || typeof aud[index] !== 'string') return false;
  }
  return true;
}
