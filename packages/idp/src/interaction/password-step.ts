import type { FastifyInstance } from 'fastify';
import { verifyPassword } from '../accounts/password-hashing.ts';
import type { PasswordThrottle } from '../throttle/password-throttle.ts';
import { answerThrottleRefusal } from './answer-throttle-refusal.ts';
import type { InteractionKit } from './interaction-kit.ts';
import { isKnownBrowser, rememberBrowser } from './known-browsers.ts';

/** The first factor: username or email plus password, throttled (see PasswordThrottle). */
export function registerPasswordStep(
  app: FastifyInstance,
  kit: InteractionKit,
  throttle: PasswordThrottle,
): void {
  const { store, logAuthEvent } = kit.deps;
  app.post(
    '/interaction/:uid/password',
    kit.handle(async (request, reply) => {
      const interaction = await kit.loadForPost(request, reply);
      if (!interaction) return;
      if (interaction.step.step !== 'password') return kit.redirectToInteraction(reply, interaction);
      const username = kit.field(request, 'username').trim();
      const password = kit.field(request, 'password');
      const { clientId, now, sessionAccountId } = interaction;
      const ip = request.ip;

      const user = username ? await store.users.findByLogin(username) : undefined;
      const account = user?.id ?? `login:${username.toLowerCase()}`;
      const attempt = await throttle.attempt({
        account,
        ip,
        knownBrowser: user ? isKnownBrowser(request, user.id) : false,
        now,
      });
      if (!attempt.allowed) {
        logAuthEvent({
          event: 'login.throttled',
          code: attempt.code,
          ...(attempt.retryAfter === undefined ? {} : { retryAfter: attempt.retryAfter }),
          clientId,
          ip,
        });
        return answerThrottleRefusal(kit, request, reply, interaction, attempt, { username });
      }

      // A session signed in to one person only re-authenticates that person; to switch, sign out first.
      const otherAccount =
        sessionAccountId !== undefined && user !== undefined && user.id !== sessionAccountId;
      const valid = (await verifyPassword(user?.passwordHash, password)) && !otherAccount;
      // An operator blocked the account: the right password opens nothing, and the page says no more
      // than for a wrong one.
      const blocked =
        user !== undefined && valid && (await store.userManagement.find(user.id))?.blocked === true;
      if (!user || !valid || blocked) {
        await attempt.failed();
        logAuthEvent({
          event: 'login.failed',
          reason: !user
            ? 'unknown_user'
            : otherAccount
              ? 'other_account'
              : blocked
                ? 'blocked'
                : 'wrong_password',
          clientId,
          ip,
        });
        return kit.proceed(request, reply, interaction, {
          status: 401,
          username,
          error: 'The username or password is not correct. Check them and try again.',
        });
      }

      await attempt.succeeded();
      rememberBrowser(request, reply, user.id);
      interaction.progress.accountId = user.id;
      logAuthEvent({ event: 'login.succeeded', userId: user.id, clientId, ip });
      return kit.recordProof(reply, interaction, 'password');
    }),
  );
}
