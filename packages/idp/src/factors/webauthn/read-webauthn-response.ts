import type { AuthenticationResponseJSON, RegistrationResponseJSON } from '@simplewebauthn/server';
import { z } from 'zod';
import { WebAuthnError } from './webauthn-error.ts';

/** Far above any real response (a registration with a certificate chain is a few kilobytes). */
const MAX_RESPONSE_LENGTH = 32 * 1024;

const base64url = z.string().regex(/^[A-Za-z0-9_-]*$/);
const attachment = z.enum(['platform', 'cross-platform']).optional();

/** The fields every `PublicKeyCredential` in JSON has around its ceremony-specific `response`. */
const credential = {
  id: base64url.min(1),
  rawId: base64url.min(1),
  type: z.literal('public-key'),
  authenticatorAttachment: attachment,
  clientExtensionResults: z.record(z.string(), z.unknown()).default({}),
};

const registrationSchema = z.object({
  ...credential,
  response: z.object({
    clientDataJSON: base64url,
    attestationObject: base64url,
    authenticatorData: base64url.optional(),
    transports: z.array(z.string().max(32)).max(16).optional(),
    publicKeyAlgorithm: z.number().int().optional(),
    publicKey: base64url.optional(),
  }),
});

const authenticationSchema = z.object({
  ...credential,
  response: z.object({
    clientDataJSON: base64url,
    authenticatorData: base64url,
    signature: base64url,
    userHandle: base64url.optional(),
  }),
});

function parse<T>(schema: z.ZodType<T>, submitted: unknown): T {
  if (typeof submitted !== 'string' || submitted.length > MAX_RESPONSE_LENGTH) {
    throw new WebAuthnError('malformed_response', 'no WebAuthn response, or one too long');
  }
  let json: unknown;
  try {
    json = JSON.parse(submitted);
  } catch (cause) {
    throw new WebAuthnError('malformed_response', 'the WebAuthn response is not JSON', { cause });
  }
  const result = schema.safeParse(json);
  if (!result.success) {
    throw new WebAuthnError('malformed_response', 'the WebAuthn response has the wrong shape', {
      cause: result.error,
    });
  }
  return result.data;
}

/** Reads the JSON of `startRegistration()` (@simplewebauthn/browser) as the page posted it. */
export function readRegistrationResponse(submitted: unknown): RegistrationResponseJSON {
  return parse(registrationSchema, submitted) as RegistrationResponseJSON;
}

/** Reads the JSON of `startAuthentication()` (@simplewebauthn/browser) as the page posted it. */
export function readAuthenticationResponse(submitted: unknown): AuthenticationResponseJSON {
  return parse(authenticationSchema, submitted) as AuthenticationResponseJSON;
}
