import type { KeyObject } from 'node:crypto';
import { errors, jwtVerify } from 'jose';
import { StepupRpError } from '../errors.ts';
import type { JsonObject } from './check-jwt-claims.ts';

/** What both verifiers need besides the token and its key. */
export interface JwsVerifyOptions {
  /** The only `alg` values accepted; anything else is `alg_not_allowed` before a key is looked up. */
  algorithms: readonly string[];
  /** Seconds since the epoch. */
  now: number;
  skew: number;
  typ?: string;
}

/** The verified, decoded parts of a JWT. */
export interface VerifiedJwt {
  header: JsonObject;
  payload: JsonObject;
}

type KeyInput = KeyObject | Uint8Array | ((header: JsonObject) => KeyObject | Promise<KeyObject>);

/**
 * Verifies a compact JWT with `jose.jwtVerify` (signature, pinned algorithms, `typ`, and the time
 * claims it checks when present) and turns its errors into this package's codes. The claims `jose`
 * does not check are left to `checkRegisteredClaims`.
 */
export async function verifyJwtWithJose(
  token: string,
  key: KeyInput,
  options: JwsVerifyOptions,
): Promise<VerifiedJwt> {
  try {
    const { payload, protectedHeader } = await jwtVerify(token, key as Parameters<typeof jwtVerify>[1], {
      algorithms: [...options.algorithms],
      currentDate: new Date(options.now * 1000),
      clockTolerance: options.skew,
      ...(options.typ === undefined ? {} : { typ: options.typ }),
    });
    return { header: protectedHeader as JsonObject, payload: payload as JsonObject };
  } catch (error) {
    throw toStepupRpError(error);
  }
}

function toStepupRpError(error: unknown): unknown {
  if (error instanceof StepupRpError) return error;
  const detail = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  if (error instanceof errors.JOSEAlgNotAllowed) {
    return new StepupRpError(
      'alg_not_allowed',
      'The token is signed with an algorithm that is not allowed.',
      { detail },
    );
  }
  if (error instanceof errors.JWSSignatureVerificationFailed) {
    return new StepupRpError('signature_invalid', 'The token signature is not valid.', { detail });
  }
  if (error instanceof errors.JWTExpired) {
    return new StepupRpError('token_expired', 'The token has expired.', { detail });
  }
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.reason === 'check_failed' && error.claim === 'nbf') {
      return new StepupRpError('token_not_yet_valid', 'The token is not valid yet.', { detail });
    }
    if (error.claim === 'typ') {
      return new StepupRpError('typ_invalid', 'The token is not of the expected type.', { detail });
    }
    return new StepupRpError('claim_invalid', `The token's ${error.claim} claim is malformed.`, { detail });
  }
  if (
    error instanceof errors.JWSInvalid ||
    error instanceof errors.JWTInvalid ||
    error instanceof errors.JOSENotSupported
  ) {
    return new StepupRpError('token_malformed', 'The token is malformed.', { detail });
  }
  return error;
}
