import { exportJWK, importJWK, type JWK } from 'jose';
import * as oidc from 'openid-client';

/** The algorithms a session's DPoP key may use. */
export type DpopAlgorithm = 'ES256' | 'EdDSA' | 'PS256';

/**
 * A new DPoP key for a new session (RFC 9449 2): generated at the callback, before the code is
 * redeemed, so the tokens are bound to it from the start. It is kept in the session — which
 * `createStepupRp` only allows in a server-side `sessionStore`, so the private key never reaches the
 * browser, not even encrypted in a cookie — as a private JWK with its `alg`.
 */
export async function generateSessionDpopKey(
  alg: DpopAlgorithm,
): Promise<{ keyPair: CryptoKeyPair; jwk: JWK }> {
  const keyPair = await oidc.randomDPoPKeyPair(alg, { extractable: true });
  const jwk = { ...(await exportJWK(keyPair.privateKey)), alg };
  return { keyPair, jwk };
}

/** The key pair of a session's stored DPoP key. */
export async function importSessionDpopKey(jwk: JWK): Promise<CryptoKeyPair> {
  const alg = jwk.alg;
  if (typeof alg !== 'string') throw new TypeError('the session DPoP key has no alg');
  const privateKey = (await importJWK(jwk, alg)) as CryptoKey;
  const { d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, ...publicJwk } = jwk;
  const publicKey = (await importJWK(publicJwk, alg, { extractable: true })) as CryptoKey;
  return { privateKey, publicKey };
}
