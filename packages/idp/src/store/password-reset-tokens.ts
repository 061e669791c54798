/** What a password reset link was issued for. */
export interface PasswordResetGrant {
  userId: string;
  /**
   * A digest of the password hash the account had when the link was sent. Any later change of the
   * password (account page, reset, CLI, management API) gives another digest, and the link stops working.
   */
  passwordFingerprint: string;
  /** Epoch seconds. */
  expiresAt: number;
}

export interface IssuePasswordResetTokenInput extends Omit<PasswordResetGrant, 'expiresAt'> {
  /** Opaque to the store: the caller stores a keyed hash of the link's token, never the token. */
  tokenHash: string;
  now: number;
  expiresAt: number;
}

/** Single-use password reset links, sent by email; kept in the durable database (they must survive a restart). */
export interface PasswordResetTokensRepository {
  /** Stores a link's token; tokens that have expired, of any account, are dropped. */
  issue(input: IssuePasswordResetTokenInput): Promise<void>;
  /** The grant of an unused token before its expiry, without using it; undefined otherwise. */
  find(tokenHash: string, now: number): Promise<PasswordResetGrant | undefined>;
  /**
   * Atomic single use: resolves the grant for the one caller that presented the token unused and
   * before its expiry; undefined for an unknown, used or expired token.
   */
  consume(tokenHash: string, now: number): Promise<PasswordResetGrant | undefined>;
}
