import { createHash, randomBytes } from 'node:crypto';

/** Crockford's base32: no I, L, O or U, so a code copied by hand or read aloud is unambiguous. */
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
/** 10 symbols of 5 bits: 50 bits from the CSPRNG per code. */
const LENGTH = 10;
const GROUP = 5;

/** How many codes one set holds. */
export const RECOVERY_CODES_PER_SET = 10;

/** Random bytes; tests inject their own. */
export type RandomSource = (size: number) => Uint8Array;

/** One code as it is shown: two groups of five, e.g. `7QKXM-2HD9R`. */
export function generateRecoveryCode(random: RandomSource = randomBytes): string {
  // 32 symbols: the low 5 bits of a random byte pick each one without bias.
  const symbols = Array.from(random(LENGTH), (byte) => ALPHABET[byte & 31]).join('');
  return `${symbols.slice(0, GROUP)}-${symbols.slice(GROUP)}`;
}

/** A set of distinct codes, as shown. */
export function generateRecoveryCodeSet(
  count: number = RECOVERY_CODES_PER_SET,
  random: RandomSource = randomBytes,
): string[] {
  const codes = new Set<string>();
  while (codes.size < count) codes.add(generateRecoveryCode(random));
  return [...codes];
}

/**
 * The code as typed, in canonical form: letter case, spaces and dashes ignored, and the letters
 * people mistake for digits read as those digits (Crockford: O → 0, I and L → 1). Undefined when it
 * cannot be a recovery code.
 */
export function normalizeRecoveryCode(input: string): string | undefined {
  const compact = input
    .toUpperCase()
    .replace(/[\s-]+/g, '')
    .replace(/O/g, '0')
    .replace(/[IL]/g, '1');
  if (compact.length !== LENGTH) return undefined;
  for (const char of compact) if (!ALPHABET.includes(char)) return undefined;
  return compact;
}

/**
 * What the store keeps of a code. SHA-256, not argon2: a code is 50 random bits, so there is no
 * dictionary for a slow hash to slow down, and a fast hash lets the store look a code up in one
 * conditional UPDATE (which is what makes it single-use under concurrent requests). Online guessing is
 * throttled like every second-factor code. Offline, the user id in the input means each account has
 * to be searched on its own (about 2^46 hashes to hit one of ten codes); whoever reads the database
 * also holds the key that seals the TOTP secrets, so these hashes are not the weakest part of it.
 */
export function hashRecoveryCode(userId: string, normalizedCode: string): string {
  return createHash('sha256')
    .update(`stepup-recovery-code\0${userId}\0${normalizedCode}`)
    .digest('base64url');
}
