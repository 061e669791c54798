import argon2 from 'argon2';
import { normalizePassword } from './password-policy.ts';

/** OWASP Password Storage Cheat Sheet: argon2id, 19 MiB, 2 iterations, 1 degree of parallelism. */
const OWASP_ARGON2ID = { type: argon2.argon2id, memoryCost: 19 * 1024, timeCost: 2, parallelism: 1 } as const;

/** Hashes the password's normalised form (NFKC), so it verifies however its characters were typed. */
export function hashPassword(password: string): Promise<string> {
  return argon2.hash(normalizePassword(password), OWASP_ARGON2ID);
}

let decoyHash: Promise<string> | undefined;

/**
 * Verifies a password. Without a stored hash (unknown user) it still spends the same work on a decoy,
 * so response time does not tell which usernames exist.
 */
export async function verifyPassword(passwordHash: string | undefined, password: string): Promise<boolean> {
  if (passwordHash === undefined) {
    decoyHash ??= hashPassword('decoy password for unknown users');
    await argon2.verify(await decoyHash, password);
    return false;
  }
  const normalized = normalizePassword(password);
  try {
    if (await argon2.verify(passwordHash, normalized)) return true;
    // Hashes made before passwords were normalised hold the characters as typed; only a password
    // that normalisation changes (some non-ASCII ones) can need that second check.
    return normalized !== password && (await argon2.verify(passwordHash, password));
  } catch {
    return false;
  }
}
