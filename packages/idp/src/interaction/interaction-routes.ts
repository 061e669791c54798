import type { AcrLadder } from '@stepup/core';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type Provider from 'oidc-provider';
import type { InteractionResults } from 'oidc-provider';
import QRCode from 'qrcode';
import { verifyPassword } from '../accounts/password-hashing.ts';
import type { StepupConfig } from '../config/config-schema.ts';
import type { SecretBox } from '../crypto/secret-box.ts';
import { generateTotpSecret, matchTotpStep, totpUri } from '../factors/totp/totp.ts';
import type { TotpFactor } from '../factors/totp/totp-factor.ts';
import type { AuthEventLogger } from '../log/auth-events.ts';
import { readRequestedAuthentication } from '../oidc/requested-authentication.ts';
import { loadSessionProofs, mergeProofs } from '../session/session-proofs.ts';
import type { Store } from '../store/store.ts';
import type { PasswordThrottle } from '../throttle/password-throttle.ts';
import { type InteractionProgress, isValidCsrfToken, loadProgress } from './interaction-progress.ts';
import { isKnownBrowser, rememberBrowser } from './known-browsers.ts';
import { decideNextStep, type NextStep } from './next-step.ts';
import { renderErrorPage } from './views/error-page.ts';
import { renderLoginPage } from './views/login-page.ts';
import { renderTotpChallengePage } from './views/totp-challenge-page.ts';
import { renderTotpEnrollmentPage } from './views/totp-enrollment-page.ts';

export interface InteractionDependencies {
  provider: Provider;
  store: Store;
  ladder: AcrLadder;
  config: StepupConfig;
  totp: TotpFactor;
  secretBox: SecretBox;
  passwordThrottle: PasswordThrottle;
  logAuthEvent: AuthEventLogger;
  clock: () => number;
}

type InteractionRequest = FastifyRequest<{
  Params: { uid: string };
  Body: Record<string, unknown> | undefined;
}>;

interface Interaction {
  uid: string;
  clientId: string;
  clientName: string;
  expiresAt: number;
  progress: InteractionProgress;
  step: NextStep;
  now: number;
}

class InteractionExpired extends Error {}

const MAX_FIELD_LENGTH = 1024;

/**
 * The login interaction: password, then the second factor the requested level needs, then back to
 * oidc-provider. Every form posts to its own path with the interaction's CSRF token and redirects
 * back to the interaction page (POST/redirect/GET), which decides the next step afresh.
 */
export function registerInteractionRoutes(app: FastifyInstance, deps: InteractionDependencies): void {
  const { provider, store, ladder, totp, clock } = deps;

  async function load(request: InteractionRequest, reply: FastifyReply): Promise<Interaction> {
    let details: Awaited<ReturnType<Provider['interactionDetails']>>;
    try {
      details = await provider.interactionDetails(request.raw, reply.raw);
    } catch {
      throw new InteractionExpired();
    }
    if (details.uid !== request.params.uid) throw new InteractionExpired();
    const now = clock();
    const progress = await loadProgress(store.interactionStates, details.uid, now, details.exp);
    const clientId = String(details.params.client_id);
    const client = await provider.Client.find(clientId);
    const sessionAccountId = details.session?.accountId;
    const sessionProofs = await loadSessionProofs(
      store.authSessions,
      details.session?.uid,
      sessionAccountId,
      now,
    );
    const step = decideNextStep(
      {
        promptName: details.prompt.name,
        reasons: details.prompt.reasons,
        request: readRequestedAuthentication(details.params),
        sessionAccountId,
        sessionProofs,
        accountId: progress.accountId,
        proofs: progress.proofs,
        startedAt: progress.startedAt,
      },
      ladder,
      now,
    );
    return {
      uid: details.uid,
      clientId,
      clientName: client?.clientName ?? clientId,
      expiresAt: details.exp,
      progress,
      step,
      now,
    };
  }

  async function saveProgress(interaction: Interaction): Promise<void> {
    await store.interactionStates.save(interaction.uid, interaction.progress, interaction.expiresAt);
  }

  async function finish(
    request: InteractionRequest,
    reply: FastifyReply,
    interaction: Interaction,
    result: InteractionResults,
  ): Promise<void> {
    await store.interactionStates.destroy(interaction.uid);
    reply.hijack();
    // Consent keeps the login result of the interaction before it; everything else stands alone.
    const mergeWithLastSubmission = 'consent' in result;
    await provider.interactionFinished(request.raw, reply.raw, result, { mergeWithLastSubmission });
  }

  async function refuse(
    request: InteractionRequest,
    reply: FastifyReply,
    interaction: Interaction,
    error: 'unmet_authentication_requirements' | 'access_denied',
    reason: string,
  ): Promise<void> {
    const userId = 'accountId' in interaction.step ? interaction.step.accountId : undefined;
    deps.logAuthEvent({
      event: 'stepup.refused',
      clientId: interaction.clientId,
      reason,
      ...(userId ? { userId } : {}),
    });
    await finish(request, reply, interaction, { error, error_description: reason });
  }

  function redirectToInteraction(reply: FastifyReply, interaction: Interaction): FastifyReply {
    return reply.code(303).header('location', `/interaction/${interaction.uid}`).send();
  }

  function paths(interaction: Interaction) {
    const base = `/interaction/${interaction.uid}`;
    return {
      password: `${base}/password`,
      totp: `${base}/totp`,
      enrollment: `${base}/totp-enrollment`,
      cancel: `${base}/cancel`,
    };
  }

  async function usernameOf(accountId: string): Promise<string> {
    return (await store.users.findById(accountId))?.username ?? '';
  }

  /** Renders the page for the current step, or finishes the interaction when nothing is left to ask. */
  async function proceed(
    request: InteractionRequest,
    reply: FastifyReply,
    interaction: Interaction,
    feedback: { status?: number; error?: string; attemptsLeft?: number; username?: string } = {},
  ): Promise<void> {
    const { step, progress } = interaction;
    const html = (status: number, body: string) =>
      reply.code(status).type('text/html; charset=utf-8').send(body);
    switch (step.step) {
      case 'consent':
        await finish(request, reply, interaction, { consent: {} });
        return;
      case 'finish':
        await finish(request, reply, interaction, {
          login: {
            accountId: step.accountId,
            acr: step.context.acr,
            amr: step.context.amr,
            ts: step.context.auth_time,
          },
          stepup: { proofs: progress.proofs, startedAt: progress.startedAt },
        });
        return;
      case 'unmet':
        await refuse(request, reply, interaction, 'unmet_authentication_requirements', step.reason);
        return;
      case 'password': {
        const details = await provider.interactionDetails(request.raw, reply.raw);
        const sessionAccountId = details.session?.accountId;
        const loginHint =
          typeof details.params.login_hint === 'string' ? details.params.login_hint : undefined;
        const username =
          feedback.username ?? (sessionAccountId ? await usernameOf(sessionAccountId) : loginHint);
        html(
          feedback.status ?? 200,
          renderLoginPage({
            action: paths(interaction).password,
            csrfToken: progress.csrf,
            clientName: interaction.clientName,
            ...(username ? { username } : {}),
            ...(feedback.error ? { error: feedback.error } : {}),
            ...(sessionAccountId
              ? { stepUpReason: `${interaction.clientName} asks you to sign in again.` }
              : {}),
          }),
        );
        return;
      }
      case 'second-factor': {
        if (!step.methods.includes('totp')) {
          await refuse(
            request,
            reply,
            interaction,
            'unmet_authentication_requirements',
            'no usable second factor',
          );
          return;
        }
        const username = await usernameOf(step.accountId);
        const common = {
          cancelAction: paths(interaction).cancel,
          csrfToken: progress.csrf,
          clientName: interaction.clientName,
          username,
          ...(feedback.error ? { error: feedback.error } : {}),
        };
        const enrolled = await totp.listFor(step.accountId);
        if (enrolled.length > 0) {
          html(
            feedback.status ?? 200,
            renderTotpChallengePage({
              ...common,
              action: paths(interaction).totp,
              ...(feedback.attemptsLeft === undefined ? {} : { attemptsLeft: feedback.attemptsLeft }),
            }),
          );
          return;
        }
        // Trust on first use: a person without a second factor enrolls one during the step-up.
        let secret: string;
        if (progress.enrollmentSecret) {
          secret = deps.secretBox.open(progress.enrollmentSecret, enrollmentContext(interaction));
        } else {
          secret = generateTotpSecret();
          progress.enrollmentSecret = deps.secretBox.seal(secret, enrollmentContext(interaction));
          await saveProgress(interaction);
        }
        const otpauthUri = totpUri({
          issuer: new URL(deps.config.issuer).host,
          accountName: username,
          secret,
        });
        html(
          feedback.status ?? 200,
          renderTotpEnrollmentPage({
            ...common,
            action: paths(interaction).enrollment,
            qrCodeDataUrl: await QRCode.toDataURL(otpauthUri, {
              errorCorrectionLevel: 'M',
              margin: 1,
              width: 240,
            }),
            secret,
            otpauthUri,
          }),
        );
        return;
      }
    }
  }

  /** Loads the interaction for a form post and checks its CSRF token; answers the request itself when not. */
  async function loadForPost(
    request: InteractionRequest,
    reply: FastifyReply,
  ): Promise<Interaction | undefined> {
    const interaction = await load(request, reply);
    if (!isValidCsrfToken(interaction.progress, request.body?.csrf)) {
      reply
        .code(403)
        .type('text/html; charset=utf-8')
        .send(
          renderErrorPage({
            title: 'This form has expired',
            message: 'The page you sent was not the one we showed, or it is too old.',
            hint: 'Go back, reload the page and try again.',
          }),
        );
      return undefined;
    }
    return interaction;
  }

  /** Counts a wrong second-factor code; ends the step-up as unmet after too many in one login. */
  async function countWrongCode(
    request: InteractionRequest,
    reply: FastifyReply,
    interaction: Interaction,
    accountId: string,
    reason: 'wrong_code' | 'replayed_code',
  ): Promise<void> {
    const { throttling } = deps.config;
    deps.logAuthEvent({ event: 'factor.failed', userId: accountId, factor: 'totp', reason });
    await store.attempts.increment(
      `code:account:${accountId}`,
      throttling.secondFactor.windowSeconds,
      interaction.now,
    );
    const { count } = await store.attempts.increment(
      `code:interaction:${interaction.uid}`,
      deps.config.ttl.interaction,
      interaction.now,
    );
    const attemptsLeft = throttling.codeTriesPerLogin - count;
    if (attemptsLeft <= 0) {
      await refuse(request, reply, interaction, 'unmet_authentication_requirements', 'too many wrong codes');
      return;
    }
    await proceed(request, reply, interaction, {
      status: 401,
      attemptsLeft,
      error:
        reason === 'replayed_code'
          ? 'This code was already used. Wait for the next code in your authenticator app and enter it.'
          : 'That code is not correct. Enter the 6-digit code your authenticator app shows now.',
    });
  }

  /** Refuses the code when the account has had too many wrong codes recently (from any login). */
  async function secondFactorThrottled(
    request: InteractionRequest,
    reply: FastifyReply,
    interaction: Interaction,
    accountId: string,
  ): Promise<boolean> {
    const window = await store.attempts.peek(`code:account:${accountId}`, interaction.now);
    if (!window || window.count < deps.config.throttling.secondFactor.limit) return false;
    const minutes = Math.max(1, Math.ceil((window.resetAt - interaction.now) / 60));
    deps.logAuthEvent({ event: 'factor.failed', userId: accountId, factor: 'totp', reason: 'throttled' });
    reply.header('retry-after', String(window.resetAt - interaction.now));
    await proceed(request, reply, interaction, {
      status: 429,
      error: `Too many wrong codes. Wait ${minutes} minute${minutes === 1 ? '' : 's'}, then try again.`,
    });
    return true;
  }

  const handle =
    (handler: (request: InteractionRequest, reply: FastifyReply) => Promise<void>) =>
    async (request: InteractionRequest, reply: FastifyReply) => {
      try {
        await handler(request, reply);
      } catch (error) {
        if (!(error instanceof InteractionExpired)) throw error;
        reply
          .code(400)
          .type('text/html; charset=utf-8')
          .send(
            renderErrorPage({
              title: 'Your sign-in has expired',
              message: 'The sign-in took too long, or it was already completed in another tab.',
              hint: 'Go back to the application and start again.',
              reference: request.id,
            }),
          );
      }
    };

  app.get(
    '/interaction/:uid',
    handle(async (request, reply) => proceed(request, reply, await load(request, reply))),
  );

  app.post(
    '/interaction/:uid/password',
    handle(async (request, reply) => {
      const interaction = await loadForPost(request, reply);
      if (!interaction) return;
      if (interaction.step.step !== 'password') return void redirectToInteraction(reply, interaction);
      const username = fieldOf(request, 'username').trim();
      const password = fieldOf(request, 'password');
      const ip = request.ip;
      const { clientId, now } = interaction;
      const details = await provider.interactionDetails(request.raw, reply.raw);
      const sessionAccountId = details.session?.accountId;

      const user = username ? await store.users.findByLogin(username) : undefined;
      const account = user?.id ?? `login:${username.toLowerCase()}`;
      const decision = await deps.passwordThrottle.check({
        account,
        ip,
        knownBrowser: user ? isKnownBrowser(request, user.id) : false,
        now,
      });
      if (!decision.allowed) {
        const minutes = Math.max(1, Math.ceil(decision.retryAfter / 60));
        deps.logAuthEvent({
          event: 'login.throttled',
          scope: decision.scope,
          retryAfter: decision.retryAfter,
          clientId,
          ip,
        });
        reply.header('retry-after', String(decision.retryAfter));
        return proceed(request, reply, interaction, {
          status: 429,
          username,
          error: `Too many failed sign-ins. Wait ${minutes} minute${minutes === 1 ? '' : 's'}, then try again, or sign in from a browser you used before.`,
        });
      }

      // A session signed in to one person only re-authenticates that person; to switch, sign out first.
      const otherAccount =
        sessionAccountId !== undefined && user !== undefined && user.id !== sessionAccountId;
      const valid = (await verifyPassword(user?.passwordHash, password)) && !otherAccount;
      if (!user || !valid) {
        await deps.passwordThrottle.recordFailure({ account, ip, now });
        deps.logAuthEvent({
          event: 'login.failed',
          reason: !user ? 'unknown_user' : otherAccount ? 'other_account' : 'wrong_password',
          clientId,
          ip,
        });
        return proceed(request, reply, interaction, {
          status: 401,
          username,
          error: 'The username or password is not correct. Check them and try again.',
        });
      }

      await deps.passwordThrottle.recordSuccess(user.id);
      rememberBrowser(request, reply, user.id);
      interaction.progress.accountId = user.id;
      interaction.progress.proofs = mergeProofs(interaction.progress.proofs, [
        { method: 'password', at: now },
      ]);
      await saveProgress(interaction);
      deps.logAuthEvent({ event: 'login.succeeded', userId: user.id, clientId, ip });
      redirectToInteraction(reply, interaction);
    }),
  );

  app.post(
    '/interaction/:uid/totp',
    handle(async (request, reply) => {
      const interaction = await loadForPost(request, reply);
      if (!interaction) return;
      const { step, now } = interaction;
      if (step.step !== 'second-factor') return void redirectToInteraction(reply, interaction);
      if (await secondFactorThrottled(request, reply, interaction, step.accountId)) return;
      const verification = await totp.verify(step.accountId, fieldOf(request, 'code').trim(), now);
      if (verification !== 'accepted')
        return countWrongCode(request, reply, interaction, step.accountId, verification);
      interaction.progress.proofs = mergeProofs(interaction.progress.proofs, [{ method: 'totp', at: now }]);
      await saveProgress(interaction);
      redirectToInteraction(reply, interaction);
    }),
  );

  app.post(
    '/interaction/:uid/totp-enrollment',
    handle(async (request, reply) => {
      const interaction = await loadForPost(request, reply);
      if (!interaction) return;
      const { step, now, progress } = interaction;
      if (step.step !== 'second-factor' || !progress.enrollmentSecret) {
        return void redirectToInteraction(reply, interaction);
      }
      if ((await totp.listFor(step.accountId)).length > 0)
        return void redirectToInteraction(reply, interaction);
      if (await secondFactorThrottled(request, reply, interaction, step.accountId)) return;
      const secret = deps.secretBox.open(progress.enrollmentSecret, enrollmentContext(interaction));
      const matched = matchTotpStep(secret, fieldOf(request, 'code').trim(), now);
      if (matched === undefined)
        return countWrongCode(request, reply, interaction, step.accountId, 'wrong_code');
      const factor = await totp.enroll(step.accountId, secret, 'Authenticator app', now);
      await totp.consumeStep(factor, matched, now);
      delete progress.enrollmentSecret;
      progress.proofs = mergeProofs(progress.proofs, [{ method: 'totp', at: now }]);
      await saveProgress(interaction);
      deps.logAuthEvent({
        event: 'factor.enrolled',
        userId: step.accountId,
        factor: 'totp',
        clientId: interaction.clientId,
      });
      redirectToInteraction(reply, interaction);
    }),
  );

  app.post(
    '/interaction/:uid/cancel',
    handle(async (request, reply) => {
      const interaction = await loadForPost(request, reply);
      if (!interaction) return;
      if (interaction.step.step === 'second-factor') {
        return refuse(
          request,
          reply,
          interaction,
          'unmet_authentication_requirements',
          'the second factor was cancelled',
        );
      }
      return refuse(request, reply, interaction, 'access_denied', 'the sign-in was cancelled');
    }),
  );
}

function fieldOf(request: InteractionRequest, name: string): string {
  const value = request.body?.[name];
  return typeof value === 'string' ? value.slice(0, MAX_FIELD_LENGTH) : '';
}

function enrollmentContext(interaction: Interaction): string {
  return `totp-enrollment:${interaction.uid}`;
}
