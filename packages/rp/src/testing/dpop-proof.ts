import { createHash, randomUUID } from 'node:crypto';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, type JWK, SignJWT } from 'jose';

/** A DPoP key pair for tests: its public JWK, its thumbprint (what `cnf.jkt` holds) and a proof signer. */
export interface TestDpopKey {
  jwk: JWK;
  jkt: string;
  /**
   * A proof for `method` `url` and `accessToken`; `claims` overrides or removes (undefined) claims,
   * `header` adds to or replaces the protected header.
   */
  proof(
    method: string,
    url: string,
    accessToken: string,
    options?: { claims?: Record<string, unknown>; header?: Record<string, unknown> },
  ): Promise<string>;
}

export async function createTestDpopKey(
  clock: () => number,
  alg: 'ES256' | 'EdDSA' = 'ES256',
): Promise<TestDpopKey> {
  const { publicKey, privateKey } = await generateKeyPair(alg, { extractable: true });
  const jwk = await exportJWK(publicKey);
  return {
    jwk,
    jkt: await calculateJwkThumbprint(jwk, 'sha256'),
    async proof(method, url, accessToken, options = {}) {
      const claims: Record<string, unknown> = {
        htm: method,
        htu: url,
        iat: clock(),
        jti: randomUUID(),
        ath: createHash('sha256').update(accessToken).digest('base64url'),
      };
      for (const [name, value] of Object.entries(options.claims ?? {})) {
        if (value === undefined) delete claims[name];
        else claims[name] = value;
      }
      return new SignJWT(claims)
        .setProtectedHeader({ alg, typ: 'dpop+jwt', jwk, ...options.header })
        .sign(privateKey);
    },
  };
}
