import { isMethodName } from '@stepup/core';
import type { FastifyInstance } from 'fastify';
import { EmailOtp } from '../factors/email-otp/email-otp.ts';
import { createEmailOtpInteraction } from '../factors/email-otp/email-otp-interaction.ts';
import type { Mailer } from '../factors/email-otp/mailer.ts';
import { createInProcessPushNotifier } from '../factors/push/in-process-push-notifier.ts';
import { createPushContext } from '../factors/push/push-context.ts';
import { createPushInteraction } from '../factors/push/push-interaction.ts';
import type { PushNotifier } from '../factors/push/push-notifier.ts';
import { createRecoveryCodeInteraction } from '../factors/recovery-codes/recovery-code-interaction.ts';
import { RecoveryCodes } from '../factors/recovery-codes/recovery-codes.ts';
import type { TotpFactor } from '../factors/totp/totp-factor.ts';
import { createTotpInteraction } from '../factors/totp/totp-interaction.ts';
import { registerPasskeySignIn } from '../factors/webauthn/passkey-sign-in.ts';
import type { WebAuthnFactor } from '../factors/webauthn/webauthn-factor.ts';
import { createWebAuthnInteraction } from '../factors/webauthn/webauthn-interaction.ts';
import { createRememberBrowserOffer } from '../remember-browser/remember-browser-offer.ts';
import type { PasswordThrottle } from '../throttle/password-throttle.ts';
import { registerActionContinueRoutes } from './action-continue-routes.ts';
import { type InteractionDependencies, InteractionKit } from './interaction-kit.ts';
import { registerPasswordStep } from './password-step.ts';
import type { BeforeFinishPage, SecondFactor } from './second-factor.ts';

export interface InteractionRouteDependencies extends InteractionDependencies {
  totp: TotpFactor;
  /** Security keys and passkeys: a second factor, and passkey sign-in as a first step. */
  webauthn: WebAuthnFactor;
  passwordThrottle: PasswordThrottle;
  /** Sends the email one-time codes (SMTP, or the outbox folder in development). */
  mailer: Mailer;
  /** Wakes waiting login pages and device streams; in-process when absent (one node). */
  pushNotifier?: PushNotifier;
}

/**
 * The login interaction: password, then the second factor the requested level needs, then back to
 * oidc-provider. Every form posts to its own path with the interaction's CSRF token and redirects
 * back to the interaction page (POST/redirect/GET), which decides the next step afresh.
 */
export function registerInteractionRoutes(
  app: FastifyInstance,
  deps: InteractionRouteDependencies,
): InteractionKit {
  const factors: SecondFactor[] = [];
  const beforeFinish: BeforeFinishPage[] = [];
  const kit = new InteractionKit(deps, factors, beforeFinish);
  // In order of preference: the first enrolled one is offered, the others under "try another way".
  // Push with number matching first: the seed's factor.
  const push = createPushContext({
    store: deps.store,
    config: deps.config,
    notifier: deps.pushNotifier ?? createInProcessPushNotifier(),
    logAuthEvent: deps.logAuthEvent,
  });
  factors.push(createPushInteraction(push, kit));
  // Security keys and passkeys: after push, before TOTP (phishing resistant, and nothing to type).
  factors.push(createWebAuthnInteraction(deps.webauthn, kit));
  factors.push(createTotpInteraction(deps.totp, kit));
  // Registered even while switched off: `email.enabled` is read at each request (operators switch it at runtime).
  const email = new EmailOtp({
    codes: deps.store.emailCodes,
    attempts: deps.store.attempts,
    mailer: deps.mailer,
    settings: deps.config.email,
  });
  factors.push(createEmailOtpInteraction(email, kit, deps.config.email));
  // Last: a way back in, never the factor offered first while another is enrolled.
  factors.push(createRecoveryCodeInteraction(new RecoveryCodes(deps.store.recoveryCodes), kit));
  if (deps.rememberedBrowsers) beforeFinish.push(createRememberBrowserOffer(kit, deps.rememberedBrowsers));

  app.get(
    '/interaction/:uid',
    kit.handle(async (request, reply) => kit.proceed(request, reply, await kit.load(request, reply))),
  );

  registerPasswordStep(app, kit, deps.passwordThrottle);
  registerActionContinueRoutes(app, kit);
  registerPasskeySignIn(app, kit, deps.webauthn);
  for (const page of [...factors, ...beforeFinish]) page.registerRoutes(app, kit);

  app.post(
    '/interaction/:uid/choose',
    kit.handle(async (request, reply) => {
      const interaction = await kit.loadForPost(request, reply);
      if (!interaction) return;
      const method = kit.field(request, 'method');
      if (
        interaction.step.step === 'second-factor' &&
        isMethodName(method) &&
        interaction.step.methods.includes(method)
      ) {
        interaction.progress.chosenMethod = method;
        await kit.saveProgress(interaction);
      }
      kit.redirectToInteraction(reply, interaction);
    }),
  );

  app.post(
    '/interaction/:uid/cancel',
    kit.handle(async (request, reply) => {
      const interaction = await kit.loadForPost(request, reply);
      if (!interaction) return;
      if (interaction.step.step === 'second-factor') {
        return kit.refuse(
          request,
          reply,
          interaction,
          'unmet_authentication_requirements',
          'the second factor was cancelled',
        );
      }
      return kit.refuse(request, reply, interaction, 'access_denied', 'the sign-in was cancelled');
    }),
  );
  return kit;
}
