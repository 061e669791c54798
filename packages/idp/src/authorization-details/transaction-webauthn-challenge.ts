import { randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * A WebAuthn challenge for a transaction-bound login (RFC 9396): 32 fresh random bytes, then the 32
 * bytes of the details' digest. The authenticator signs over clientDataJSON, which holds the
 * challenge, so the assertion is bound to these details as well as to this ceremony.
 */
export function transactionWebAuthnChallenge(
  digest: string,
  random: Uint8Array = randomBytes(32),
): Uint8Array<ArrayBuffer> {
  const digestBytes = Buffer.from(digest, 'base64url');
  if (random.length !== 32 || digestBytes.length !== 32) {
    throw new TypeError('a transaction challenge takes 32 random bytes and a SHA-256 digest');
  }
  const challenge = new Uint8Array(64);
  challenge.set(random, 0);
  challenge.set(digestBytes, 32);
  return challenge;
}

/** True when the (base64url) challenge was derived from `digest` by `transactionWebAuthnChallenge`. */
export function isTransactionWebAuthnChallenge(challenge: string, digest: string): boolean {
  const bytes = Buffer.from(challenge, 'base64url');
  const digestBytes = Buffer.from(digest, 'base64url');
  return bytes.length === 64 && digestBytes.length === 32 && timingSafeEqual(bytes.subarray(32), digestBytes);
}
