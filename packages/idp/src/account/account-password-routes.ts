import type { FastifyInstance, FastifyReply } from 'fastify';
import type { BackgroundMail } from '../accounts/background-mail.ts';
import { composePasswordChangedEmail } from '../accounts/password-emails.ts';
import { hashPassword, verifyPassword } from '../accounts/password-hashing.ts';
import { checkNewPassword } from '../accounts/password-policy.ts';
import type { StepupConfig } from '../config/config-schema.ts';
import type { AuthEventLogger } from '../log/auth-events.ts';
import type { Store } from '../store/store.ts';
import { windowLimit } from '../throttle/counted-limit.ts';
import type { AccountNotice } from './account-notices.ts';
import type { AccountRequest, SignedIn } from './account-routes.ts';

/** What the password change borrows from the account page: who is signed in, and how to answer. */
export interface AccountPasswordDependencies {
  store: Store;
  config: StepupConfig;
  logAuthEvent: AuthEventLogger;
  accountMail: BackgroundMail;
  /**
   * The signed-in person with a valid form token and, when they have a second factor, a recent
   * multi-factor sign-in (the rule for adding a factor); otherwise the request is answered.
   */
  readyToChangePassword(request: AccountRequest, reply: FastifyReply): Promise<SignedIn | undefined>;
  sendAccountPage(
    reply: FastifyReply,
    current: SignedIn,
    status: number,
    message: { passwordError: string },
  ): Promise<unknown>;
  backToAccount(reply: FastifyReply, notice: AccountNotice): unknown;
}

/**
 * `POST /account/password`: the current password and a new one the policy accepts. The person's
 * other sessions end (with the tokens issued in them), remembered browsers are forgotten, the change
 * is audited with it in one transaction, and the person is told by email when they have an address.
 */
export function registerAccountPasswordRoutes(app: FastifyInstance, deps: AccountPasswordDependencies): void {
  const { store, config, logAuthEvent } = deps;
  const field = (request: AccountRequest, name: string) => {
    const value = request.body?.[name];
    return typeof value === 'string' ? value.slice(0, 1024) : '';
  };

  app.post('/account/password', async (request: AccountRequest, reply) => {
    const current = await deps.readyToChangePassword(request, reply);
    if (!current) return;
    const { user, now } = current;
    const refuse = (status: number, reason: string, error: string) => {
      logAuthEvent({ event: 'password.change_refused', userId: user.id, reason, ip: request.ip });
      reply.header('stepup-error-code', reason);
      return deps.sendAccountPage(reply, current, status, { passwordError: error });
    };
    // Counted before the current password is checked, so parallel guesses get no more tries.
    const failures = windowLimit({
      counters: store.attempts,
      key: `password-change:account:${user.id}`,
      ...config.passwords.changeFailures,
      code: 'password_change_throttled',
    });
    const refusal = await failures.count(now);
    if (refusal) {
      if (refusal.retryAfter !== undefined) reply.header('retry-after', String(refusal.retryAfter));
      const minutes = Math.max(1, Math.ceil((refusal.retryAfter ?? 60) / 60));
      return refuse(429, refusal.code, `Too many wrong passwords. Wait ${minutes} minutes, then try again.`);
    }
    if (!(await verifyPassword(user.passwordHash, field(request, 'current_password')))) {
      return refuse(400, 'wrong_password', 'Your current password is not correct. Nothing was changed.');
    }
    await failures.refund(now);
    const password = field(request, 'new_password');
    if (password !== field(request, 'confirm_password')) {
      return refuse(400, 'password_mismatch', 'The two new passwords are not the same. Type them again.');
    }
    const problem = await checkNewPassword(password, {
      minLength: config.passwords.minLength,
      accountWords: [user.username, user.email],
    });
    if (problem) return refuse(400, problem.code, problem.message);
    const changed = await store.userManagement.changeOwnPassword(
      user.id,
      await hashPassword(password),
      { keepSessionUid: current.session.sessionUid },
      (ended) => ({
        time: now,
        type: 'password.changed',
        outcome: 'success',
        userId: user.id,
        ip: request.ip,
        actor: { type: 'user', id: user.id },
        details: { otherSessionsEnded: ended },
      }),
    );
    if (changed === undefined) return deps.backToAccount(reply, 'not-found');
    if (user.email) {
      deps.accountMail.send(
        composePasswordChangedEmail({ to: user.email, username: user.username, how: 'changed' }),
      );
    }
    return deps.backToAccount(reply, 'password-changed');
  });
}
