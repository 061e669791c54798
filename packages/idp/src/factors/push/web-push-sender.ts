import type { Agent } from 'node:https';
import type { Logger } from 'pino';
import webPush from 'web-push';
import type { PushDevicesRepository, WebPushSubscription } from '../../store/push-devices.ts';
import { isAllowedPushService } from './allowed-push-services.ts';
import type { VapidKeys } from './web-push-keys.ts';

/** What a Web Push message carries: which request, for which application. Never the number. */
export interface WebPushMessage {
  challengeId: string;
  clientName: string;
  /**
   * A transaction-bound request: what approving does (the payload is encrypted to the device, RFC
   * 8291). The device still approves only after reading the request itself, signed.
   */
  summary?: string;
}

/** Sends Web Push messages to the devices of a user; never throws (the event stream is primary). */
export interface WebPushSender {
  /** The VAPID public key devices subscribe with (`applicationServerKey`). */
  readonly publicKey: string;
  /** Resolves when every device was tried: failures are logged, never thrown. */
  notifyUser(userId: string, message: WebPushMessage, ttlSeconds: number): Promise<void>;
}

/** How long a push service may take before the attempt counts as failed. */
const PUSH_SERVICE_TIMEOUT_MS = 5000;

/**
 * Web Push with `web-push`: each message is encrypted for the device (RFC 8291, `aes128gcm`) and
 * signed for the push service with the provider's VAPID key (RFC 8292). A subscription the push
 * service says is gone (404, 410) is forgotten. `agent` is for a push service with a private CA.
 */
export function createWebPushSender(deps: {
  pushDevices: Pick<PushDevicesRepository, 'listWebPushSubscriptions' | 'setWebPushSubscription'>;
  vapid: VapidKeys;
  subject: string;
  /** Subscriptions stored before the list was narrowed are skipped too. */
  allowedHosts: readonly string[];
  logger: Logger;
  agent?: Agent;
}): WebPushSender {
  const { pushDevices, vapid, logger } = deps;
  const vapidDetails = { subject: deps.subject, publicKey: vapid.publicKey, privateKey: vapid.privateKey };

  async function deliver(
    deviceId: string,
    subscription: WebPushSubscription,
    payload: string,
    ttlSeconds: number,
  ): Promise<void> {
    try {
      await webPush.sendNotification(subscription, payload, {
        vapidDetails,
        contentEncoding: 'aes128gcm',
        // RFC 8030 5.2: a request that can no longer be answered is not worth delivering.
        TTL: ttlSeconds,
        urgency: 'high',
        timeout: PUSH_SERVICE_TIMEOUT_MS,
        ...(deps.agent ? { agent: deps.agent } : {}),
      });
    } catch (error) {
      const status = error instanceof webPush.WebPushError ? error.statusCode : undefined;
      if (status === 404 || status === 410) {
        await pushDevices.setWebPushSubscription(deviceId, null);
        logger.info({ deviceId, status }, 'web push subscription gone; forgotten');
        return;
      }
      logger.warn(
        { deviceId, status, err: error instanceof Error ? error.message : String(error) },
        'web push delivery failed',
      );
    }
  }

  return {
    publicKey: vapid.publicKey,
    async notifyUser(userId, message, ttlSeconds) {
      try {
        const payload = JSON.stringify({
          challengeId: message.challengeId,
          clientName: message.clientName,
          ...(message.summary === undefined ? {} : { summary: message.summary }),
        });
        const targets = (await pushDevices.listWebPushSubscriptions(userId)).filter(({ subscription }) =>
          isAllowedPushService(subscription.endpoint, deps.allowedHosts),
        );
        await Promise.all(
          targets.map(({ deviceId, subscription }) => deliver(deviceId, subscription, payload, ttlSeconds)),
        );
      } catch (error) {
        logger.warn(
          { userId, err: error instanceof Error ? error.message : String(error) },
          'web push failed',
        );
      }
    },
  };
}
