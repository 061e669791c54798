import { createHash, randomInt } from 'node:crypto';

const DIGITS = 6;

/** A code to send: six digits from the CSPRNG, leading zeros kept. */
export function generateEmailCode(): string {
  return String(randomInt(0, 10 ** DIGITS)).padStart(DIGITS, '0');
}

export function isEmailCodeFormat(code: string): boolean {
  return /^\d{6}$/.test(code);
}

/**
 * What the store keeps of a code. Six digits are 20 bits: no hash keeps them from someone who reads
 * the table. What protects a code is its short life, its single use and the throttle on wrong codes;
 * the hash keeps live codes out of plain sight in the database and its backups. The challenge id in
 * the input ties the hash to the login the code was sent for.
 */
export function hashEmailCode(challengeId: string, code: string): string {
  return createHash('sha256').update(`stepup-email-code\0${challengeId}\0${code}`).digest('base64url');
}
