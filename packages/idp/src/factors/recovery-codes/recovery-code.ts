import { createHash, randomBytes } from 'node:crypto';

/** Crockford's base32: no I, L, O or U, so a code copied by hand or read aloud is unambiguous. */
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
/**
 * 24 symbols of 5 bits: 120 bits from the CSPRNG per code, above the 112 bits NIST SP 800-63B 5.1.2.2
 * asks of a look-up secret kept under a plain one-way hash, in six groups of four to copy by hand.
 */
const LENGTH = 24;
const GROUP = 4;
/** Codes of releases before: 10 symbols (50 bits), kept under a salted password hash (legacy-recovery-code.ts). */
export const LEGACY_LENGTH = 10;

/** How many codes one set holds. */
export const RECOVERY_CODES_PER_SET = 10;

/** Random bytes; tests inject their own. */
export type RandomSource = (size: number) => Uint8Array;

/** One code as it is shown: six groups of four, e.g. `7QKX-M2HD-9RAB-C4EF-GH5J-KM6N`. */
export function generateRecoveryCode(random: RandomSource = randomBytes): string {
  // 32 symbols: the low 5 bits of a random byte pick each one without bias.
  const symbols = Array.from(random(LENGTH), (byte) => ALPHABET[byte & 31]).join('');
  return symbols.match(new RegExp(`.{${GROUP}}`, 'g'))?.join('-') ?? symbols;
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
 * cannot be a recovery code of today (24 symbols) or of releases before (`LEGACY_LENGTH`).
 */
export function normalizeRecoveryCode(input: string): string | undefined {
  const compact = input
    .toUpperCase()
    .replace(/[\s-]+/g, '')
    .replace(/O/g, '0')
    .replace(/[IL]/g, '1');
  if (compact.length !== LENGTH && compact.length !== LEGACY_LENGTH) return undefined;
  for (const char of compact) if (!ALPHABET.includes(char)) return undefined;
  return compact;
}

/**
 * What the store keeps of a code. SHA-256, not argon2: a code is 120 random bits, so NIST SP 800-63B
 * 5.1.2.2 asks only for an approved one-way function (a slow hash is for secrets under 112 bits), and
 * a fast hash lets the store look a code up in one conditional UPDATE, which is what makes it
 * single-use under concurrent requests. The user id in the input means each account has to be
 * searched on its own. Online guessing is throttled like every second-factor code. Codes of releases
 * before, 50 bits, rest under argon2id instead (legacy-recovery-code.ts).
 */
export function hashRecoveryCode(userId: string, normalizedCode: string): string {
  return createHash('sha256')
    .update(`stepup-recovery-code\0${userId}\0${normalizedCode}`)
    .digest('base64url');
}
