/** What a WebAuthn challenge was issued for, within one login interaction. */
export type WebAuthnCeremony = 'registration' | 'authentication' | 'sign-in';

export interface WebAuthnChallenge {
  /** The login interaction the challenge belongs to, or `account:<session uid>` for the account page. */
  interactionUid: string;
  ceremony: WebAuthnCeremony;
  /** base64url, as sent to the browser in the options. */
  challenge: string;
  /** The user it was issued to; null for a passkey sign-in, where the credential names the user. */
  userId: string | null;
  /** Epoch seconds. */
  expiresAt: number;
}

/**
 * Outstanding WebAuthn challenges: at most one per interaction and ceremony, single use and short-lived
 * (WebAuthn Level 3 13.4.3: a challenge must be fresh and checked once).
 */
export interface WebAuthnChallengesRepository {
  /**
   * Stores the challenge, replacing any earlier one for the same interaction and ceremony; challenges
   * of any interaction that expired at or before `now` are dropped on the way.
   */
  issue(challenge: WebAuthnChallenge, now: number): Promise<void>;
  /**
   * Takes the challenge out of the store. Atomic: of concurrent callers only one receives it, and an
   * expired challenge (`expiresAt` at or before `now`) is removed and never returned.
   */
  consume(
    interactionUid: string,
    ceremony: WebAuthnCeremony,
    now: number,
  ): Promise<WebAuthnChallenge | undefined>;
}
