import { ENROLLMENT_FRAGMENT, enrollmentMessage, PUSH_DEVICE_PATHS } from '../factors/push/push-protocol.ts';
import {
  type DeviceRequestOptions,
  generateDeviceKey,
  importDevicePrivateKey,
  signWithDeviceKey,
} from './device-key.ts';
import type { DeviceKeyFile } from './device-key-file.ts';
import { DeviceRequestError } from './device-request-error.ts';

/**
 * Reads an enrollment link (`<issuer>/authenticator#enroll=<token>`): the provider's issuer and the
 * token. Throws a `TypeError` for anything else.
 */
export function parseEnrollmentLink(link: string): { issuer: string; token: string } {
  let url: URL;
  try {
    url = new URL(link);
  } catch {
    throw new TypeError('the enrollment link is not a URL');
  }
  const token = new URLSearchParams(url.hash.slice(1)).get(ENROLLMENT_FRAGMENT);
  if (!token || !url.pathname.endsWith('/authenticator')) {
    throw new TypeError('not an enrollment link: expected …/authenticator#enroll=…');
  }
  return { issuer: `${url.origin}${url.pathname.slice(0, -'/authenticator'.length)}`, token };
}

/**
 * Enrolls a new device with an enrollment link: creates a key pair, signs the token and the name
 * with it, registers the public key. Resolves with the key file to keep.
 */
export async function enrollDevice(
  link: string,
  name: string,
  options: DeviceRequestOptions = {},
): Promise<DeviceKeyFile> {
  const { issuer, token } = parseEnrollmentLink(link);
  const { privateJwk, publicJwk } = await generateDeviceKey();
  const signature = await signWithDeviceKey(
    await importDevicePrivateKey(privateJwk),
    enrollmentMessage({ token, name }),
  );
  const response = await (options.fetch ?? fetch)(`${issuer}${PUSH_DEVICE_PATHS.devices}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ token, name, publicKey: publicJwk, signature }),
  });
  if (response.status !== 201) throw await DeviceRequestError.from(response);
  const body = (await response.json()) as { device: { id: string; name: string }; account: string | null };
  return {
    version: 1,
    issuer,
    deviceId: body.device.id,
    name: body.device.name,
    account: body.account,
    privateKey: privateJwk,
    createdAt: (options.now ?? (() => Math.floor(Date.now() / 1000)))(),
  };
}
