import { z } from 'zod';
import type { PushDevice } from '../../store/push-devices.ts';
import { verifyDeviceSignature } from './device-public-key.ts';
import type { PushContext } from './push-context.ts';
import { PushError } from './push-error.ts';
import { deviceRequestMessage } from './push-protocol.ts';

/** How far a signed request's timestamp may be from the provider's clock, either way. */
export const DEVICE_REQUEST_WINDOW_SECONDS = 60;

const signedQuery = z.object({
  device: z.string().min(1).max(100),
  ts: z.string().regex(/^\d{1,12}$/),
  sig: z.string().min(1).max(200),
});

/**
 * Authenticates a signed GET from a device (`?device=…&ts=…&sig=…`, the signature over the path,
 * the device id and the timestamp): EventSource cannot send headers, so the proof rides in the URL,
 * and the timestamp window keeps a URL that leaked into a log from working for long.
 */
export async function authenticateDeviceRequest(
  context: PushContext,
  path: string,
  query: unknown,
  now: number,
): Promise<PushDevice> {
  const parsed = signedQuery.safeParse(query);
  if (!parsed.success) throw new PushError('invalid_request', parsed.error.issues[0]?.message);
  const { device: deviceId, sig } = parsed.data;
  const timestamp = Number(parsed.data.ts);
  const device = await context.store.pushDevices.findById(deviceId);
  if (!device || device.revokedAt !== null) throw new PushError('unknown_device');
  if (!verifyDeviceSignature(device.publicKey, deviceRequestMessage({ path, deviceId, timestamp }), sig)) {
    throw new PushError('bad_signature');
  }
  if (Math.abs(now - timestamp) > DEVICE_REQUEST_WINDOW_SECONDS) {
    throw new PushError('stale_request', `timestamp ${timestamp}, now ${now}`);
  }
  return device;
}
