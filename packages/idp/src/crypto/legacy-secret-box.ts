import { createDecipheriv } from 'node:crypto';

const VERSION = 'v1';
const IV_BYTES = 12;
const TAG_BYTES = 16;

/**
 * Opens the records that releases before the keyring sealed under the `secret-box-key` they kept in
 * the database (`v1.<iv>.<ciphertext>.<tag>`, AES-256-GCM, the context as additional data). Only the
 * upgrade uses it, to re-seal them under the keyring; nothing seals this way any more.
 */
export class LegacySecretBox {
  readonly #key: Buffer;

  constructor(key: Buffer) {
    if (key.length !== 32) throw new TypeError('LegacySecretBox needs a 32-byte key');
    this.#key = key;
  }

  static isLegacyRecord(sealed: string): boolean {
    return sealed.startsWith(`${VERSION}.`);
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
