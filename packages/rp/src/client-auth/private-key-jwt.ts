import { randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import type * as oidc from 'openid-client';

/**
 * Client authentication with a signed JWT (RFC 7523 2.2, OIDC Core 9 `private_key_jwt`): the
 * provider holds the client's public key (its JWKS), no secret is shared.
 *
 * @example
 * ```ts
 * const clientAuth: PrivateKeyJwtClientAuth = {
 *   method: 'private_key_jwt',
 *   key: await importPKCS8(process.env.CLIENT_KEY ?? '', 'ES256'),
 *   kid: 'salary-2026',
 * };
 * ```
 */
export interface PrivateKeyJwtClientAuth {
  method: 'private_key_jwt';
  /** The client's private key, as `jose` imports or generates it (`importPKCS8`, `importJWK`, `generateKeyPair`). */
  key: CryptoKey;
  /** The `kid` of the matching public key in the client's JWKS. */
  kid?: string;
  /** Default: from the key (`ES256` for P-256, `PS256` for RSA-PSS, `RS256` for RSASSA-PKCS1-v1_5, `EdDSA`). */
  alg?: ClientAssertionAlgorithm;
}

/** The algorithms a client assertion or request object may be signed with. */
export type ClientAssertionAlgorithm = 'ES256' | 'ES384' | 'PS256' | 'PS384' | 'RS256' | 'EdDSA';

/** How long a client assertion is valid: short, it is made for one request. */
const ASSERTION_LIFETIME = 60;

/** The JWS algorithm a private key signs with, or undefined when it is not one this package uses. */
export function algorithmOfKey(key: CryptoKey): ClientAssertionAlgorithm | undefined {
  const algorithm = key.algorithm as { name: string; namedCurve?: string; hash?: { name: string } };
  switch (algorithm.name) {
    case 'ECDSA':
      return algorithm.namedCurve === 'P-256'
        ? 'ES256'
        : algorithm.namedCurve === 'P-384'
          ? 'ES384'
          : undefined;
    case 'Ed25519':
      return 'EdDSA';
    case 'RSA-PSS':
      return algorithm.hash?.name === 'SHA-384' ? 'PS384' : 'PS256';
    case 'RSASSA-PKCS1-v1_5':
      return algorithm.hash?.name === 'SHA-256' ? 'RS256' : undefined;
    default:
      return undefined;
  }
}

/**
 * openid-client's client authentication hook, signing the assertion with `jose`: `iss` and `sub` the
 * client id, `aud` the issuer identifier alone (RFC 7523bis and FAPI 2.0 5.3.2.1: no endpoint URL,
 * so an assertion cannot be replayed at another endpoint of a mix-up attacker), a fresh random `jti`
 * for the provider's replay check, `iat` now and `exp` a minute later, by the injected clock.
 */
export function privateKeyJwt(
  auth: { key: CryptoKey; kid?: string; alg: ClientAssertionAlgorithm },
  clientId: string,
  clock: () => number,
): oidc.ClientAuth {
  const authenticate = async (server: oidc.ServerMetadata, _client: unknown, body: URLSearchParams) => {
    const now = clock();
    const assertion = await new SignJWT({ jti: randomUUID() })
      .setProtectedHeader({ alg: auth.alg, ...(auth.kid === undefined ? {} : { kid: auth.kid }) })
      .setIssuer(clientId)
      .setSubject(clientId)
      .setAudience(server.issuer)
      .setIssuedAt(now)
      .setExpirationTime(now + ASSERTION_LIFETIME)
      .sign(auth.key);
    body.set('client_id', clientId);
    body.set('client_assertion_type', 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer');
    body.set('client_assertion', assertion);
  };
  // openid-client awaits the hook, though its type says void.
  return authenticate as unknown as oidc.ClientAuth;
}
