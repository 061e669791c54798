import { randomUUID } from 'node:crypto';
import { type CryptoKey, SignJWT } from 'jose';

/**
 * A `private_key_jwt` client assertion (RFC 7523 3, OIDC Core 9) signed by the test's key, built
 * without openid-client so a test can send the same one twice, or to two nodes.
 */
export async function signClientAssertion(options: {
  clientId: string;
  audience: string | string[];
  privateKey: CryptoKey;
  alg: string;
  jti?: string;
  lifetimeSeconds?: number;
}): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({})
    .setProtectedHeader({ alg: options.alg })
    .setIssuer(options.clientId)
    .setSubject(options.clientId)
    .setAudience(options.audience)
    .setJti(options.jti ?? randomUUID())
    .setIssuedAt(now)
    .setExpirationTime(now + (options.lifetimeSeconds ?? 60))
    .sign(options.privateKey);
}

export const CLIENT_ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
