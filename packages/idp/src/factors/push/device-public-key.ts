import { createPublicKey, verify } from 'node:crypto';
import type { PushDevicePublicKey } from '../../store/push-devices.ts';
import { PushError } from './push-error.ts';

const COORDINATE = /^[A-Za-z0-9_-]{43}$/;
const SIGNATURE = /^[A-Za-z0-9_-]{86}$/;

/**
 * Reads a device's public key from a JWK (RFC 7518 section 6.2.1): ECDSA on P-256, public members
 * only, a point on the curve. Anything else is `invalid_public_key`.
 */
export function readDevicePublicKey(jwk: unknown): PushDevicePublicKey {
  if (typeof jwk !== 'object' || jwk === null) throw new PushError('invalid_public_key', 'not an object');
  const { kty, crv, x, y, d } = jwk as Record<string, unknown>;
  if (kty !== 'EC' || crv !== 'P-256') throw new PushError('invalid_public_key', 'not an EC P-256 key');
  if (d !== undefined) throw new PushError('invalid_public_key', 'contains the private key');
  if (typeof x !== 'string' || typeof y !== 'string' || !COORDINATE.test(x) || !COORDINATE.test(y)) {
    throw new PushError('invalid_public_key', 'coordinates are not 32-byte base64url');
  }
  const key: PushDevicePublicKey = { kty, crv, x, y };
  try {
    createPublicKey({ key: { ...key }, format: 'jwk' });
  } catch (error) {
    throw new PushError('invalid_public_key', `not a point on P-256: ${(error as Error).message}`);
  }
  return key;
}

/**
 * Verifies an ECDSA P-256 / SHA-256 signature in the IEEE P1363 format (r ‖ s, as WebCrypto signs),
 * base64url-encoded, over the UTF-8 `message`.
 */
export function verifyDeviceSignature(
  publicKey: PushDevicePublicKey,
  message: string,
  signature: string,
): boolean {
  if (!SIGNATURE.test(signature)) return false;
  try {
    return verify(
      'sha256',
      Buffer.from(message, 'utf8'),
      { key: createPublicKey({ key: { ...publicKey }, format: 'jwk' }), dsaEncoding: 'ieee-p1363' },
      Buffer.from(signature, 'base64url'),
    );
  } catch {
    return false;
  }
}
