/**
 * Why the provider refused something a push device sent. Stable: devices and tests switch on it.
 *
 * - `invalid_request`: the body or query is malformed.
 * - `unknown_device`: no such device, or it was revoked.
 * - `bad_signature`: the signature does not verify with that device's key.
 * - `stale_request`: a signed request whose timestamp is outside the accepted window.
 * - `unknown_challenge`: no such challenge for this device's user, or it was answered for another nonce.
 * - `challenge_expired`: the challenge can no longer be answered.
 * - `challenge_resolved`: the challenge was already answered (a replay, or another device was first).
 * - `login_ended`: the login the request was for ended (finished, cancelled) before an answer.
 * - `wrong_number`: the number picked is not the one the login page shows; the request is now denied.
 * - `invalid_enrollment_token`: unknown, already used or expired.
 * - `invalid_public_key`: not an ECDSA P-256 public key as a JWK.
 */
export type PushErrorCode =
  | 'invalid_request'
  | 'unknown_device'
  | 'bad_signature'
  | 'stale_request'
  | 'unknown_challenge'
  | 'challenge_expired'
  | 'challenge_resolved'
  | 'login_ended'
  | 'wrong_number'
  | 'invalid_enrollment_token'
  | 'invalid_public_key';

const STATUS: Readonly<Record<PushErrorCode, number>> = {
  invalid_request: 400,
  unknown_device: 401,
  bad_signature: 401,
  stale_request: 401,
  unknown_challenge: 404,
  challenge_expired: 410,
  challenge_resolved: 409,
  login_ended: 410,
  wrong_number: 422,
  invalid_enrollment_token: 400,
  invalid_public_key: 400,
};

const PUBLIC_MESSAGE: Readonly<Record<PushErrorCode, string>> = {
  invalid_request: 'The request is malformed.',
  unknown_device: 'This device is not registered, or it was removed.',
  bad_signature: 'The signature does not match this device.',
  stale_request: "The request is too old, or this device's clock is wrong.",
  unknown_challenge: 'There is no such sign-in request for this device.',
  challenge_expired: 'This sign-in request has expired.',
  challenge_resolved: 'This sign-in request was already answered.',
  login_ended:
    'This sign-in is over: it was finished another way or cancelled, so the request needs no answer.',
  wrong_number:
    'That is not the number shown on the sign-in page, so the request is refused: nobody can sign in with it.',
  invalid_enrollment_token: 'This enrollment link is not valid: it was already used, or it expired.',
  invalid_public_key: 'The device key is not an ECDSA P-256 public key.',
};

/** A refusal of something a push device sent: `code` is stable, `message` public, `detail` for logs. */
export class PushError extends Error {
  readonly code: PushErrorCode;
  readonly status: number;
  readonly detail: string | undefined;

  constructor(code: PushErrorCode, detail?: string) {
    super(PUBLIC_MESSAGE[code]);
    this.name = 'PushError';
    this.code = code;
    this.status = STATUS[code];
    this.detail = detail;
  }

  /** The JSON body a device receives, in the OAuth error shape. */
  toJSON(): { error: PushErrorCode; error_description: string } {
    return { error: this.code, error_description: this.message };
  }
}
