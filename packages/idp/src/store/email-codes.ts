export interface SaveEmailCodeInput {
  /** What the code was sent for: one login interaction. A code works for that login only. */
  challengeId: string;
  userId: string;
  /** Opaque to the store: the caller hashes the code. */
  codeHash: string;
  /** Epoch seconds after which the code no longer works. */
  expiresAt: number;
  now: number;
}

export interface ConsumeEmailCodeInput {
  challengeId: string;
  userId: string;
  codeHash: string;
  now: number;
}

/** One-time codes sent by email, each bound to the challenge it was sent for. */
export interface EmailCodesRepository {
  /**
   * Stores the code sent for a challenge. A code sent for it earlier is replaced (a new email voids the
   * previous code), unless that one was already used: a used challenge never reopens. Codes that have
   * expired, of any challenge, are dropped.
   */
  save(input: SaveEmailCodeInput): Promise<void>;
  /**
   * Marks the challenge's code used when the hash matches and it has not expired. Atomic: of
   * concurrent callers presenting the same code, exactly one resolves true.
   */
  consume(input: ConsumeEmailCodeInput): Promise<boolean>;
}
