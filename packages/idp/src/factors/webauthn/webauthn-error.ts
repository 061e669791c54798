/**
 * Why a WebAuthn ceremony was refused. Stable: tests and callers switch on these, never on messages.
 *
 * - `malformed_response`: the browser's response is not a WebAuthn credential response at all.
 * - `challenge_not_found`: no open challenge for this interaction — never issued, already used
 *   (each is checked once, pass or fail), expired, or replaced by a newer one.
 * - `challenge_mismatch`: the response answers another challenge than the open one (a stale page).
 * - `origin_mismatch`: the browser made the response on another origin (WebAuthn Level 3 7.2 step 13).
 * - `rp_id_mismatch`: the authenticator scoped the credential to another RP ID (7.2 step 15).
 * - `unknown_credential`: no such credential, or it belongs to someone else.
 * - `user_handle_mismatch`: a passkey's user handle does not name the credential's owner (7.2 step 6).
 * - `user_verification_required`: no PIN or biometric check where one is needed (7.2 step 17).
 * - `verification_failed`: a bad signature or attestation, or any other failed check.
 * - `counter_regression`: the signature counter did not move forward: possibly a cloned authenticator.
 * - `credential_already_registered`: the authenticator offered a credential ID already on record.
 */
export type WebAuthnErrorCode =
  | 'malformed_response'
  | 'challenge_not_found'
  | 'challenge_mismatch'
  | 'origin_mismatch'
  | 'rp_id_mismatch'
  | 'unknown_credential'
  | 'user_handle_mismatch'
  | 'user_verification_required'
  | 'verification_failed'
  | 'counter_regression'
  | 'credential_already_registered';

/** A refused WebAuthn ceremony. `message` is detail for the log; pages show their own words. */
export class WebAuthnError extends Error {
  readonly code: WebAuthnErrorCode;
  /** The user the refused credential or challenge belongs to, when known: for the audit log. */
  readonly userId: string | undefined;
  readonly credentialId: string | undefined;

  constructor(
    code: WebAuthnErrorCode,
    message: string,
    context: { userId?: string | null; credentialId?: string; cause?: unknown } = {},
  ) {
    super(message, context.cause === undefined ? undefined : { cause: context.cause });
    this.name = 'WebAuthnError';
    this.code = code;
    this.userId = context.userId ?? undefined;
    this.credentialId = context.credentialId;
  }
}
