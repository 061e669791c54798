import { randomBytes } from 'node:crypto';
import {
  generateRegistrationOptions,
  type PublicKeyCredentialCreationOptionsJSON,
} from '@simplewebauthn/server';
import { WEBAUTHN_CHALLENGE_TTL_SECONDS, type WebAuthnContext } from './webauthn-relying-party.ts';

/** The WebAuthn user handle of a user: the bytes of their (opaque, non-personal) user id. */
export function userHandleOf(userId: string): Uint8Array<ArrayBuffer> {
  return new TextEncoder().encode(userId);
}

/**
 * Starts registering a security key or passkey for `user` within one login interaction (or one
 * account-page session, see `accountCeremonyUid`): stores a fresh challenge bound to it (replacing
 * any earlier one) and returns the options for `startRegistration()` in the browser.
 *
 * Discoverable credentials are preferred, so the key can later sign in without a username; user
 * verification is preferred (PIN or biometric adds `user` to `amr`); no attestation is asked for.
 */
export async function issueRegistrationOptions(
  context: WebAuthnContext,
  request: {
    interactionUid: string;
    user: { id: string; username: string; name: string | null };
    now: number;
  },
): Promise<PublicKeyCredentialCreationOptionsJSON> {
  const { relyingParty, credentials, challenges } = context;
  const { user, now } = request;
  const existing = await credentials.listForUser(user.id);
  const options = await generateRegistrationOptions({
    rpName: relyingParty.name,
    rpID: relyingParty.id,
    userID: userHandleOf(user.id),
    userName: user.username,
    userDisplayName: user.name ?? user.username,
    challenge: randomBytes(32),
    timeout: WEBAUTHN_CHALLENGE_TTL_SECONDS * 1000,
    attestationType: 'none',
    // The same authenticator twice would be one factor counted as two.
    excludeCredentials: existing.map((credential) => ({
      id: credential.id,
      transports: credential.transports,
    })),
    authenticatorSelection: { residentKey: 'preferred', userVerification: 'preferred' },
  });
  await challenges.issue(
    {
      interactionUid: request.interactionUid,
      ceremony: 'registration',
      challenge: options.challenge,
      userId: user.id,
      expiresAt: now + WEBAUTHN_CHALLENGE_TTL_SECONDS,
    },
    now,
  );
  return options;
}
