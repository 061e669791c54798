import { verifyRegistrationResponse } from '@simplewebauthn/server';
import { decodeAttestationObject, isoBase64URL } from '@simplewebauthn/server/helpers';
import { StoreConflictError } from '../../store/errors.ts';
import type { WebAuthnCredential } from '../../store/webauthn-credentials.ts';
import { checkClientData } from './check-client-data.ts';
import { checkRpIdHash } from './check-rp-id-hash.ts';
import { readRegistrationResponse } from './read-webauthn-response.ts';
import { WebAuthnError } from './webauthn-error.ts';
import { isPasskey, methodForAssertion, type WebAuthnMethod } from './webauthn-method.ts';
import type { WebAuthnContext } from './webauthn-relying-party.ts';

export interface VerifiedRegistration {
  credential: WebAuthnCredential;
  /** What the registration ceremony itself proved (see `methodForAssertion`). */
  method: WebAuthnMethod;
}

/**
 * Finishes registering a security key or passkey (WebAuthn Level 3 7.1): takes the registration
 * challenge of the interaction (or account-page session) named by `interactionUid` (single use: a
 * failed attempt uses it up too), checks the response against it, our origin and our RP ID, verifies
 * the attestation (format `none` or a self/packed statement; no attestation trust is required), and
 * stores the credential for `userId`.
 *
 * Throws `WebAuthnError`; nothing is stored unless every check passed. A passkey registered without
 * user verification is refused (see `methodForAssertion`).
 */
export async function verifyRegistration(
  context: WebAuthnContext,
  request: { interactionUid: string; userId: string; response: unknown; name?: string; now: number },
): Promise<VerifiedRegistration> {
  const { relyingParty, credentials, challenges } = context;
  const { userId, now } = request;
  const challenge = await challenges.consume(request.interactionUid, 'registration', now);
  if (!challenge || challenge.userId !== userId) {
    throw new WebAuthnError('challenge_not_found', 'no open registration challenge for this interaction', {
      userId,
    });
  }
  const response = readRegistrationResponse(request.response);
  const scope = { userId, credentialId: response.id };
  checkClientData(
    response.response.clientDataJSON,
    { type: 'webauthn.create', challenge: challenge.challenge, relyingParty },
    scope,
  );
  let authData: Uint8Array<ArrayBuffer> | undefined;
  try {
    authData = decodeAttestationObject(isoBase64URL.toBuffer(response.response.attestationObject)).get(
      'authData',
    );
  } catch (cause) {
    throw new WebAuthnError('malformed_response', 'unreadable attestation object', { ...scope, cause });
  }
  if (!authData) throw new WebAuthnError('malformed_response', 'attestation without authData', scope);
  checkRpIdHash(authData, relyingParty, scope);

  let verification: Awaited<ReturnType<typeof verifyRegistrationResponse>>;
  try {
    verification = await verifyRegistrationResponse({
      response,
      expectedChallenge: challenge.challenge,
      expectedOrigin: relyingParty.origin,
      expectedRPID: relyingParty.id,
      // Checked below against the kind of credential: a security key may register without a PIN.
      requireUserVerification: false,
    });
  } catch (cause) {
    throw new WebAuthnError('verification_failed', describe(cause), { ...scope, cause });
  }
  if (!verification.verified)
    throw new WebAuthnError('verification_failed', 'registration not verified', scope);
  const info = verification.registrationInfo;
  const kind = {
    deviceType: info.credentialDeviceType,
    attachment: response.authenticatorAttachment ?? null,
  };
  const method = methodForAssertion(kind, info.userVerified);
  if (!method) {
    throw new WebAuthnError(
      'user_verification_required',
      'a passkey registered without user verification',
      scope,
    );
  }
  try {
    const credential = await credentials.add({
      id: info.credential.id,
      userId,
      publicKey: info.credential.publicKey,
      counter: info.credential.counter,
      transports: response.response.transports ?? info.credential.transports ?? [],
      aaguid: info.aaguid,
      deviceType: kind.deviceType,
      backedUp: info.credentialBackedUp,
      attachment: kind.attachment,
      name: request.name ?? (isPasskey(kind) ? 'Passkey' : 'Security key'),
      now,
    });
    return { credential, method };
  } catch (error) {
    if (error instanceof StoreConflictError) {
      throw new WebAuthnError('credential_already_registered', 'credential ID already on record', {
        ...scope,
        cause: error,
      });
    }
    throw error;
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
