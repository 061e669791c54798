import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

const VERSION = 'v1';
const IV_BYTES = 12;
const TAG_BYTES = 16;

/**
 * Encrypts secrets at rest (TOTP seeds) with AES-256-GCM under a key the provider keeps in its store.
 * The record names a version so the scheme can change without a migration of old rows.
 */
export class SecretBox {
  readonly #key: Buffer;

  constructor(key: Buffer) {
    if (key.length !== 32) throw new TypeError('SecretBox needs a 32-byte key');
    this.#key = key;
  }

  static generateKey(): string {
    return randomBytes(32).toString('base64url');
  }

  seal(plaintext: string, context: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.#key, iv);
    cipher.setAAD(Buffer.from(context));
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return [VERSION, iv, body, cipher.getAuthTag()]
      .map((part) => (typeof part === 'string' ? part : part.toString('base64url')))
      .join('.');
  }

  /** Throws when the record was altered or sealed for another context. */
  open(sealed: string, context: string): string {
    const parts = sealed.split('.');
    const [, iv, body, tag] = parts.map((part) => Buffer.from(part, 'base64url'));
    // The tag's length is fixed: GCM would otherwise check a tag cut to 4 bytes, which a forger can guess.
    if (
      parts.length !== 4 ||
      parts[0] !== VERSION ||
      iv?.length !== IV_BYTES ||
      body === undefined ||
      tag?.length !== TAG_BYTES
    ) {
      throw new Error('unsupported sealed secret');
    }
    const decipher = createDecipheriv('aes-256-gcm', this.#key, iv, { authTagLength: TAG_BYTES });
    decipher.setAAD(Buffer.from(context));
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(body), decipher.final()]).toString('utf8');
  }
}
