/** What an enrollment token was issued for. */
export interface PushEnrollmentGrant {
  userId: string;
  /** The login interaction whose page showed the token, when it was issued during a login. */
  interactionUid: string | null;
}

export interface IssuePushEnrollmentTokenInput extends PushEnrollmentGrant {
  /** SHA-256 of the token: the token itself is shown once and never stored. */
  tokenHash: string;
  now: number;
  expiresAt: number;
}

/** Short-lived, single-use tokens that let a device register itself as a user's push device. */
export interface PushEnrollmentTokensRepository {
  /** Stores a token; other unused tokens issued for the same interaction stop working. */
  issue(input: IssuePushEnrollmentTokenInput): Promise<void>;
  /**
   * Atomic single use: resolves the grant for the one caller that presented the token unused and
   * before its expiry; undefined for an unknown, used or expired token.
   */
  consume(tokenHash: string, now: number): Promise<PushEnrollmentGrant | undefined>;
}
