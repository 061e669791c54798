import { createHash, randomBytes } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { BackgroundMail } from '../accounts/background-mail.ts';
import { composePasswordChangedEmail, composePasswordResetEmail } from '../accounts/password-emails.ts';
import { hashPassword } from '../accounts/password-hashing.ts';
import { checkNewPassword } from '../accounts/password-policy.ts';
import type { StepupConfig } from '../config/config-schema.ts';
import { RecoveryCodes } from '../factors/recovery-codes/recovery-codes.ts';
import type { TotpFactor } from '../factors/totp/totp-factor.ts';
import type { AuthEventLogger } from '../log/auth-events.ts';
import type { Store } from '../store/store.ts';
import type { User } from '../store/users.ts';
import { CodeThrottle } from '../throttle/code-throttle.ts';
import { countOnEveryLimit, windowLimit } from '../throttle/counted-limit.ts';
import type { ThrottleRefusal } from '../throttle/throttle-refusal.ts';
import { passwordFingerprint } from './password-fingerprint.ts';
import { verifyResetSecondFactor } from './verify-reset-second-factor.ts';
import { renderForgotPasswordPage } from './views/forgot-password-page.ts';
import { type ResetPasswordPageState, renderResetPasswordPage } from './views/reset-password-page.ts';

export interface PasswordResetDependencies {
  store: Store;
  config: StepupConfig;
  clock: () => number;
  totp: TotpFactor;
  logAuthEvent: AuthEventLogger;
  accountMail: BackgroundMail;
}

type FormRequest = FastifyRequest<{
  Body: Record<string, unknown> | undefined;
  Querystring: Record<string, string | undefined>;
}>;

/** What a reset link's token leads to, checked: the account, and its password still the one it was sent for. */
interface ValidReset {
  user: User;
  /** How the reset asks for a second factor: not at all, by code, or it cannot (ask an administrator). */
  secondFactor: 'none' | 'code' | 'unavailable';
}

/**
 * Forgotten passwords (`/account/password/forgot`, `/account/password/reset`): an emailed link that
 * works once, for minutes, for the one account, and stops working when the password changes. Asking
 * answers alike whether or not an account matched, after the same work; asking is throttled per
 * account and per client address. A reset never lowers what a login proves: a person with a second
 * factor gives a code from it (or a recovery code) before the new password is set, and the next login
 * still asks for the second factor wherever it did before. Every session of the person ends.
 */
export function registerPasswordResetRoutes(app: FastifyInstance, deps: PasswordResetDependencies): void {
  const { store, config, logAuthEvent } = deps;
  const recoveryCodes = new RecoveryCodes(store.recoveryCodes);
  const codeThrottle = new CodeThrottle(store, config);
  const sendHtml = (reply: FastifyReply, status: number, body: string) =>
    reply.code(status).type('text/html; charset=utf-8').send(body);
  const field = (request: FormRequest, name: string) => {
    const value = request.body?.[name];
    return typeof value === 'string' ? value.slice(0, 1024) : '';
  };
  const ttlMinutes = () => Math.round(config.passwords.resetLinkTtlSeconds / 60);
  const sendResetPage = (reply: FastifyReply, status: number, page: ResetPasswordPageState) =>
    sendHtml(reply, status, renderResetPasswordPage(page));
  const sendThrottled = (reply: FastifyReply, refusal: ThrottleRefusal) => {
    const minutes = Math.max(1, Math.ceil((refusal.retryAfter ?? 60) / 60));
    reply.header('stepup-error-code', refusal.code);
    if (refusal.retryAfter !== undefined) reply.header('retry-after', String(refusal.retryAfter));
    return sendHtml(
      reply,
      429,
      renderForgotPasswordPage({
        state: 'ask',
        ttlMinutes: ttlMinutes(),
        error: `Too many requests. Try again in ${minutes === 1 ? '1 minute' : `${minutes} minutes`}.`,
      }),
    );
  };

  /** The checked reset a token leads to, or undefined for an unknown, used, expired or voided link. */
  async function findValidReset(token: string, now: number): Promise<ValidReset | undefined> {
    if (!token) return undefined;
    const grant = await store.passwordResetTokens.find(token, now);
    const user = grant && (await store.users.findById(grant.userId));
    if (!grant || !user || passwordFingerprint(user.passwordHash) !== grant.passwordFingerprint)
      return undefined;
    return { user, secondFactor: await resetSecondFactor(user) };
  }

  /** Email codes do not count here: the link came by email. Push and security keys need a login. */
  async function resetSecondFactor(user: User): Promise<ValidReset['secondFactor']> {
    const [totp, devices, keys, codesLeft] = await Promise.all([
      deps.totp.listFor(user.id),
      store.pushDevices.listForUser(user.id),
      store.webauthnCredentials.listForUser(user.id),
      recoveryCodes.remaining(user.id),
    ]);
    if (totp.length > 0 || codesLeft > 0) return 'code';
    const hasOther = devices.some((device) => device.revokedAt === null) || keys.length > 0;
    return hasOther ? 'unavailable' : 'none';
  }

  app.get('/account/password/forgot', async (_request, reply) =>
    sendHtml(reply, 200, renderForgotPasswordPage({ state: 'ask', ttlMinutes: ttlMinutes() })),
  );

  app.post('/account/password/forgot', async (request: FormRequest, reply) => {
    const login = field(request, 'login').trim();
    if (!login) {
      return sendHtml(
        reply,
        400,
        renderForgotPasswordPage({
          state: 'ask',
          ttlMinutes: ttlMinutes(),
          error: 'Enter your username or email address.',
        }),
      );
    }
    const now = deps.clock();
    const user = await store.users.findByLogin(login);
    // The same limits are counted whether or not an account matched, so a refusal tells nothing either.
    const refusal = await countOnEveryLimit(
      [
        windowLimit({
          counters: store.attempts,
          key: `password-reset:ip:${request.ip}`,
          ...config.passwords.resetRequestsPerIp,
          code: 'password_reset_throttled',
        }),
        windowLimit({
          counters: store.attempts,
          key: `password-reset:account:${user?.id ?? `login:${login.normalize('NFC').toLowerCase()}`}`,
          ...config.passwords.resetRequests,
          code: 'password_reset_throttled',
        }),
      ],
      now,
    );
    if (refusal) return sendThrottled(reply, refusal);
    if (user?.email) {
      const to = user.email;
      // Stored and sent after the answer: neither the database write nor the mail server's pace may
      // tell an address with an account from one without (both answers did the same reads and counts).
      deps.accountMail.sendWhenReady(async () => {
        const managed = await store.userManagement.find(user.id);
        if (!managed || managed.blocked) return undefined;
        const token = randomBytes(32).toString('base64url');
        await store.passwordResetTokens.issue({
          tokenHash: token,
          userId: user.id,
          passwordFingerprint: passwordFingerprint(user.passwordHash),
          now,
          expiresAt: now + config.passwords.resetLinkTtlSeconds,
        });
        logAuthEvent({ event: 'password.reset_requested', userId: user.id, ip: request.ip });
        return composePasswordResetEmail({
          to,
          link: `${config.issuer}/account/password/reset?token=${token}`,
          ttlSeconds: config.passwords.resetLinkTtlSeconds,
        });
      });
    }
    return sendHtml(reply, 200, renderForgotPasswordPage({ state: 'sent', ttlMinutes: ttlMinutes() }));
  });

  app.get('/account/password/reset', async (request: FormRequest, reply) => {
    const token = (request.query.token ?? '').slice(0, 256);
    const reset = await findValidReset(token, deps.clock());
    if (!reset) return sendResetPage(reply, 400, { state: 'invalid' });
    if (reset.secondFactor === 'unavailable') return sendResetPage(reply, 403, { state: 'needs-help' });
    return sendResetPage(reply, 200, {
      state: 'form',
      token,
      username: reset.user.username,
      minLength: config.passwords.minLength,
      asksForCode: reset.secondFactor === 'code',
    });
  });

  app.post('/account/password/reset', async (request: FormRequest, reply) => {
    const token = field(request, 'token').slice(0, 256);
    const now = deps.clock();
    const reset = await findValidReset(token, now);
    if (!reset) {
      logAuthEvent({ event: 'password.reset_refused', reason: 'invalid_link', ip: request.ip });
      return sendResetPage(reply, 400, { state: 'invalid' });
    }
    if (reset.secondFactor === 'unavailable') return sendResetPage(reply, 403, { state: 'needs-help' });
    const { user } = reset;
    const refuse = (status: number, reason: ResetRefusal, error: string) => {
      logAuthEvent({ event: 'password.reset_refused', userId: user.id, reason, ip: request.ip });
      reply.header('stepup-error-code', reason);
      return sendResetPage(reply, status, {
        state: 'form',
        token,
        username: user.username,
        minLength: config.passwords.minLength,
        asksForCode: reset.secondFactor === 'code',
        error,
      });
    };
    const password = field(request, 'new_password');
    if (password !== field(request, 'confirm_password')) {
      return refuse(400, 'password_mismatch', 'The two new passwords are not the same. Type them again.');
    }
    const problem = await checkNewPassword(password, {
      minLength: config.passwords.minLength,
      accountWords: [user.username, user.email],
    });
    if (problem) return refuse(400, problem.code, problem.message);
    if (reset.secondFactor === 'code') {
      // Counted with every other code of the account, before it is checked.
      const attempt = await codeThrottle.attempt({
        accountId: user.id,
        interactionUid: `password-reset:${createHash('sha256').update(token).digest('base64url')}`,
        now,
      });
      if (!attempt.allowed) {
        return refuse(429, attempt.code, 'Too many wrong codes. Wait a while, then ask for a new link.');
      }
      const verified = await verifyResetSecondFactor(
        { totp: deps.totp, recoveryCodes, skewSteps: config.factors.totp.skewSteps },
        user.id,
        field(request, 'code'),
        now,
      );
      if (!verified) {
        return refuse(
          401,
          'wrong_code',
          'That code is not correct. Enter the code your authenticator app shows now, or an unused recovery code.',
        );
      }
      await attempt.succeeded();
      await codeThrottle.secondFactorSucceeded(user.id);
    }
    // Single use: of concurrent redemptions only one gets the grant; its fingerprint is checked again,
    // as the password may have changed since the link was read.
    const grant = await store.passwordResetTokens.consume(token, now);
    if (
      !grant ||
      grant.userId !== user.id ||
      grant.passwordFingerprint !== passwordFingerprint(user.passwordHash)
    ) {
      logAuthEvent({
        event: 'password.reset_refused',
        userId: user.id,
        reason: 'invalid_link',
        ip: request.ip,
      });
      return sendResetPage(reply, 400, { state: 'invalid' });
    }
    const changed = await store.userManagement.changeOwnPassword(
      user.id,
      await hashPassword(password),
      { keepSessionUid: null },
      (ended) => ({
        time: now,
        type: 'password.reset',
        outcome: 'success',
        userId: user.id,
        ip: request.ip,
        actor: { type: 'user', id: user.id },
        details: { sessionsEnded: ended, secondFactor: reset.secondFactor === 'code' },
      }),
    );
    if (changed === undefined) return sendResetPage(reply, 400, { state: 'invalid' });
    if (user.email)
      deps.accountMail.send(
        composePasswordChangedEmail({ to: user.email, username: user.username, how: 'reset' }),
      );
    return sendResetPage(reply, 200, { state: 'done' });
  });
}

/** Why a reset form was refused, as the `stepup-error-code` header and the audit log say. */
type ResetRefusal =
  | 'password_mismatch'
  | 'password_too_short'
  | 'password_too_long'
  | 'password_too_common'
  | 'password_matches_account'
  | 'wrong_code'
  | ThrottleRefusal['code'];
