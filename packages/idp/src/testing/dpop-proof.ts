import { createHash, randomUUID } from 'node:crypto';
import { type CryptoKey, exportJWK, generateKeyPair, SignJWT } from 'jose';

export interface DpopKey {
  privateKey: CryptoKey;
  publicKey: CryptoKey;
}

export async function generateDpopKey(): Promise<DpopKey> {
  return generateKeyPair('ES256', { extractable: true });
}

/**
 * A DPoP proof (RFC 9449 4.2) built without openid-client, so a test can replay it, send it to
 * another node, or leave a claim out.
 */
export async function createDpopProof(
  key: DpopKey,
  request: { htm: string; htu: string; nonce?: string; accessToken?: string; jti?: string },
): Promise<string> {
  const { kty, crv, x, y } = await exportJWK(key.publicKey);
  return new SignJWT({
    htm: request.htm,
    htu: request.htu,
    ...(request.nonce ? { nonce: request.nonce } : {}),
    ...(request.accessToken
      ? { ath: createHash('sha256').update(request.accessToken).digest('base64url') }
      : {}),
  })
    .setProtectedHeader({ alg: 'ES256', typ: 'dpop+jwt', jwk: { kty, crv, x, y } })
    .setJti(request.jti ?? randomUUID())
    .setIssuedAt()
    .sign(key.privateKey);
}
