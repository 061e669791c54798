import { type DeviceChallenge, PUSH_DEVICE_PATHS } from '../factors/push/push-protocol.ts';
import type { DeviceCredentials, DeviceRequestOptions } from './device-key.ts';
import { DeviceRequestError } from './device-request-error.ts';
import { signedDeviceUrl } from './signed-device-url.ts';

/** The requests waiting for this device's answer, oldest first. */
export async function listPendingChallenges(
  device: DeviceCredentials,
  options: DeviceRequestOptions = {},
): Promise<DeviceChallenge[]> {
  const now = (options.now ?? (() => Math.floor(Date.now() / 1000)))();
  const url = await signedDeviceUrl(device, PUSH_DEVICE_PATHS.challenges, now);
  const response = await (options.fetch ?? fetch)(url);
  if (!response.ok) throw await DeviceRequestError.from(response);
  return ((await response.json()) as { challenges: DeviceChallenge[] }).challenges;
}
