import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { expirePushChallenges } from '../factors/push/expire-push-challenges.ts';
import type { PushContext } from '../factors/push/push-context.ts';
import { interactionTopic } from '../factors/push/push-notifier.ts';
import { waitForPushNotice } from '../factors/push/wait-for-push-notice.ts';
import { createEventStreams } from '../http/server-sent-events.ts';
import type { PushChallenge } from '../store/push-challenges.ts';
import type { User } from '../store/users.ts';
import { latestResetPush, sendResetPush } from './reset-push.ts';
import type { ResetPushState } from './views/reset-push-page.ts';

/** A waiting page's stream also wakes at the request's expiry, a moment after it. */
const EXPIRY_GRACE_MS = 250;

/** A reset link checked for a push proof: its person, when it ends, and what its proofs are keyed by. */
export interface PushReset {
  user: User;
  proofKey: string;
  expiresAt: number;
}

/** Where the link's page goes with a token: the link itself, which reads where the reset stands. */
export function resetLinkPath(token: string): string {
  return `/account/password/reset?token=${encodeURIComponent(token)}`;
}

/** What the reset page shows for a request of the link, before an approval lets the password be set. */
export function resetPushState(token: string, challenge: PushChallenge | undefined): ResetPushState {
  if (challenge?.status === 'open') {
    return {
      kind: 'waiting',
      number: challenge.number,
      ttlSeconds: challenge.expiresAt - challenge.createdAt,
      eventsUrl: `/account/password/reset/push/events?token=${encodeURIComponent(token)}`,
      nextUrl: resetLinkPath(token),
    };
  }
  return challenge?.status === 'denied' ? { kind: 'denied' } : { kind: 'ask' };
}

/**
 * The push half of a reset page: `POST /account/password/reset/push` sends a request to the person's
 * devices (never a GET: mail scanners open links), and the waiting page listens on
 * `/account/password/reset/push/events` for the answer, like the sign-in page's push step.
 */
export function registerResetPushRoutes(
  app: FastifyInstance,
  deps: {
    push: PushContext;
    clock: () => number;
    /** The link's reset when it is valid and proven by push; undefined otherwise. */
    findPushReset: (token: string, now: number) => Promise<PushReset | undefined>;
    /** Answers for a token that leads to no push reset (unknown, used, or another factor). */
    sendInvalid: (reply: FastifyReply) => FastifyReply;
    sendBlocked: (
      reply: FastifyReply,
      token: string,
      reset: PushReset,
      state: ResetPushState,
    ) => FastifyReply;
  },
): void {
  const { push, clock } = deps;
  const openStream = createEventStreams(app);
  const tokenIn = (value: unknown) => (typeof value === 'string' ? value.slice(0, 256) : '');

  app.post(
    '/account/password/reset/push',
    async (request: FastifyRequest<{ Body: Record<string, unknown> | undefined }>, reply) => {
      const token = tokenIn(request.body?.token);
      const now = clock();
      const reset = await deps.findPushReset(token, now);
      if (!reset) return deps.sendInvalid(reply);
      const outcome = await sendResetPush(
        push,
        { proofKey: reset.proofKey, userId: reset.user.id, ip: request.ip, linkExpiresAt: reset.expiresAt },
        now,
      );
      if (outcome.outcome === 'throttled' || outcome.outcome === 'paused') {
        reply.header('retry-after', String(outcome.retryAfter));
        reply.header('stepup-error-code', outcome.outcome === 'paused' ? 'push_paused' : 'push_throttled');
        return deps.sendBlocked(reply, token, reset, {
          kind: 'blocked',
          reason: outcome.outcome,
          retryAfterSeconds: outcome.retryAfter,
        });
      }
      return reply.code(303).header('location', resetLinkPath(token)).send();
    },
  );

  // The waiting page listens here: one `changed` event when the request is answered or expires.
  app.get(
    '/account/password/reset/push/events',
    async (request: FastifyRequest<{ Querystring: Record<string, string | undefined> }>, reply) => {
      const reset = await deps.findPushReset(tokenIn(request.query.token), clock());
      // 204 tells an EventSource to stop; the page's script then reloads.
      if (!reset) return reply.code(204).send();
      // Any notice on the reset's topic means the request was answered or withdrawn.
      const waiting = await waitForPushNotice({
        notifier: push.notifier,
        topic: interactionTopic(reset.proofKey),
        wakes: () => true,
        read: () => latestResetPush(push, reset.proofKey, reset.user.id, clock()),
        openStream,
        request,
        reply,
      });
      const challenge = waiting.state;
      const wake = waiting.wake;
      if (waiting.wokenEarly || challenge?.status !== 'open') return wake();
      const open = challenge;
      const timer = setTimeout(
        () => {
          expirePushChallenges(push, clock(), { id: open.id })
            .then(() => wake())
            .catch((error: unknown) => request.log.error(error));
        },
        Math.max(0, (open.expiresAt - clock()) * 1000) + EXPIRY_GRACE_MS,
      );
      waiting.onClose(() => clearTimeout(timer));
    },
  );
}
