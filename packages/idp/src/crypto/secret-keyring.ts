import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import type { SecretBox } from './secret-box.ts';

const VERSION = 'v2';
const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
/** 32 bytes in base64url (43 characters) or base64 (44 with its `=`), as `openssl rand -base64 32` prints. */
const KEY_TEXT = /^[A-Za-z0-9_-]{43}$|^[A-Za-z0-9+/]{43}=$/;
/** HKDF labels (RFC 5869 `info`): each use of a ring key gets a key of its own. */
const KEY_ID_LABEL = 'stepup key id';
const BEARER_ID_LABEL = 'stepup bearer id';

interface RingKey {
  id: string;
  key: Buffer;
}

/**
 * The provider's encryption keys, which live outside the database (`STEPUP_SECRET_KEY`, a key file).
 * The first key is current: it seals. Every key opens what was sealed under it, so a new key can
 * become current while records sealed under the older ones are re-sealed in the background.
 *
 * A record names the id of the key that sealed it: `v2.<key id>.<iv>.<ciphertext>.<tag>`, AES-256-GCM
 * with the version, the key id and the context as additional data. A key's id is derived from the key
 * (HKDF), so the same key has the same id on every node and no two keys of a ring share one.
 */
export class SecretKeyring implements SecretBox {
  readonly #keys: readonly RingKey[];
  #bearerIdKeys: Buffer[] | undefined;

  /** `keys`: 32 bytes each, the current one first. */
  constructor(keys: readonly Buffer[]) {
    if (keys.length === 0) throw new TypeError('a SecretKeyring needs at least one key');
    this.#keys = keys.map((key) => {
      if (key.length !== KEY_BYTES) throw new TypeError(`a SecretKeyring key must be ${KEY_BYTES} bytes`);
      return { id: keyIdOf(key), key: Buffer.from(key) };
    });
    const ids = new Set(this.#keys.map(({ id }) => id));
    if (ids.size !== this.#keys.length) throw new TypeError('the same key appears twice in the keyring');
  }

  /**
   * Reads the text form of a keyring: keys in base64url or base64, the current one first, separated
   * by white space or commas. Throws a `TypeError` that says what is wrong, never showing a key.
   */
  static parse(text: string): SecretKeyring {
    const words = text.split(/[\s,]+/).filter((word) => word !== '');
    if (words.length === 0) throw new TypeError('no key given');
    return new SecretKeyring(
      words.map((word, index) => {
        if (!KEY_TEXT.test(word)) {
          throw new TypeError(
            `key ${index + 1} is not 32 bytes in base64 or base64url (make one with: openssl rand -base64 32)`,
          );
        }
        return Buffer.from(word.replace(/\+/g, '-').replace(/\//g, '_').replace(/=$/, ''), 'base64url');
      }),
    );
  }

  /** A new random key in the text form `parse` reads. */
  static generateKey(): string {
    return randomBytes(KEY_BYTES).toString('base64url');
  }

  /** The keys in the text form `parse` reads, current first: for writing the ring back after a rotation. */
  keyTexts(): string[] {
    return this.#keys.map(({ key }) => key.toString('base64url'));
  }

  /** The id of the key that seals now. */
  get currentKeyId(): string {
    return this.#current.id;
  }

  /** Every key's id, the current one first. */
  get keyIds(): string[] {
    return this.#keys.map(({ id }) => id);
  }

  /** How every record sealed under the current key starts; a record that does not is re-sealed. */
  get currentRecordPrefix(): string {
    return `${VERSION}.${this.#current.id}.`;
  }

  /**
   * Keys for the HMAC of bearer ids (refresh tokens, codes, session ids), one per ring key and the
   * current one's first: write with the first, look up with each. Derived with HKDF under a label of
   * their own, so they are never the keys that encrypt. A key removed from the ring takes its HMAC key
   * with it: what was hashed under it can no longer be found.
   */
  bearerIdKeys(): Buffer[] {
    this.#bearerIdKeys ??= this.#keys.map(({ key }) => derive(key, BEARER_ID_LABEL, 32));
    return this.#bearerIdKeys.map((key) => Buffer.from(key));
  }

  seal(plaintext: string, context: string): string {
    const { id, key } = this.#current;
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(additionalData(id, context));
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return [VERSION, id, ...[iv, body, cipher.getAuthTag()].map((part) => part.toString('base64url'))].join(
      '.',
    );
  }

  /** Throws when the record was altered, sealed for another context, or under a key not in the ring. */
  open(sealed: string, context: string): string {
    const parts = sealed.split('.');
    const [version, id] = parts;
    const [iv, body, tag] = parts.slice(2).map((part) => Buffer.from(part, 'base64url'));
    // The tag's length is fixed: GCM would otherwise check a tag cut to 4 bytes, which a forger can guess.
    if (
      parts.length !== 5 ||
      version !== VERSION ||
      iv?.length !== IV_BYTES ||
      body === undefined ||
      tag?.length !== TAG_BYTES
    ) {
      throw new Error('unsupported sealed secret');
    }
    const ringKey = this.#keys.find((candidate) => candidate.id === id);
    if (!ringKey) throw new Error(`sealed under key ${id}, which is not in the keyring`);
    const decipher = createDecipheriv('aes-256-gcm', ringKey.key, iv, { authTagLength: TAG_BYTES });
    decipher.setAAD(additionalData(ringKey.id, context));
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(body), decipher.final()]).toString('utf8');
  }

  get #current(): RingKey {
    return this.#keys[0] as RingKey;
  }
}

function derive(key: Buffer, label: string, bytes: number): Buffer {
  return Buffer.from(hkdfSync('sha256', key, Buffer.alloc(0), label, bytes));
}

function keyIdOf(key: Buffer): string {
  return derive(key, KEY_ID_LABEL, 6).toString('base64url');
}

/** The record's header and its context: a record cannot claim another key or move to another owner. */
function additionalData(keyId: string, context: string): Buffer {
  return Buffer.from(`${VERSION}.${keyId}\n${context}`);
}
