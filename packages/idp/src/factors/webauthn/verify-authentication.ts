import { verifyAuthenticationResponse } from '@simplewebauthn/server';
import { isoBase64URL } from '@simplewebauthn/server/helpers';
import type { WebAuthnCredential } from '../../store/webauthn-credentials.ts';
import { checkClientData } from './check-client-data.ts';
import { checkRpIdHash } from './check-rp-id-hash.ts';
import { userHandleOf } from './issue-registration-options.ts';
import { readAuthenticationResponse } from './read-webauthn-response.ts';
import { WebAuthnError } from './webauthn-error.ts';
import { isPasskey, methodForAssertion, type WebAuthnMethod } from './webauthn-method.ts';
import type { WebAuthnContext } from './webauthn-relying-party.ts';

export interface VerifiedAuthentication {
  /** The credential as it was before this use. */
  credential: WebAuthnCredential;
  method: WebAuthnMethod;
  userVerified: boolean;
  /** The signature counter this assertion carried, now stored. */
  counter: number;
  /** The challenge the assertion was checked against (base64url). */
  challenge: string;
}

/**
 * Finishes a WebAuthn assertion (WebAuthn Level 3 7.2) for one login interaction.
 *
 * - The challenge is taken from the store first, so it is single use whatever the outcome, and it must
 *   be the one issued to this interaction for this ceremony (`authentication`: a second factor of
 *   `userId`; `sign-in`: a passkey as the first step, the credential naming the user).
 * - The response must come from our origin and name our RP ID; the credential must be on record (and
 *   be the user's); a passkey's user handle must match its owner; the signature must verify.
 * - User verification is required for `sign-in` and for every passkey (see `methodForAssertion`).
 *
 * **Signature counter.** The authenticator counts its signatures; a counter that does not move forward
 * (the new value at or below the stored one, when either is non-zero) means two authenticators hold
 * the same key — a clone — or a replayed response (7.2 step 21; the spec leaves it to the relying
 * party whether to fail). We **refuse** the assertion with `counter_regression`, leave the stored
 * counter as it was, and the caller logs it as a possible cloned authenticator. The check runs after
 * the signature verified, so only a holder of the key can trigger it, and it is one atomic
 * conditional update in the store, so two uses racing with the same counter cannot both pass.
 * Authenticators that do not count (0 stays 0, as synced passkeys do) are accepted.
 *
 * Throws `WebAuthnError`; on success the counter, backup state and last use are recorded.
 */
export async function verifyAuthentication(
  context: WebAuthnContext,
  request: { interactionUid: string; response: unknown; now: number } & (
    | { ceremony: 'authentication'; userId: string }
    | { ceremony: 'sign-in' }
  ),
): Promise<VerifiedAuthentication> {
  const { relyingParty, credentials, challenges } = context;
  const { ceremony, now } = request;
  const expectedUserId = ceremony === 'authentication' ? request.userId : null;
  const challenge = await challenges.consume(request.interactionUid, ceremony, now);
  if (!challenge || challenge.userId !== expectedUserId) {
    throw new WebAuthnError('challenge_not_found', `no open ${ceremony} challenge for this interaction`, {
      userId: expectedUserId,
    });
  }
  const response = readAuthenticationResponse(request.response);
  const scope = { userId: expectedUserId, credentialId: response.id };
  checkClientData(
    response.response.clientDataJSON,
    { type: 'webauthn.get', challenge: challenge.challenge, relyingParty },
    scope,
  );
  const authenticatorData = checkRpIdHash(
    isoBase64URL.toBuffer(response.response.authenticatorData),
    relyingParty,
    scope,
  );

  const credential = await credentials.findById(response.id);
  if (!credential || (expectedUserId !== null && credential.userId !== expectedUserId)) {
    throw new WebAuthnError('unknown_credential', 'credential not on record for this user', scope);
  }
  const owner = { userId: credential.userId, credentialId: credential.id };
  if (ceremony === 'sign-in') {
    // 7.2 step 6: a discoverable credential says whose it is; it must be the owner on record.
    const { userHandle } = response.response;
    const expectedHandle = isoBase64URL.fromBuffer(userHandleOf(credential.userId));
    if (userHandle !== expectedHandle) {
      throw new WebAuthnError('user_handle_mismatch', 'user handle does not name the owner', owner);
    }
  }
  const userVerified = authenticatorData.flags.uv;
  if (!userVerified && (ceremony === 'sign-in' || isPasskey(credential))) {
    throw new WebAuthnError('user_verification_required', 'no user verification', owner);
  }

  let verification: Awaited<ReturnType<typeof verifyAuthenticationResponse>>;
  try {
    verification = await verifyAuthenticationResponse({
      response,
      expectedChallenge: challenge.challenge,
      expectedOrigin: relyingParty.origin,
      expectedRPID: relyingParty.id,
      // The counter is checked below, atomically and with its own code; 0 turns the library's check off.
      credential: {
        id: credential.id,
        publicKey: credential.publicKey,
        counter: 0,
        transports: credential.transports,
      },
      requireUserVerification: ceremony === 'sign-in',
    });
  } catch (cause) {
    throw new WebAuthnError('verification_failed', cause instanceof Error ? cause.message : String(cause), {
      ...owner,
      cause,
    });
  }
  if (!verification.verified) throw new WebAuthnError('verification_failed', 'signature not verified', owner);
  const { newCounter, credentialBackedUp } = verification.authenticationInfo;

  const method = methodForAssertion(credential, userVerified);
  if (!method) throw new WebAuthnError('user_verification_required', 'no user verification', owner);
  const advanced = await credentials.recordUse(credential.id, {
    counter: newCounter,
    backedUp: credentialBackedUp,
    now,
  });
  if (!advanced) {
    throw new WebAuthnError(
      'counter_regression',
      `signature counter ${newCounter} does not advance the stored ${credential.counter}: possible cloned authenticator`,
      owner,
    );
  }
  return { credential, method, userVerified, counter: newCounter, challenge: challenge.challenge };
}
