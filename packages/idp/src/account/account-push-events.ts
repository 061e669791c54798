import type { FastifyInstance, FastifyReply } from 'fastify';
import type { PushNotifier } from '../factors/push/push-notifier.ts';
import { userTopic } from '../factors/push/push-notifier.ts';
import { waitForPushNotice } from '../factors/push/wait-for-push-notice.ts';
import { createEventStreams } from '../http/server-sent-events.ts';
import type { PushDevicesRepository } from '../store/push-devices.ts';
import type { AccountRequest, SignedIn } from './account-routes.ts';

/** The path the account page's "add a phone" step waits on, with the time its QR code was shown. */
export function accountPushEventsUrl(shownAt: number): string {
  return `/account/push/events?since=${shownAt}`;
}

/**
 * `GET /account/push/events`: one `changed` event once the signed-in person has a device added since
 * `since` (epoch seconds), then the stream ends; the page's script then sends its "I've added it"
 * form, which checks again. Anyone else gets 204, which tells an EventSource to stop.
 */
export function registerAccountPushEvents(
  app: FastifyInstance,
  deps: {
    notifier: PushNotifier;
    pushDevices: PushDevicesRepository;
    findSignedIn(request: AccountRequest, reply: FastifyReply): Promise<SignedIn | undefined>;
  },
): void {
  const openStream = createEventStreams(app);
  app.get('/account/push/events', async (request: AccountRequest, reply) => {
    const current = await deps.findSignedIn(request, reply);
    const since = Number(request.query.since);
    if (!current || !Number.isSafeInteger(since)) return reply.code(204).send();
    // A device added between the subscription and the read still wakes the page.
    const waiting = await waitForPushNotice({
      notifier: deps.notifier,
      topic: userTopic(current.user.id),
      wakes: (notice) => notice.type === 'device.enrolled',
      read: async () =>
        (await deps.pushDevices.listForUser(current.user.id)).some(
          (device) => device.revokedAt === null && device.createdAt >= since,
        ),
      openStream,
      request,
      reply,
    });
    if (waiting.state || waiting.wokenEarly) waiting.wake();
  });
}
