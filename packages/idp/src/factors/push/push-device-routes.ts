import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { OpenEventStream } from '../../http/server-sent-events.ts';
import type { PushChallenge } from '../../store/push-challenges.ts';
import { answerPushChallenge } from './answer-push-challenge.ts';
import { authenticateDeviceRequest } from './authenticate-device-request.ts';
import { enrollPushDevice } from './enroll-push-device.ts';
import type { PushContext } from './push-context.ts';
import { PushError } from './push-error.ts';
import { type PushNotice, userTopic } from './push-notifier.ts';
import { type DeviceChallenge, PUSH_DEVICE_PATHS } from './push-protocol.ts';

/** A request as the device sees it: everything but the number. */
export function toDeviceChallenge(challenge: PushChallenge): DeviceChallenge {
  return {
    id: challenge.id,
    clientName: challenge.clientName,
    ip: challenge.ip,
    createdAt: challenge.createdAt,
    expiresAt: challenge.expiresAt,
    choices: challenge.choices,
    nonce: challenge.nonce,
    ...(challenge.transaction ? { transaction: challenge.transaction } : {}),
  };
}

/**
 * The device side of push: enrollment, the signed event stream and list of pending requests, and
 * the signed answers. JSON in and out; errors as `{ error, error_description }` with a stable code.
 */
export function registerPushDeviceRoutes(
  app: FastifyInstance,
  context: PushContext,
  openStream: OpenEventStream,
  clock: () => number,
): void {
  const { store, notifier, logAuthEvent } = context;

  function refuse(reply: FastifyReply, error: unknown, ids: { deviceId?: string; challengeId?: string }) {
    if (!(error instanceof PushError)) throw error;
    logAuthEvent({ event: 'push.rejected', reason: error.code, ...ids });
    if (error.detail)
      reply.log.info({ code: error.code, detail: error.detail, ...ids }, 'push request refused');
    return reply.code(error.status).send(error.toJSON());
  }

  function claimedDevice(request: FastifyRequest): string | undefined {
    const query = request.query as Record<string, unknown> | undefined;
    const body = request.body as Record<string, unknown> | undefined;
    const device = query?.device ?? body?.device;
    return typeof device === 'string' ? device.slice(0, 100) : undefined;
  }

  app.post(PUSH_DEVICE_PATHS.devices, async (request, reply) => {
    try {
      const { device, grant } = await enrollPushDevice(context, request.body, clock());
      const user = await store.users.findById(device.userId);
      return reply.code(201).send({
        device: { id: device.id, name: device.name },
        account: user?.username ?? null,
        issuer: context.issuer,
        // Added from a sign-in page, which sends its request as soon as it learns of the device.
        sign_in_waiting: grant.interactionUid !== null,
      });
    } catch (error) {
      return refuse(reply, error, {});
    }
  });

  app.get(PUSH_DEVICE_PATHS.challenges, async (request, reply) => {
    try {
      const now = clock();
      const device = await authenticateDeviceRequest(
        context,
        PUSH_DEVICE_PATHS.challenges,
        request.query,
        now,
      );
      const pending = await store.pushChallenges.listPendingForUser(device.userId, now);
      return reply.send({ challenges: pending.map(toDeviceChallenge) });
    } catch (error) {
      const deviceId = claimedDevice(request);
      return refuse(reply, error, deviceId ? { deviceId } : {});
    }
  });

  app.get(PUSH_DEVICE_PATHS.stream, async (request, reply) => {
    let device: Awaited<ReturnType<typeof authenticateDeviceRequest>>;
    try {
      device = await authenticateDeviceRequest(context, PUSH_DEVICE_PATHS.stream, request.query, clock());
    } catch (error) {
      const deviceId = claimedDevice(request);
      return refuse(reply, error, deviceId ? { deviceId } : {});
    }
    // Subscribed and read before the stream opens: while Redis or the database is down the device
    // gets a 503 to retry, not a stream that stays open with nothing ever sent on it.
    const early: PushNotice[] = [];
    let onNotice = (notice: PushNotice) => {
      early.push(notice);
    };
    const unsubscribe = await notifier.subscribe(userTopic(device.userId), (notice) => onNotice(notice));
    let pending: PushChallenge[];
    try {
      pending = await store.pushChallenges.listPendingForUser(device.userId, clock());
    } catch (error) {
      unsubscribe();
      throw error;
    }
    const stream = openStream(request, reply);
    stream.onClose(unsubscribe);
    const sendIfPending = async (challengeId: string) => {
      const challenge = await store.pushChallenges.findById(challengeId);
      if (
        challenge?.userId === device.userId &&
        challenge.status === 'open' &&
        challenge.expiresAt > clock()
      ) {
        stream.send('challenge', toDeviceChallenge(challenge));
      }
    };
    onNotice = (notice) => {
      if (notice.type === 'challenge.sent') {
        sendIfPending(notice.challengeId).catch((error: unknown) => request.log.error(error));
      } else if (notice.type === 'challenge.resolved') {
        stream.send('resolved', { id: notice.challengeId, status: notice.status });
      } else if (notice.type === 'notices.interrupted') {
        // Requests may have been missed: the device connects again and is sent what is waiting.
        stream.close();
      }
    };
    for (const challenge of pending) stream.send('challenge', toDeviceChallenge(challenge));
    // What arrived while the list was read: nothing sent in between is missed.
    for (const notice of early) onNotice(notice);
    stream.send('ready', { device: device.id });
  });

  app.post<{ Params: { id: string } }>(
    `${PUSH_DEVICE_PATHS.challenges}/:id/response`,
    async (request, reply) => {
      const challengeId = request.params.id.slice(0, 100);
      try {
        const { challenge } = await answerPushChallenge(context, challengeId, request.body, clock());
        return reply.send({ id: challenge.id, status: challenge.status });
      } catch (error) {
        const deviceId = claimedDevice(request);
        return refuse(reply, error, { challengeId, ...(deviceId ? { deviceId } : {}) });
      }
    },
  );
}
