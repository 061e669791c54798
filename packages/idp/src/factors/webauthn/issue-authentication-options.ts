import { randomBytes } from 'node:crypto';
import {
  generateAuthenticationOptions,
  type PublicKeyCredentialRequestOptionsJSON,
} from '@simplewebauthn/server';
import { transactionWebAuthnChallenge } from '../../authorization-details/transaction-webauthn-challenge.ts';
import { WEBAUTHN_CHALLENGE_TTL_SECONDS, type WebAuthnContext } from './webauthn-relying-party.ts';

/**
 * Starts a WebAuthn assertion within one login interaction: stores a fresh challenge bound to the
 * interaction (replacing any earlier one of the same ceremony) and returns the options for
 * `startAuthentication()` in the browser.
 *
 * - With `userId` (a second factor): the user's own credentials are allowed, user verification is
 *   preferred.
 * - Without (`sign-in`, a passkey as the first step): any discoverable credential for our RP ID, and
 *   user verification is required, since the passkey alone then identifies and authenticates.
 */
export async function issueAuthenticationOptions(
  context: WebAuthnContext,
  request: { interactionUid: string; now: number } & (
    | {
        ceremony: 'authentication';
        userId: string;
        /** A transaction-bound login: the challenge is derived from the details' digest. */
        transactionDigest?: string;
      }
    | { ceremony: 'sign-in' }
  ),
): Promise<PublicKeyCredentialRequestOptionsJSON> {
  const { relyingParty, credentials, challenges } = context;
  const { now } = request;
  const userId = request.ceremony === 'authentication' ? request.userId : null;
  const allowed = userId === null ? [] : await credentials.listForUser(userId);
  const options = await generateAuthenticationOptions({
    rpID: relyingParty.id,
    challenge:
      request.ceremony === 'authentication' && request.transactionDigest
        ? transactionWebAuthnChallenge(request.transactionDigest)
        : randomBytes(32),
    timeout: WEBAUTHN_CHALLENGE_TTL_SECONDS * 1000,
    userVerification: userId === null ? 'required' : 'preferred',
    allowCredentials: allowed.map((credential) => ({ id: credential.id, transports: credential.transports })),
  });
  await challenges.issue(
    {
      interactionUid: request.interactionUid,
      ceremony: request.ceremony,
      challenge: options.challenge,
      userId,
      expiresAt: now + WEBAUTHN_CHALLENGE_TTL_SECONDS,
    },
    now,
  );
  return options;
}
