import { type DeviceChallenge, PUSH_DEVICE_PATHS } from '../factors/push/push-protocol.ts';
import type { PushChallengeStatus } from '../store/push-challenges.ts';
import type { DeviceCredentials, DeviceRequestOptions } from './device-key.ts';
import { DeviceRequestError } from './device-request-error.ts';
import { signedDeviceUrl } from './signed-device-url.ts';

export type DeviceStreamEvent =
  | { type: 'challenge'; challenge: DeviceChallenge }
  | { type: 'resolved'; id: string; status: Exclude<PushChallengeStatus, 'open'> }
  /** Everything that was already waiting has been sent; new requests follow as they come. */
  | { type: 'ready' };

/**
 * Opens the device's signed event stream and yields its events until the stream ends or `signal`
 * aborts. One connection: a caller that wants to stay connected opens a new one (a fresh signature)
 * when this one ends.
 */
export async function* listenForChallenges(
  device: DeviceCredentials,
  options: DeviceRequestOptions & { signal?: AbortSignal } = {},
): AsyncGenerator<DeviceStreamEvent> {
  const now = (options.now ?? (() => Math.floor(Date.now() / 1000)))();
  const url = await signedDeviceUrl(device, PUSH_DEVICE_PATHS.stream, now);
  const response = await (options.fetch ?? fetch)(url, {
    headers: { accept: 'text/event-stream' },
    ...(options.signal ? { signal: options.signal } : {}),
  });
  if (!response.ok || !response.body) throw await DeviceRequestError.from(response);
  const decoder = new TextDecoder();
  const reader = response.body.getReader();
  let buffer = '';
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      buffer += decoder.decode(value, { stream: true });
      let end = buffer.indexOf('\n\n');
      while (end !== -1) {
        const event = parseEvent(buffer.slice(0, end));
        buffer = buffer.slice(end + 2);
        if (event) yield event;
        end = buffer.indexOf('\n\n');
      }
    }
  } catch (error) {
    if (!options.signal?.aborted) throw error;
  } finally {
    // A caller that stops early (break, return) closes the connection too.
    reader.cancel().catch(() => {});
  }
}

/** One event of a `text/event-stream` (HTML Living Standard 9.2.6), as this provider sends them. */
function parseEvent(frame: string): DeviceStreamEvent | undefined {
  let name = 'message';
  let data = '';
  for (const line of frame.split('\n')) {
    if (line.startsWith('event:')) name = line.slice(6).trim();
    else if (line.startsWith('data:')) data += line.slice(5).trim();
  }
  if (!data) return undefined;
  const payload = JSON.parse(data) as Record<string, unknown>;
  switch (name) {
    case 'challenge':
      return { type: 'challenge', challenge: payload as unknown as DeviceChallenge };
    case 'resolved':
      return {
        type: 'resolved',
        id: String(payload.id),
        status: payload.status as Exclude<PushChallengeStatus, 'open'>,
      };
    case 'ready':
      return { type: 'ready' };
    default:
      return undefined;
  }
}
