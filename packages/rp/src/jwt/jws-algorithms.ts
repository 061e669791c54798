import { constants, type KeyObject } from 'node:crypto';

/**
 * The asymmetric JWS algorithms a token may be verified with through the provider's JWKS. `none` and
 * the HMAC algorithms are not here on purpose: a JWKS key is never used as an HMAC secret.
 *
 * @example
 * ```ts
 * const algorithms: AsymmetricJwsAlgorithm[] = ['RS256', 'ES256'];
 * ```
 */
export type AsymmetricJwsAlgorithm =
  | 'RS256'
  | 'RS384'
  | 'RS512'
  | 'PS256'
  | 'PS384'
  | 'PS512'
  | 'ES256'
  | 'ES384'
  | 'ES512'
  | 'EdDSA'
  | 'Ed25519';

/**
 * The HMAC algorithms an ID token may be signed with using the client secret (OIDC Core 10.1).
 *
 * @example
 * ```ts
 * const alg: SymmetricJwsAlgorithm = 'HS256';
 * ```
 */
export type SymmetricJwsAlgorithm = 'HS256' | 'HS384' | 'HS512';

interface AlgorithmSpec {
  /** The digest for `crypto.verify`, or null where the key type implies it (Ed25519). */
  hash: string | null;
  kty: 'RSA' | 'EC' | 'OKP';
  /** The curve of EC and OKP keys, as in a JWK `crv`. */
  crv?: string;
  /** For `crypto.verify`: RSA-PSS padding, or the JOSE (IEEE P1363) encoding of ECDSA signatures. */
  pss?: boolean;
  ecdsa?: boolean;
}

export const ASYMMETRIC_ALGORITHMS: Readonly<Record<AsymmetricJwsAlgorithm, AlgorithmSpec>> = Object.freeze({
  RS256: { hash: 'sha256', kty: 'RSA' },
  RS384: { hash: 'sha384', kty: 'RSA' },
  RS512: { hash: 'sha512', kty: 'RSA' },
  PS256: { hash: 'sha256', kty: 'RSA', pss: true },
  PS384: { hash: 'sha384', kty: 'RSA', pss: true },
  PS512: { hash: 'sha512', kty: 'RSA', pss: true },
  ES256: { hash: 'sha256', kty: 'EC', crv: 'P-256', ecdsa: true },
  ES384: { hash: 'sha384', kty: 'EC', crv: 'P-384', ecdsa: true },
  ES512: { hash: 'sha512', kty: 'EC', crv: 'P-521', ecdsa: true },
  EdDSA: { hash: null, kty: 'OKP', crv: 'Ed25519' },
  Ed25519: { hash: null, kty: 'OKP', crv: 'Ed25519' },
});

export const SYMMETRIC_ALGORITHMS: readonly SymmetricJwsAlgorithm[] = ['HS256', 'HS384', 'HS512'];

export function isAsymmetricAlgorithm(alg: unknown): alg is AsymmetricJwsAlgorithm {
  return typeof alg === 'string' && Object.hasOwn(ASYMMETRIC_ALGORITHMS, alg);
}

export function isSymmetricAlgorithm(alg: unknown): alg is SymmetricJwsAlgorithm {
  return typeof alg === 'string' && (SYMMETRIC_ALGORITHMS as readonly string[]).includes(alg);
}

/** Checks a configured list of algorithms once, at start-up: a TypeError names the setting. */
export function checkAsymmetricAlgorithms(setting: string, value: unknown): AsymmetricJwsAlgorithm[] {
  if (!Array.isArray(value) || value.length === 0 || !value.every(isAsymmetricAlgorithm)) {
    throw new TypeError(
      `${setting} must be a non-empty array of ${Object.keys(ASYMMETRIC_ALGORITHMS).join(', ')} (never none or HS*)`,
    );
  }
  return [...new Set(value)];
}

/** Whether a JWK of the provider's key set may verify `alg`: key type and curve must match. */
export function jwkFitsAlgorithm(
  jwk: { kty?: unknown; crv?: unknown },
  alg: AsymmetricJwsAlgorithm,
): boolean {
  const spec = ASYMMETRIC_ALGORITHMS[alg];
  return jwk.kty === spec.kty && (spec.crv === undefined || jwk.crv === spec.crv);
}

/** The third argument of `crypto.verify` for `alg`: the key, with padding or signature encoding. */
export function verifyKeyInput(alg: AsymmetricJwsAlgorithm, key: KeyObject) {
  const spec = ASYMMETRIC_ALGORITHMS[alg];
  // RFC 7518 3.5: the PSS salt is as long as the digest.
  if (spec.pss)
    return { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_DIGEST };
  if (spec.ecdsa) return { key, dsaEncoding: 'ieee-p1363' as const };
  return key;
}
