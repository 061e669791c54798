import { deviceRequestMessage } from '../factors/push/push-protocol.ts';
import { type DeviceCredentials, signWithDeviceKey } from './device-key.ts';

/** A signed GET for this device (`?device=…&ts=…&sig=…`), valid for a minute around `now`. */
export async function signedDeviceUrl(device: DeviceCredentials, path: string, now: number): Promise<URL> {
  const url = new URL(`${device.issuer}${path}`);
  const message = deviceRequestMessage({ path, deviceId: device.deviceId, timestamp: now });
  url.searchParams.set('device', device.deviceId);
  url.searchParams.set('ts', String(now));
  url.searchParams.set('sig', await signWithDeviceKey(device.privateKey, message));
  return url;
}
