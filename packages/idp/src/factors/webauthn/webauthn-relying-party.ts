import type { WebAuthnChallengesRepository } from '../../store/webauthn-challenges.ts';
import type { WebAuthnCredentialsRepository } from '../../store/webauthn-credentials.ts';

/** Who the provider is to an authenticator. */
export interface WebAuthnRelyingParty {
  /** The RP ID: the issuer's hostname, so credentials are scoped to it (WebAuthn Level 3 5.1.4.1 / 5.1.3). */
  id: string;
  /** The only origin a response may come from: the issuer's origin (scheme, host and port). */
  origin: string;
  /** Shown by some authenticators next to the account. */
  name: string;
}

/**
 * How long a challenge stays open: the 5 minutes WebAuthn Level 3 (15.1) recommends as the ceremony
 * timeout when user verification may be asked for, so a PIN entry does not outlive the challenge.
 */
export const WEBAUTHN_CHALLENGE_TTL_SECONDS = 300;

/** What the WebAuthn operations work with: who we are, and where credentials and challenges live. */
export interface WebAuthnContext {
  relyingParty: WebAuthnRelyingParty;
  credentials: WebAuthnCredentialsRepository;
  challenges: WebAuthnChallengesRepository;
}

/** The relying party for a provider at `issuer`: its origin, and its hostname as RP ID. */
export function relyingPartyFor(issuer: string, name = 'Stepup'): WebAuthnRelyingParty {
  const url = new URL(issuer);
  return { id: url.hostname, origin: url.origin, name };
}
