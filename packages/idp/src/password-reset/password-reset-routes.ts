import { randomBytes } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { BackgroundMail } from '../accounts/background-mail.ts';
import { composePasswordChangedEmail, composePasswordResetEmail } from '../accounts/password-emails.ts';
import { hashPassword } from '../accounts/password-hashing.ts';
import { checkNewPassword } from '../accounts/password-policy.ts';
import type { StepupConfig } from '../config/config-schema.ts';
import { isFactorSwitchedOn } from '../factors/factor-switches.ts';
import { createInProcessPushNotifier } from '../factors/push/in-process-push-notifier.ts';
import { activePushDevices, createPushContext } from '../factors/push/push-context.ts';
import type { PushNotifier } from '../factors/push/push-notifier.ts';
import { RecoveryCodes } from '../factors/recovery-codes/recovery-codes.ts';
import type { TotpFactor } from '../factors/totp/totp-factor.ts';
import { WebAuthnError } from '../factors/webauthn/webauthn-error.ts';
import type { WebAuthnFactor } from '../factors/webauthn/webauthn-factor.ts';
import type { AuthEventLogger } from '../log/auth-events.ts';
import type { Store } from '../store/store.ts';
import type { User } from '../store/users.ts';
import { CodeThrottle } from '../throttle/code-throttle.ts';
import { countOnEveryLimit, windowLimit } from '../throttle/counted-limit.ts';
import type { ThrottleRefusal } from '../throttle/throttle-refusal.ts';
import { passwordFingerprint } from './password-fingerprint.ts';
import { resetProofKey } from './reset-proof-key.ts';
import { claimResetPushApproval, latestResetPush } from './reset-push.ts';
import { registerResetPushRoutes, resetPushState } from './reset-push-routes.ts';
import { registerResetWebAuthnRoutes } from './reset-webauthn-routes.ts';
import { verifyResetSecondFactor } from './verify-reset-second-factor.ts';
import { renderForgotPasswordPage } from './views/forgot-password-page.ts';
import { type ResetPasswordPageState, renderResetPasswordPage } from './views/reset-password-page.ts';
import { type ResetPushState, renderResetPushPage } from './views/reset-push-page.ts';

export interface PasswordResetDependencies {
  store: Store;
  config: StepupConfig;
  clock: () => number;
  totp: TotpFactor;
  logAuthEvent: AuthEventLogger;
  accountMail: BackgroundMail;
  webauthn: WebAuthnFactor;
  /** The bus a device's answer wakes the waiting page through; one process when absent. */
  pushNotifier?: PushNotifier;
}

type FormRequest = FastifyRequest<{
  Body: Record<string, unknown> | undefined;
  Querystring: Record<string, string | undefined>;
}>;

/** What a reset link's token leads to, checked: the account, and its password still the one it was sent for. */
interface ValidReset {
  user: User;
  /** When the link stops working (epoch seconds). */
  expiresAt: number;
  /** What the link's proofs (code attempts, push request, WebAuthn challenge) are bound to. */
  proofKey: string;
  /**
   * How the reset asks for a second factor: not at all, a code (authenticator app or recovery code),
   * a push request to the person's phone, a security key or passkey, or it cannot (every factor of
   * the person is switched off: ask an administrator).
   */
  secondFactor: 'none' | 'code' | 'push' | 'webauthn' | 'unavailable';
}

/**
 * Forgotten passwords (`/account/password/forgot`, `/account/password/reset`): an emailed link that
 * works once, for minutes, for the one account, and stops working when the password changes. Asking
 * answers alike whether or not an account matched, after the same work; asking is throttled per
 * account and per client address. A reset never lowers what a login proves: a person with a second
 * factor proves it before the new password is set — a code from it (or a recovery code), an approved
 * push request, or a security key's assertion, each bound to this link and used once — and the next
 * login still asks for the second factor wherever it did before. Every session of the person ends.
 */
export function registerPasswordResetRoutes(app: FastifyInstance, deps: PasswordResetDependencies): void {
  const { store, config, logAuthEvent } = deps;
  const recoveryCodes = new RecoveryCodes(store.recoveryCodes);
  const codeThrottle = new CodeThrottle(store, config);
  const push = createPushContext({
    store,
    config,
    notifier: deps.pushNotifier ?? createInProcessPushNotifier(),
    logAuthEvent,
  });
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
    return {
      user,
      expiresAt: grant.expiresAt,
      proofKey: resetProofKey(token),
      secondFactor: await resetSecondFactor(user),
    };
  }

  /**
   * Email codes do not count here: the link came by email. A code is asked when the person has one;
   * otherwise their phone (push, as the seed's factor comes first at sign-in too), otherwise their
   * security key. Factors an operator switched off are neither asked nor accepted.
   */
  async function resetSecondFactor(user: User): Promise<ValidReset['secondFactor']> {
    const [totp, devices, keys, codesLeft] = await Promise.all([
      deps.totp.listFor(user.id),
      activePushDevices(push, user.id),
      deps.webauthn.listFor(user.id),
      recoveryCodes.remaining(user.id),
    ]);
    if (totp.length > 0 || codesLeft > 0) return 'code';
    if (devices.length > 0 && isFactorSwitchedOn(config, 'push')) return 'push';
    if (keys.length > 0 && isFactorSwitchedOn(config, 'webauthn')) return 'webauthn';
    return devices.length > 0 || keys.length > 0 ? 'unavailable' : 'none';
  }

  const sendPushPage = (
    reply: FastifyReply,
    status: number,
    page: { token: string; user: User; push: ResetPushState; error?: string },
  ) =>
    sendHtml(
      reply,
      status,
      renderResetPushPage({
        token: page.token,
        username: page.user.username,
        push: page.push,
        ...(page.error === undefined ? {} : { error: page.error }),
      }),
    );

  registerResetPushRoutes(app, {
    push,
    clock: deps.clock,
    async findPushReset(token, now) {
      const reset = await findValidReset(token, now);
      return reset?.secondFactor === 'push' ? reset : undefined;
    },
    sendInvalid: (reply) => sendResetPage(reply, 400, { state: 'invalid' }),
    sendBlocked: (reply, token, reset, state) =>
      sendPushPage(reply, 429, { token, user: reset.user, push: state }),
  });

  registerResetWebAuthnRoutes(app, {
    webauthn: deps.webauthn,
    clock: deps.clock,
    async findWebAuthnReset(token, now) {
      const reset = await findValidReset(token, now);
      return reset?.secondFactor === 'webauthn' ? reset : undefined;
    },
  });

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
    if (reset.secondFactor === 'push') {
      // The password form only once this link's request was approved; before, the request itself.
      const challenge = await latestResetPush(push, reset.proofKey, reset.user.id, deps.clock());
      if (challenge?.status !== 'approved' || challenge.consumedAt !== null) {
        return sendPushPage(reply, 200, { token, user: reset.user, push: resetPushState(token, challenge) });
      }
    }
    return sendResetPage(reply, 200, {
      state: 'form',
      token,
      username: reset.user.username,
      minLength: config.passwords.minLength,
      proof: reset.secondFactor,
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
    const { user, secondFactor } = reset;
    const refuse = (status: number, reason: ResetRefusal, error: string) => {
      logAuthEvent({ event: 'password.reset_refused', userId: user.id, reason, ip: request.ip });
      reply.header('stepup-error-code', reason);
      return sendResetPage(reply, status, {
        state: 'form',
        token,
        username: user.username,
        minLength: config.passwords.minLength,
        proof: secondFactor,
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
    if (secondFactor === 'code') {
      // Counted with every other code of the account, before it is checked.
      const attempt = await codeThrottle.attempt({ accountId: user.id, interactionUid: reset.proofKey, now });
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
    if (secondFactor === 'push' && !(await claimResetPushApproval(push, reset.proofKey, user.id, now))) {
      // No approval of this link's own request (none yet, denied, or already used): back to asking.
      const reason: ResetRefusal = 'push_not_approved';
      logAuthEvent({ event: 'password.reset_refused', userId: user.id, reason, ip: request.ip });
      reply.header('stepup-error-code', reason);
      const challenge = await latestResetPush(push, reset.proofKey, user.id, now);
      return sendPushPage(reply, 401, {
        token,
        user,
        push: resetPushState(token, challenge),
        error: 'Approve the request on your phone first, then choose the new password.',
      });
    }
    if (secondFactor === 'webauthn') {
      try {
        // User verification as at sign-in: preferred for a security key, required for a passkey.
        await deps.webauthn.verifyAuthentication({
          interactionUid: reset.proofKey,
          ceremony: 'authentication',
          userId: user.id,
          response: request.body?.response,
          now,
        });
      } catch (error) {
        if (!(error instanceof WebAuthnError)) throw error;
        return refuse(
          401,
          'webauthn_refused',
          'Your security key or passkey was not accepted. Try again with one you added to this account.',
        );
      }
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
        details: { sessionsEnded: ended, secondFactor: secondFactor !== 'none', factor: secondFactor },
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
  | 'push_not_approved'
  | 'webauthn_refused'
  | ThrottleRefusal['code'];
