import { authorizationDetailsDigest } from '../authorization-details/authorization-details-digest.ts';
import { pushResponseMessage } from '../factors/push/push-protocol.ts';

const ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256' } as const;

/** What a device needs to talk to the provider: where, who, and the key to sign with. */
export interface DeviceCredentials {
  /** The provider's issuer URL, without a trailing slash. */
  issuer: string;
  deviceId: string;
  privateKey: CryptoKey;
}

/** Options every device operation takes; tests inject the clock (epoch seconds) and fetch. */
export interface DeviceRequestOptions {
  fetch?: typeof fetch;
  now?: () => number;
}

/** A new ECDSA P-256 key pair through WebCrypto, extractable so the CLI can keep it in its key file. */
export async function generateDeviceKey(): Promise<{ privateJwk: JsonWebKey; publicJwk: JsonWebKey }> {
  const pair = await crypto.subtle.generateKey(ALGORITHM, true, ['sign', 'verify']);
  const privateJwk = await crypto.subtle.exportKey('jwk', pair.privateKey);
  const { kty, crv, x, y } = await crypto.subtle.exportKey('jwk', pair.publicKey);
  return { privateJwk, publicJwk: { kty, crv, x, y } };
}

export async function importDevicePrivateKey(privateJwk: JsonWebKey): Promise<CryptoKey> {
  if (privateJwk.kty !== 'EC' || privateJwk.crv !== 'P-256' || typeof privateJwk.d !== 'string') {
    throw new TypeError('the device key must be an EC P-256 private JWK');
  }
  return crypto.subtle.importKey('jwk', privateJwk, ALGORITHM, false, ['sign']);
}

/** ECDSA P-256 / SHA-256, IEEE P1363 (as WebCrypto signs), base64url: what the provider verifies. */
export async function signWithDeviceKey(privateKey: CryptoKey, message: string): Promise<string> {
  const signature = await crypto.subtle.sign(
    { name: 'ECDSA', hash: 'SHA-256' },
    privateKey,
    new TextEncoder().encode(message),
  );
  return Buffer.from(signature).toString('base64url');
}

/**
 * The signed answer body for a request; exposed so tests can replay or tamper with it. For a
 * transaction-bound request, `transactionDetails` are the details the device displayed: the answer
 * is signed over their digest.
 */
export async function signPushResponse(
  device: Pick<DeviceCredentials, 'deviceId' | 'privateKey'>,
  answer: {
    challengeId: string;
    decision: 'approve' | 'deny';
    number: number | null;
    nonce: string;
    transactionDetails?: unknown[];
  },
) {
  const { transactionDetails, ...signed } = answer;
  const transactionDigest = transactionDetails ? authorizationDetailsDigest(transactionDetails) : undefined;
  return {
    device: device.deviceId,
    decision: answer.decision,
    number: answer.number,
    nonce: answer.nonce,
    ...(transactionDigest === undefined ? {} : { transaction_digest: transactionDigest }),
    signature: await signWithDeviceKey(
      device.privateKey,
      pushResponseMessage({ ...signed, ...(transactionDigest === undefined ? {} : { transactionDigest }) }),
    ),
  };
}
