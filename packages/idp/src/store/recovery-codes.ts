/** What is known about a user's set of recovery codes, without the codes. */
export interface RecoveryCodeSetSummary {
  /** Codes in the set. */
  total: number;
  /** Codes not used yet. */
  remaining: number;
  /** Epoch seconds at which the set was issued. */
  issuedAt: number;
  /** Epoch seconds of the last use, or null if no code of the set was used. */
  lastUsedAt: number | null;
}

/**
 * Single-use recovery codes, stored as hashes only. A user has at most one set: issuing a new one
 * voids the old.
 */
export interface RecoveryCodesRepository {
  /**
   * Replaces the user's set with these hashes in one transaction, so no moment exists where both the
   * old and the new set work, or neither. Duplicate or empty hashes are a `TypeError`.
   */
  replaceSet(userId: string, codeHashes: readonly string[], now: number): Promise<void>;
  /**
   * Marks the user's code with this hash used. Atomic: of concurrent callers presenting the same code,
   * exactly one resolves true; a used, voided or unknown code resolves false.
   */
  consume(userId: string, codeHash: string, now: number): Promise<boolean>;
  /** The hashes of the user's codes not used yet (at most a set's worth), to check a code against each. */
  unusedHashes(userId: string): Promise<string[]>;
  /** The user's current set, or undefined when they have none. */
  summary(userId: string): Promise<RecoveryCodeSetSummary | undefined>;
}
