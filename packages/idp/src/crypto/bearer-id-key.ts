import { hkdfSync } from 'node:crypto';

/** HKDF `info`: keys derived for other purposes from the same secret never equal this one. */
const INFO = 'stepup bearer-id hmac v1';

/**
 * The key bearer ids are hashed under (HKDF-SHA256, RFC 5869), derived from a secret of at least 32
 * bytes so the secret itself is used for one purpose only.
 */
export function deriveBearerIdKey(secret: Buffer): Buffer {
  if (secret.length < 32) throw new TypeError('the bearer-id key needs a secret of at least 32 bytes');
  return Buffer.from(hkdfSync('sha256', secret, Buffer.alloc(0), INFO, 32));
}
