import { createHash, timingSafeEqual } from 'node:crypto';
import { parseAuthenticatorData } from '@simplewebauthn/server/helpers';
import { WebAuthnError } from './webauthn-error.ts';
import type { WebAuthnRelyingParty } from './webauthn-relying-party.ts';

/**
 * Checks that the authenticator scoped the credential to our RP ID: the first 32 bytes of the
 * authenticator data are SHA-256 of the RP ID (WebAuthn Level 3 7.1 step 13, 7.2 step 15). Returns
 * the parsed authenticator data. @simplewebauthn/server checks this again; doing it first gives the
 * failure its own code.
 */
export function checkRpIdHash(
  authenticatorData: Uint8Array<ArrayBuffer>,
  relyingParty: WebAuthnRelyingParty,
  context: { userId?: string | null; credentialId?: string } = {},
): ReturnType<typeof parseAuthenticatorData> {
  let parsed: ReturnType<typeof parseAuthenticatorData>;
  try {
    parsed = parseAuthenticatorData(authenticatorData);
  } catch (cause) {
    throw new WebAuthnError('malformed_response', 'unreadable authenticator data', { ...context, cause });
  }
  const expected = createHash('sha256').update(relyingParty.id).digest();
  if (parsed.rpIdHash.length !== expected.length || !timingSafeEqual(parsed.rpIdHash, expected)) {
    throw new WebAuthnError(
      'rp_id_mismatch',
      `credential scoped to another RP ID than ${relyingParty.id}`,
      context,
    );
  }
  return parsed;
}
