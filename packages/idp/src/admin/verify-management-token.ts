import { createLocalJWKSet, errors, type JWK, jwtVerify } from 'jose';
import { ApiError } from './api-error.ts';

/** Who is calling the management API, as the access token says. */
export type ManagementCaller =
  | { type: 'client'; clientId: string; scopes: Set<string> }
  | {
      type: 'user';
      userId: string;
      /** The application the person used (the dashboard). */
      clientId: string;
      scopes: Set<string>;
      acr: string | undefined;
      authTime: number;
    };

/** The private members of a JWK; what remains is the public key. */
const PRIVATE_MEMBERS = new Set(['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k']);

/** The public half of each signing key, for verifying the provider's own tokens. */
export function publicSigningKeys(jwks: { keys: JWK[] }): { keys: JWK[] } {
  return {
    keys: jwks.keys
      .filter((key) => key.kty !== 'oct')
      .map((key) => Object.fromEntries(Object.entries(key).filter(([name]) => !PRIVATE_MEMBERS.has(name)))),
  };
}

export type ManagementTokenVerifier = (authorization: string | undefined) => Promise<ManagementCaller>;

/**
 * Verifies the provider's own RFC 9068 access tokens for the management API: the signature with the
 * provider's public keys and the pinned algorithm (RFC 8725 3.1), `typ: at+jwt` (RFC 9068 4), `iss`
 * and `exp` (oidc-provider stamps tokens with the system time, so they are checked against it):
 * anything else is `invalid_token`. A valid token minted for another API (its `aud`, RFC 9068 4 and
 * RFC 8707) is `wrong_audience`: the scopes it carries were granted for that API, not this one.
 */
export function createManagementTokenVerifier(options: {
  issuer: string;
  audience: string;
  /** The signing keys the provider serves now (they change when keys are rotated). */
  signingJwks: () => { keys: JWK[] };
  algorithm: string;
}): ManagementTokenVerifier {
  let verifiedWith: { keys: JWK[] } | undefined;
  let keySet: ReturnType<typeof createLocalJWKSet> | undefined;
  const currentKeySet = () => {
    const signingJwks = options.signingJwks();
    if (signingJwks !== verifiedWith || !keySet) {
      keySet = createLocalJWKSet(publicSigningKeys(signingJwks));
      verifiedWith = signingJwks;
    }
    return keySet;
  };
  return async (authorization) => {
    const match = /^Bearer ([A-Za-z0-9\-._~+/]+=*)$/.exec(authorization ?? '');
    if (!match?.[1]) {
      throw new ApiError(
        'invalid_token',
        'send an access token for this API as "Authorization: Bearer <token>"',
        {
          challenge: 'Bearer realm="stepup-management"',
        },
      );
    }
    let payload: Record<string, unknown>;
    try {
      ({ payload } = await jwtVerify(match[1], currentKeySet(), {
        issuer: options.issuer,
        algorithms: [options.algorithm],
        typ: 'at+jwt',
        requiredClaims: ['exp', 'iat', 'sub', 'client_id'],
      }));
    } catch (error) {
      if (!(error instanceof errors.JOSEError)) throw error;
      throw invalidToken('the access token is not valid (signature, issuer or expiry)');
    }
    const audiences = typeof payload.aud === 'string' ? [payload.aud] : payload.aud;
    if (!Array.isArray(audiences) || !audiences.includes(options.audience)) {
      throw new ApiError('wrong_audience', 'this access token was minted for another API', {
        challenge: 'Bearer realm="stepup-management", error="invalid_token"',
      });
    }
    const { sub, client_id: clientId, scope, acr, auth_time: authTime } = payload;
    if (typeof sub !== 'string' || typeof clientId !== 'string') throw invalidToken('malformed access token');
    const scopes = new Set(typeof scope === 'string' ? scope.split(' ').filter(Boolean) : []);
    // RFC 9068 2.2: a token issued to a client for itself (client credentials) has the client as
    // `sub` and no authentication of a person, so no `auth_time`.
    if (authTime === undefined) {
      if (sub !== clientId) throw invalidToken('an access token without auth_time must be a client token');
      return { type: 'client', clientId, scopes };
    }
    if (typeof authTime !== 'number' || !Number.isInteger(authTime))
      throw invalidToken('malformed auth_time');
    return {
      type: 'user',
      userId: sub,
      clientId,
      scopes,
      acr: typeof acr === 'string' ? acr : undefined,
      authTime,
    };
  };
}

function invalidToken(message: string): ApiError {
  return new ApiError('invalid_token', message, {
    challenge: `Bearer realm="stepup-management", error="invalid_token"`,
  });
}
