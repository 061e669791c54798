import { decodeClientDataJSON } from '@simplewebauthn/server/helpers';
import { WebAuthnError } from './webauthn-error.ts';
import type { WebAuthnRelyingParty } from './webauthn-relying-party.ts';

/**
 * Checks the client data the browser signed over (WebAuthn Level 3 7.1 steps 7–9, 7.2 steps 11–13):
 * the ceremony type, the challenge we issued, and our origin. @simplewebauthn/server checks the same
 * again; doing it first gives each failure its own stable code.
 */
export function checkClientData(
  clientDataJSON: string,
  expected: {
    type: 'webauthn.create' | 'webauthn.get';
    challenge: string;
    relyingParty: WebAuthnRelyingParty;
  },
  context: { userId?: string | null; credentialId?: string } = {},
): void {
  let clientData: ReturnType<typeof decodeClientDataJSON>;
  try {
    clientData = decodeClientDataJSON(clientDataJSON);
  } catch (cause) {
    throw new WebAuthnError('malformed_response', 'clientDataJSON is not JSON', { ...context, cause });
  }
  if (clientData.type !== expected.type) {
    throw new WebAuthnError('malformed_response', `clientData type ${clientData.type}`, context);
  }
  if (clientData.challenge !== expected.challenge) {
    throw new WebAuthnError('challenge_mismatch', 'the response answers another challenge', context);
  }
  if (clientData.origin !== expected.relyingParty.origin) {
    throw new WebAuthnError(
      'origin_mismatch',
      `response made on ${JSON.stringify(clientData.origin)}, expected ${expected.relyingParty.origin}`,
      context,
    );
  }
  // Our pages are never framed (frame-ancestors 'none'), so a cross-origin response is not ours.
  if (clientData.crossOrigin === true || clientData.topOrigin !== undefined) {
    throw new WebAuthnError('origin_mismatch', 'response made in a cross-origin frame', context);
  }
}
