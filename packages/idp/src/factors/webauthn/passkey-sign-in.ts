import type { FastifyInstance } from 'fastify';
import type { InteractionKit } from '../../interaction/interaction-kit.ts';
import { rememberBrowser } from '../../interaction/known-browsers.ts';
import { isFactorSwitchedOn } from '../factor-switches.ts';
import { refuseWebAuthnResponse } from './refuse-webauthn-response.ts';
import { WebAuthnError } from './webauthn-error.ts';
import type { WebAuthnFactor } from './webauthn-factor.ts';

/**
 * Passkey sign-in: the other first step, next to the password on the login page. The browser offers
 * the discoverable credentials it holds for our RP ID; the one chosen names its owner (by its
 * credential ID and user handle), who becomes the interaction's account.
 *
 * User verification is required, so the proof is `passkey` (or `security-key-verified` for a
 * passkey on a security key): possession and inherence, phishing resistant — multi-factor, and the
 * phishing-resistant level, by itself. While an operator has WebAuthn switched off, both routes
 * refuse (the login page does not offer it either).
 */
export function registerPasskeySignIn(
  app: FastifyInstance,
  kit: InteractionKit,
  webauthn: WebAuthnFactor,
): void {
  const { logAuthEvent } = kit.deps;

  app.post(
    '/interaction/:uid/passkey/options',
    kit.handle(async (request, reply) => {
      const interaction = await kit.loadForPost(request, reply);
      if (!interaction) return;
      if (interaction.step.step !== 'password' || !isFactorSwitchedOn(kit.deps.config, 'webauthn')) {
        reply.code(409).send({ error: 'not_now' });
        return;
      }
      const options = await webauthn.issueAuthenticationOptions({
        interactionUid: interaction.uid,
        ceremony: 'sign-in',
        now: interaction.now,
      });
      reply.code(200).type('application/json; charset=utf-8').send(options);
    }),
  );

  app.post(
    '/interaction/:uid/passkey',
    kit.handle(async (request, reply) => {
      const interaction = await kit.loadForPost(request, reply);
      if (!interaction) return;
      if (interaction.step.step !== 'password' || !isFactorSwitchedOn(kit.deps.config, 'webauthn'))
        return kit.redirectToInteraction(reply, interaction);
      const { clientId, now, sessionAccountId } = interaction;
      const ip = request.ip;
      let verified: Awaited<ReturnType<WebAuthnFactor['verifyAuthentication']>>;
      try {
        verified = await webauthn.verifyAuthentication({
          interactionUid: interaction.uid,
          ceremony: 'sign-in',
          response: request.body?.response,
          now,
        });
      } catch (error) {
        if (!(error instanceof WebAuthnError)) throw error;
        return refuseWebAuthnResponse(kit, request, reply, interaction, { error, ceremony: 'sign-in' });
      }
      const userId = verified.credential.userId;
      // As with the password: a session signed in to one person only re-authenticates that person.
      if (sessionAccountId !== undefined && userId !== sessionAccountId) {
        logAuthEvent({ event: 'login.failed', reason: 'other_account', clientId, ip });
        return kit.proceed(request, reply, interaction, {
          status: 401,
          error: 'That passkey belongs to another account. Sign out first to switch accounts.',
        });
      }
      // An operator blocked the account: a valid passkey opens nothing, as the right password doesn't.
      if ((await kit.deps.store.userManagement.find(userId))?.blocked === true) {
        logAuthEvent({ event: 'login.failed', reason: 'blocked', clientId, ip });
        return kit.proceed(request, reply, interaction, {
          status: 401,
          error: 'That passkey can not sign in. Ask your administrator for help.',
        });
      }
      rememberBrowser(request, reply, userId);
      interaction.progress.accountId = userId;
      logAuthEvent({ event: 'login.succeeded', userId, clientId, ip });
      return kit.recordProof(reply, interaction, verified.method);
    }),
  );
}
