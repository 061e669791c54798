import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { AuthEventLogger } from '../../log/auth-events.ts';
import type { PushDevicesRepository } from '../../store/push-devices.ts';
import { isAllowedPushService } from './allowed-push-services.ts';
import { DEVICE_REQUEST_WINDOW_SECONDS } from './authenticate-device-request.ts';
import { verifyDeviceSignature } from './device-public-key.ts';
import { PushError } from './push-error.ts';
import { PUSH_DEVICE_PATHS, webPushSubscriptionMessage } from './push-protocol.ts';

const base64url = z.string().regex(/^[A-Za-z0-9_-]+$/);

/** Decodes to exactly `bytes` bytes (RFC 8291 3.2: a 65-byte P-256 point, a 16-byte secret). */
const encodedBytes = (bytes: number) =>
  base64url.max(200).refine((value) => Buffer.from(value, 'base64url').length === bytes, {
    message: `must encode ${bytes} bytes`,
  });

/**
 * A push service endpoint: HTTPS only (RFC 8030 8: push messages travel over TLS), no credentials
 * in it, no line breaks (the signed message is line-based).
 */
const endpoint = z
  .string()
  .max(2048)
  .refine((value) => {
    try {
      const url = new URL(value);
      return url.protocol === 'https:' && url.username === '' && url.password === '' && url.href === value;
    } catch {
      return false;
    }
  }, 'must be an https URL');

const subscriptionBody = z.object({
  device: z.string().min(1).max(100),
  ts: z.number().int().nonnegative(),
  subscription: z
    .object({
      endpoint,
      keys: z.object({ p256dh: encodedBytes(65), auth: encodedBytes(16) }),
    })
    .nullable(),
  signature: z.string().min(1).max(200),
});

/**
 * Web Push for the authenticator app: `GET /authenticator/web-push` gives the VAPID public key to
 * subscribe with; `POST` the same path keeps the device's subscription (or forgets it, with null),
 * signed by the device's key over the subscription and a timestamp. Registered only when
 * `push.webPush.enabled`; otherwise both answer 404 and the app keeps to the event stream.
 */
export function registerWebPushRoutes(
  app: FastifyInstance,
  deps: {
    publicKey: string;
    pushDevices: Pick<PushDevicesRepository, 'findById' | 'setWebPushSubscription'>;
    logAuthEvent: AuthEventLogger;
    clock: () => number;
    /** `push.webPush.allowedHosts`: the push services a subscription may name. */
    allowedHosts: readonly string[];
  },
): void {
  app.get(PUSH_DEVICE_PATHS.webPush, async (_request, reply) =>
    reply.header('cache-control', 'no-cache').send({ publicKey: deps.publicKey }),
  );

  app.post(PUSH_DEVICE_PATHS.webPush, async (request, reply) => {
    let deviceId: string | undefined;
    try {
      const parsed = subscriptionBody.safeParse(request.body);
      if (!parsed.success) throw new PushError('invalid_request', parsed.error.issues[0]?.message);
      const { device: id, ts, subscription, signature } = parsed.data;
      if (subscription && !isAllowedPushService(subscription.endpoint, deps.allowedHosts)) {
        throw new PushError(
          'invalid_request',
          `push service ${new URL(subscription.endpoint).hostname} is not in push.webPush.allowedHosts`,
        );
      }
      deviceId = id;
      const device = await deps.pushDevices.findById(id);
      if (!device || device.revokedAt !== null) throw new PushError('unknown_device');
      const message = webPushSubscriptionMessage({ deviceId: id, timestamp: ts, subscription });
      if (!verifyDeviceSignature(device.publicKey, message, signature)) throw new PushError('bad_signature');
      const now = deps.clock();
      if (Math.abs(now - ts) > DEVICE_REQUEST_WINDOW_SECONDS) {
        throw new PushError('stale_request', `timestamp ${ts}, now ${now}`);
      }
      if (!(await deps.pushDevices.setWebPushSubscription(id, subscription)))
        throw new PushError('unknown_device');
      return reply.code(204).send();
    } catch (error) {
      if (!(error instanceof PushError)) throw error;
      deps.logAuthEvent({ event: 'push.rejected', reason: error.code, ...(deviceId ? { deviceId } : {}) });
      return reply.code(error.status).send(error.toJSON());
    }
  });
}
