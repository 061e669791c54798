/**
 * The wire protocol between the provider and a push device (the authenticator app, the CLI). Pure:
 * the provider verifies with these strings and the CLI signs them; the app's script
 * (`interaction/assets/push-protocol.js`) builds the same strings, and a test holds the two together.
 *
 * Every signature is ECDSA P-256 with SHA-256 over the UTF-8 message, in the IEEE P1363 format
 * (r ‖ s, 64 bytes) that WebCrypto produces, base64url-encoded.
 */

/** Starts every signed message, so a signature made for this protocol means nothing elsewhere. */
const PROTOCOL = 'stepup-push/v1';

export const PUSH_DEVICE_PATHS = {
  /** POST: register a device with an enrollment token. */
  devices: '/authenticator/devices',
  /** GET (signed): server-sent events with this device's requests as they arrive. */
  stream: '/authenticator/stream',
  /** GET (signed): the requests waiting for an answer, as JSON. */
  challenges: '/authenticator/challenges',
  /**
   * Web Push, when the provider has it on: GET the VAPID public key (`applicationServerKey`); POST
   * (signed body) the device's push subscription, or null to forget it.
   */
  webPush: '/authenticator/web-push',
} as const;

/** POST (signed body): the answer to one request. */
export function pushResponsePath(challengeId: string): string {
  return `${PUSH_DEVICE_PATHS.challenges}/${encodeURIComponent(challengeId)}/response`;
}

/** The fragment that carries an enrollment token in a link; fragments never reach a server's logs. */
export const ENROLLMENT_FRAGMENT = 'enroll';

export type PushDecision = 'approve' | 'deny';

/** A request as a device sees it: no number, only the choices to pick it from. */
export interface DeviceChallenge {
  id: string;
  clientName: string;
  ip: string;
  /** Epoch seconds. */
  createdAt: number;
  expiresAt: number;
  choices: number[];
  nonce: string;
  /**
   * A transaction-bound request (RFC 9396): the sentence to show next to the numbers and the details
   * it says; the device signs its answer over the digest of the details it displayed
   * (`transactionDigest`).
   */
  transaction?: { summary: string; details: unknown[] };
}

/** What a device sends to answer a request (JSON body of `pushResponsePath`). */
export interface PushResponseBody {
  device: string;
  decision: PushDecision;
  /** The number picked, for an approval; null for a denial. */
  number: number | null;
  nonce: string;
  /** For a transaction-bound request: the digest of the details the device displayed. */
  transaction_digest?: string;
  signature: string;
}

/** What a device sends to register (JSON body of `PUSH_DEVICE_PATHS.devices`). */
export interface EnrollmentBody {
  token: string;
  name: string;
  /** The public JWK (kty EC, crv P-256, x, y). */
  publicKey: { kty: string; crv: string; x: string; y: string };
  /** Over `enrollmentMessage`, with the new key: the device holds the private half. */
  signature: string;
}

function joinFields(fields: readonly string[]): string {
  for (const field of fields) {
    if (field.includes('\n')) throw new TypeError('a signed field must not contain a line break');
  }
  return [PROTOCOL, ...fields].join('\n');
}

/**
 * The device signs {challenge id, decision, number, nonce} to answer a request; for a
 * transaction-bound request also the digest of the details it displayed (base64url SHA-256 of their
 * RFC 8785 canonical JSON), under another label so neither message can pass for the other.
 */
export function pushResponseMessage(answer: {
  challengeId: string;
  decision: PushDecision;
  number: number | null;
  nonce: string;
  transactionDigest?: string;
}): string {
  const fields = [
    answer.challengeId,
    answer.decision,
    answer.number === null ? '' : String(answer.number),
    answer.nonce,
  ];
  return answer.transactionDigest === undefined
    ? joinFields(['response', ...fields])
    : joinFields(['transaction-response', ...fields, answer.transactionDigest]);
}

/** A signed GET: the path, the device and the time (epoch seconds), so a captured URL soon goes stale. */
export function deviceRequestMessage(request: { path: string; deviceId: string; timestamp: number }): string {
  return joinFields(['request', request.path, request.deviceId, String(request.timestamp)]);
}

/** What a device sends to keep (or, with `subscription: null`, forget) its Web Push subscription. */
export interface WebPushSubscriptionBody {
  device: string;
  /** Epoch seconds, as in a signed GET: a captured body soon goes stale. */
  ts: number;
  subscription: { endpoint: string; keys: { p256dh: string; auth: string } } | null;
  signature: string;
}

/** The device signs where pushes for it go, so nobody else can redirect them. */
export function webPushSubscriptionMessage(request: {
  deviceId: string;
  timestamp: number;
  subscription: WebPushSubscriptionBody['subscription'];
}): string {
  const { subscription } = request;
  return joinFields([
    'web-push',
    request.deviceId,
    String(request.timestamp),
    subscription?.endpoint ?? '',
    subscription?.keys.p256dh ?? '',
    subscription?.keys.auth ?? '',
  ]);
}

/** The new device signs the token and its name with its new key (proof of possession). */
export function enrollmentMessage(enrollment: { token: string; name: string }): string {
  return joinFields(['enroll', enrollment.token, enrollment.name]);
}
