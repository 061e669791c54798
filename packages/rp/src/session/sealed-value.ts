import { hkdfSync } from 'node:crypto';
import { EncryptJWT, jwtDecrypt } from 'jose';

/**
 * Encrypts small JSON values for cookies (JWE, `dir` + `A256GCM`, via `jose`) with a key derived from
 * the session secret for one purpose, so a transaction cookie can never be read as a session cookie.
 * A value that was tampered with, sealed for another purpose, or past its expiry opens to undefined.
 */
export class Sealer {
  readonly #key: Uint8Array;
  readonly #purpose: string;

  constructor(secret: Uint8Array, purpose: string) {
    this.#key = new Uint8Array(hkdfSync('sha256', secret, new Uint8Array(0), `@stepup/rp ${purpose}`, 32));
    this.#purpose = purpose;
  }

  async seal(value: Record<string, unknown>, expiresAt: number): Promise<string> {
    return new EncryptJWT({ v: value, p: this.#purpose })
      .setProtectedHeader({ alg: 'dir', enc: 'A256GCM' })
      .setExpirationTime(expiresAt)
      .encrypt(this.#key);
  }

  async open(sealed: string, now: number): Promise<Record<string, unknown> | undefined> {
    try {
      const { payload } = await jwtDecrypt(sealed, this.#key, {
        keyManagementAlgorithms: ['dir'],
        contentEncryptionAlgorithms: ['A256GCM'],
        currentDate: new Date(now * 1000),
      });
      const value = payload.v;
      if (
        payload.p !== this.#purpose ||
        typeof value !== 'object' ||
        value === null ||
        Array.isArray(value)
      ) {
        return undefined;
      }
      return value as Record<string, unknown>;
    } catch {
      return undefined;
    }
  }
}
