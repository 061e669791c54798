// The push protocol for the authenticator app: the same messages as factors/push/push-protocol.ts
// (a test holds the two together), and WebCrypto signing. ECDSA P-256 with SHA-256; WebCrypto
// signs in the IEEE P1363 format (r ‖ s) the provider verifies. Runs in browsers and in Node.

const PROTOCOL = 'stepup-push/v1';

export const PUSH_DEVICE_PATHS = Object.freeze({
  devices: '/authenticator/devices',
  stream: '/authenticator/stream',
  challenges: '/authenticator/challenges',
  webPush: '/authenticator/web-push',
});

export const ENROLLMENT_FRAGMENT = 'enroll';

/** @param {string} challengeId */
export function pushResponsePath(challengeId) {
  return `${PUSH_DEVICE_PATHS.challenges}/${encodeURIComponent(challengeId)}/response`;
}

/** @param {string[]} fields */
function joinFields(fields) {
  for (const field of fields) {
    if (field.includes('\n')) throw new TypeError('a signed field must not contain a line break');
  }
  return [PROTOCOL, ...fields].join('\n');
}

/**
 * @param {{ challengeId: string, decision: 'approve' | 'deny', number: number | null, nonce: string,
 *   transactionDigest?: string }} answer
 */
export function pushResponseMessage(answer) {
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

/**
 * RFC 8785 canonical JSON of parsed JSON values (as authorization-details/canonical-json.ts).
 * @param {unknown} value
 * @returns {string}
 */
export function canonicalJson(value) {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map((item) => canonicalJson(item)).join(',')}]`;
  const members = Object.keys(value)
    .sort()
    .map(
      (key) => `${JSON.stringify(key)}:${canonicalJson(/** @type {Record<string, unknown>} */ (value)[key])}`,
    );
  return `{${members.join(',')}}`;
}

/**
 * The digest a transaction-bound answer is signed over: base64url SHA-256 of the details' canonical JSON.
 * @param {unknown[]} details
 */
export async function transactionDigest(details) {
  const hash = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(canonicalJson(details)));
  return btoa(String.fromCharCode(...new Uint8Array(hash)))
    .replaceAll('+', '-')
    .replaceAll('/', '_')
    .replace(/=+$/, '');
}

/** @param {{ path: string, deviceId: string, timestamp: number }} request */
export function deviceRequestMessage(request) {
  return joinFields(['request', request.path, request.deviceId, String(request.timestamp)]);
}

/**
 * @param {{ deviceId: string, timestamp: number,
 *   subscription: { endpoint: string, keys: { p256dh: string, auth: string } } | null }} request
 */
export function webPushSubscriptionMessage(request) {
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

/** @param {{ token: string, name: string }} enrollment */
export function enrollmentMessage(enrollment) {
  return joinFields(['enroll', enrollment.token, enrollment.name]);
}

/** @param {Uint8Array} bytes */
export function base64url(bytes) {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/**
 * A new device key pair. In the app the private key is not extractable: it can sign, and be kept in
 * IndexedDB, but its bytes can never be read, not even by this script.
 * @param {boolean} [extractable]
 */
export function generateDeviceKey(extractable = false) {
  return crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, extractable, ['sign', 'verify']);
}

/** @param {CryptoKey} publicKey */
export async function exportPublicJwk(publicKey) {
  const { kty, crv, x, y } = await crypto.subtle.exportKey('jwk', publicKey);
  return { kty, crv, x, y };
}

/**
 * @param {CryptoKey} privateKey
 * @param {string} message
 */
export async function signMessage(privateKey, message) {
  const signature = await crypto.subtle.sign(
    { name: 'ECDSA', hash: 'SHA-256' },
    privateKey,
    new TextEncoder().encode(message),
  );
  return base64url(new Uint8Array(signature));
}

/**
 * A signed GET for this device: `?device=…&ts=…&sig=…` (EventSource cannot send headers).
 * @param {{ origin: string, path: string, deviceId: string, privateKey: CryptoKey, now?: number }} request
 */
export async function signedDeviceUrl(request) {
  const timestamp = request.now ?? Math.floor(Date.now() / 1000);
  const message = deviceRequestMessage({ path: request.path, deviceId: request.deviceId, timestamp });
  const url = new URL(request.path, request.origin);
  url.searchParams.set('device', request.deviceId);
  url.searchParams.set('ts', String(timestamp));
  url.searchParams.set('sig', await signMessage(request.privateKey, message));
  return url.href;
}
