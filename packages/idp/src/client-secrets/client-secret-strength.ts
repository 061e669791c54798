import { randomBytes } from 'node:crypto';

/**
 * A client secret carries at least 256 bits: 32 random bytes. That makes it unguessable online and
 * offline, long enough as an HS256 key (RFC 7518 3.2), and lets it rest under a plain SHA-256
 * (`stored-client-secret.ts`).
 */
export const CLIENT_SECRET_BYTES = 32;

/** How to make a secret that passes, named in every refusal. */
export const HOW_TO_GENERATE = 'generate one with `openssl rand -hex 32`';

/** A new secret: 32 random bytes, base64url without padding (43 characters). */
export function generateClientSecret(): string {
  return randomBytes(CLIENT_SECRET_BYTES).toString('base64url');
}

/**
 * What a supplied secret is measured by: the smallest alphabet it is written in, at the bits each of
 * its characters carries when drawn at random. 256 bits is 64 hex characters, or 43 base64url (or
 * base64, padding not counted). Other characters are refused: a typed phrase cannot be measured.
 */
const ALPHABETS = [
  { name: 'hex', pattern: /^[0-9a-fA-F]+$/, minLength: 64 },
  { name: 'base64url', pattern: /^[A-Za-z0-9_-]+$/, minLength: 43 },
  { name: 'base64', pattern: /^[A-Za-z0-9+/]+={0,2}$/, minLength: 43 },
] as const;

/**
 * A random string of that length has many distinct characters (43 base64url characters: about 31);
 * one with fewer than this is a pattern (`aaaa…`, `abcabc…`) however long it is.
 */
const MIN_DISTINCT_CHARACTERS = 12;

/** A supplied secret too weak to register; `message` says what is needed and how to make one. */
export class WeakClientSecretError extends Error {
  readonly code = 'weak_client_secret';

  constructor(problem: string) {
    super(
      `${problem}: a client secret needs 256 random bits, at least 43 base64url or 64 hex characters; ${HOW_TO_GENERATE}`,
    );
    this.name = 'WeakClientSecretError';
  }
}

/** Throws `WeakClientSecretError` unless `secret` is written as 256 random bits would be. */
export function checkClientSecretStrength(secret: string): void {
  const alphabet = ALPHABETS.find(({ pattern }) => pattern.test(secret));
  if (alphabet === undefined)
    throw new WeakClientSecretError('the secret has characters other than hex or base64url');
  const length = secret.replace(/=+$/, '').length;
  if (length < alphabet.minLength) {
    throw new WeakClientSecretError(
      `the secret has ${length} ${alphabet.name} characters, fewer than ${alphabet.minLength}`,
    );
  }
  if (new Set(secret).size < MIN_DISTINCT_CHARACTERS) {
    throw new WeakClientSecretError('the secret repeats a few characters: it is a pattern, not random');
  }
}
