import type { FastifyInstance } from 'fastify';
import { isTransactionWebAuthnChallenge } from '../../authorization-details/transaction-webauthn-challenge.ts';
import type { Interaction, InteractionKit, InteractionReply } from '../../interaction/interaction-kit.ts';
import type { SecondFactor, SecondFactorStep } from '../../interaction/second-factor.ts';
import { renderWebAuthnChallengePage } from '../../interaction/views/webauthn-challenge-page.ts';
import { renderWebAuthnEnrollmentPage } from '../../interaction/views/webauthn-enrollment-page.ts';
import { refuseWebAuthnResponse } from './refuse-webauthn-response.ts';
import { registerWebAuthnAssets } from './webauthn-assets.ts';
import { WebAuthnError } from './webauthn-error.ts';
import type { WebAuthnFactor } from './webauthn-factor.ts';
import { WEBAUTHN_METHOD } from './webauthn-method.ts';

/**
 * Security keys and passkeys as a second factor in the login interaction: the challenge, and
 * enrollment for a person with no second factor yet (trust on first use, like TOTP).
 *
 * Each ceremony is two requests: the page's script posts the CSRF token to `…/options` and gets the
 * WebAuthn options as JSON (a fresh challenge bound to this interaction); it then posts the
 * authenticator's response with the form, and the result is the usual redirect to the next step.
 */
export function createWebAuthnInteraction(webauthn: WebAuthnFactor, kit: InteractionKit): SecondFactor {
  const { store, logAuthEvent } = kit.deps;

  /** The second-factor step this factor can serve, or undefined. */
  function stepFor(interaction: Interaction): SecondFactorStep | undefined {
    const { step } = interaction;
    return step.step === 'second-factor' && step.methods.includes(WEBAUTHN_METHOD) ? step : undefined;
  }

  /** Enrollment during a login is for a person with no second factor at all (trust on first use). */
  async function mayEnroll(step: SecondFactorStep): Promise<boolean> {
    return (await kit.factorsFor(step)).enrollable.some((factor) => factor.method === WEBAUTHN_METHOD);
  }

  function sendOptions(reply: InteractionReply, options: object | undefined): void {
    if (options === undefined) {
      // The page is out of date (another tab moved the login on): the script asks for a reload.
      reply.code(409).send({ error: 'not_now' });
      return;
    }
    reply.code(200).type('application/json; charset=utf-8').send(options);
  }

  return {
    method: WEBAUTHN_METHOD,
    label: 'Security key or passkey',
    // TOTP works with any phone, so it is offered first for enrollment; this comes next to it, and
    // first wherever only it reaches the level (the phishing-resistant acr).
    enrollmentRank: 1,
    async isEnrolled(userId) {
      return (await webauthn.listFor(userId)).length > 0;
    },
    async enrolledSince(userId, since) {
      return (await webauthn.listFor(userId)).some((credential) => credential.createdAt >= since);
    },
    async renderChallenge(page) {
      kit.sendHtml(
        page.reply,
        page.feedback.status ?? 200,
        renderWebAuthnChallengePage({
          ...kit.factorPageBasics(page),
          action: kit.path(page.interaction, 'webauthn'),
          optionsAction: kit.path(page.interaction, 'webauthn/options'),
          ...(page.interaction.transaction ? { transaction: page.interaction.transaction.summary } : {}),
        }),
      );
    },
    async renderEnrollment(page) {
      kit.sendHtml(
        page.reply,
        page.feedback.status ?? 200,
        renderWebAuthnEnrollmentPage({
          ...kit.factorPageBasics(page),
          action: kit.path(page.interaction, 'webauthn-enrollment'),
          optionsAction: kit.path(page.interaction, 'webauthn-enrollment/options'),
        }),
      );
    },
    registerRoutes(app: FastifyInstance) {
      registerWebAuthnAssets(app);

      app.post(
        '/interaction/:uid/webauthn/options',
        kit.handle(async (request, reply) => {
          const interaction = await kit.loadForPost(request, reply);
          if (!interaction) return;
          const step = stepFor(interaction);
          sendOptions(
            reply,
            step &&
              (await webauthn.issueAuthenticationOptions({
                interactionUid: interaction.uid,
                ceremony: 'authentication',
                userId: step.accountId,
                ...(interaction.transaction ? { transactionDigest: interaction.transaction.digest } : {}),
                now: interaction.now,
              })),
          );
        }),
      );

      app.post(
        '/interaction/:uid/webauthn',
        kit.handle(async (request, reply) => {
          const interaction = await kit.loadForPost(request, reply);
          if (!interaction) return;
          const step = stepFor(interaction);
          if (!step) return kit.redirectToInteraction(reply, interaction);
          try {
            const { method, challenge } = await webauthn.verifyAuthentication({
              interactionUid: interaction.uid,
              ceremony: 'authentication',
              userId: step.accountId,
              response: request.body?.response,
              now: interaction.now,
            });
            // The assertion signed a challenge derived from this login's details: it approves them.
            const digest = interaction.transaction?.digest;
            if (digest && isTransactionWebAuthnChallenge(challenge, digest)) {
              kit.bindTransactionApproval(interaction, digest, 'security-key');
            }
            return kit.recordProof(reply, interaction, method);
          } catch (error) {
            if (!(error instanceof WebAuthnError)) throw error;
            return refuseWebAuthnResponse(kit, request, reply, interaction, {
              error,
              ceremony: 'authentication',
            });
          }
        }),
      );

      app.post(
        '/interaction/:uid/webauthn-enrollment/options',
        kit.handle(async (request, reply) => {
          const interaction = await kit.loadForPost(request, reply);
          if (!interaction) return;
          const step = stepFor(interaction);
          const user =
            step && (await mayEnroll(step)) ? await store.users.findById(step.accountId) : undefined;
          sendOptions(
            reply,
            user &&
              (await webauthn.issueRegistrationOptions({
                interactionUid: interaction.uid,
                user: { id: user.id, username: user.username, name: user.name },
                now: interaction.now,
              })),
          );
        }),
      );

      app.post(
        '/interaction/:uid/webauthn-enrollment',
        kit.handle(async (request, reply) => {
          const interaction = await kit.loadForPost(request, reply);
          if (!interaction) return;
          const step = stepFor(interaction);
          if (!step || !(await mayEnroll(step))) return kit.redirectToInteraction(reply, interaction);
          try {
            const { method } = await webauthn.verifyRegistration({
              interactionUid: interaction.uid,
              userId: step.accountId,
              response: request.body?.response,
              now: interaction.now,
            });
            logAuthEvent({
              event: 'factor.enrolled',
              userId: step.accountId,
              factor: method === 'passkey' ? 'passkey' : 'security-key',
              clientId: interaction.clientId,
            });
            // The person's first second factor: recovery codes are issued and shown before the login finishes.
            interaction.progress.showRecoveryCodes = true;
            return kit.recordProof(reply, interaction, method);
          } catch (error) {
            if (!(error instanceof WebAuthnError)) throw error;
            return refuseWebAuthnResponse(kit, request, reply, interaction, {
              error,
              ceremony: 'registration',
            });
          }
        }),
      );
    },
  };
}
