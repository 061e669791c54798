import argon2 from 'argon2';

/**
 * Recovery codes of releases before this one are 10 symbols: 50 bits, too few for the plain SHA-256
 * they were stored under (NIST SP 800-63B 5.1.2.2 asks for a salted password hash below 112 bits:
 * 2^46 SHA-256 guesses find one of a user's ten codes in hours). The store migration that came with
 * the longer codes puts each unused one's SHA-256 under argon2id with a salt of its own, so an old code
 * still works, once, and a stolen backup holds only the salted hash. OWASP's argon2id parameters, as
 * for passwords.
 */
const OWASP_ARGON2ID = { type: argon2.argon2id, memoryCost: 19 * 1024, timeCost: 2, parallelism: 1 } as const;

/** The PHC prefix of a stored code hash that is a rehashed legacy one (new codes are bare base64url). */
const LEGACY_PREFIX = '$argon2id$';

export function isLegacyRecoveryCodeHash(storedHash: string): boolean {
  return storedHash.startsWith(LEGACY_PREFIX);
}

/** The stored form of a legacy code's SHA-256 (`hashRecoveryCode` of releases before): argon2id of it. */
export function rehashLegacyRecoveryCode(sha256Hash: string): Promise<string> {
  return argon2.hash(sha256Hash, OWASP_ARGON2ID);
}

/** True when `storedHash` is the rehash of this SHA-256 of a typed legacy code. */
export async function legacyRecoveryCodeMatches(storedHash: string, sha256Hash: string): Promise<boolean> {
  try {
    return await argon2.verify(storedHash, sha256Hash);
  } catch {
    return false;
  }
}
