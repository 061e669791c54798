import type { FastifyInstance } from 'fastify';
import QRCode from 'qrcode';
import { registerAuthenticatorApp } from '../../authenticator/authenticator-app-routes.ts';
import { authorizationDetailsDigest } from '../../authorization-details/authorization-details-digest.ts';
import { createEventStreams } from '../../http/server-sent-events.ts';
import { serveStaticAsset } from '../../http/static-asset.ts';
import type {
  Interaction,
  InteractionKit,
  InteractionReply,
  InteractionRequest,
} from '../../interaction/interaction-kit.ts';
import type { FactorPage, SecondFactor } from '../../interaction/second-factor.ts';
import {
  type PushChallengeState,
  renderPushChallengePage,
} from '../../interaction/views/push-challenge-page.ts';
import { renderPushEnrollmentPage } from '../../interaction/views/push-enrollment-page.ts';
import type { PushChallenge } from '../../store/push-challenges.ts';
import { expirePushChallenges } from './expire-push-challenges.ts';
import { issuePushEnrollment } from './issue-push-enrollment.ts';
import { activePushDevices, type PushContext } from './push-context.ts';
import { registerPushDeviceRoutes } from './push-device-routes.ts';
import { interactionTopic } from './push-notifier.ts';
import { type PushSendOutcome, sendPushChallenge } from './send-push-challenge.ts';
import { waitForPushNotice } from './wait-for-push-notice.ts';
import { withdrawPushChallenges } from './withdraw-push-challenges.ts';

/** How often overdue requests nobody is watching are marked expired (and reported). */
const SWEEP_INTERVAL_MS = 15_000;
/** A waiting page's stream also wakes at the request's expiry, a moment after it. */
const EXPIRY_GRACE_MS = 250;

const DENIED = 'the push request was denied';
const WRONG_NUMBER =
  'the push request was refused: the number picked was not the one the sign-in page showed';

/**
 * Push with number matching in the login interaction. The page shows a two-digit number and waits;
 * the device's answer wakes it through an event stream (or its `<noscript>` refresh), and the page
 * moves on through `/push/result`: an approval becomes the `push` proof once, a denial ends the
 * step-up as unmet, never with another prompt.
 */
export function createPushInteraction(context: PushContext, kit: InteractionKit): SecondFactor {
  const { store } = context;
  const { clock } = kit.deps;
  const paths = (interaction: Interaction) => ({
    events: kit.path(interaction, 'push/events'),
    result: kit.path(interaction, 'push/result'),
    resend: kit.path(interaction, 'push/resend'),
  });

  function render(page: FactorPage, state: PushChallengeState, status = 200): void {
    kit.sendHtml(
      page.reply,
      page.feedback.status ?? status,
      renderPushChallengePage({
        ...kit.factorPageBasics(page),
        state,
        authenticatorUrl: `${context.issuer}/authenticator`,
      }),
    );
  }

  function waiting(interaction: Interaction, challenge: PushChallenge): PushChallengeState {
    return {
      kind: 'waiting',
      number: challenge.number,
      ttlSeconds: challenge.expiresAt - challenge.createdAt,
      eventsUrl: paths(interaction).events,
      nextUrl: paths(interaction).result,
      ...(interaction.transaction ? { transaction: interaction.transaction.summary } : {}),
    };
  }

  function renderOutcome(page: FactorPage, outcome: PushSendOutcome): void {
    if (outcome.outcome === 'sent' || outcome.outcome === 'open') {
      render(page, waiting(page.interaction, outcome.challenge));
      return;
    }
    page.reply.header('retry-after', String(outcome.retryAfter));
    const reason = outcome.outcome === 'paused' ? 'paused' : 'throttled';
    render(page, { kind: 'blocked', reason, retryAfterSeconds: outcome.retryAfter }, 429);
  }

  /** This login's latest request, after marking it expired if its time has passed. */
  async function latestChallenge(interaction: Interaction, accountId: string) {
    await expirePushChallenges(context, interaction.now, { interactionUid: interaction.uid });
    const challenge = await store.pushChallenges.latestForInteraction(interaction.uid);
    return challenge?.userId === accountId ? challenge : undefined;
  }

  /** Acts on an answered request: true when it answered the HTTP request (proof recorded, or refused). */
  async function settle(
    request: InteractionRequest,
    reply: InteractionReply,
    interaction: Interaction,
    challenge: PushChallenge | undefined,
  ): Promise<boolean> {
    if (challenge?.status === 'denied' && challenge.denialReason === 'wrong_number') {
      // Ends below the level like any denial, but says why first: the person may have mis-tapped.
      const username = await kit.usernameOf(challenge.userId);
      await kit.refuseWithPage(
        request,
        reply,
        interaction,
        { error: 'unmet_authentication_requirements', reason: WRONG_NUMBER, status: 403 },
        (continueUrl) =>
          renderPushChallengePage({
            state: { kind: 'wrong-number', continueUrl },
            cancelAction: kit.path(interaction, 'cancel'),
            csrfToken: interaction.progress.csrf,
            clientName: interaction.clientName,
            username,
            authenticatorUrl: `${context.issuer}/authenticator`,
          }),
      );
      return true;
    }
    if (challenge?.status === 'approved' && challenge.consumedAt === null) {
      // Two tabs may arrive at once: the approval counts for the one that claims it.
      if (!(await store.pushChallenges.consumeApproval(challenge.id, interaction.now))) return false;
      // The device's signature covered the digest of the details the challenge carried (verified
      // when it answered): the approval is bound to them.
      if (challenge.transaction) {
        kit.bindTransactionApproval(
          interaction,
          authorizationDetailsDigest(challenge.transaction.details),
          'push',
        );
      }
      await kit.recordProof(reply, interaction, 'push');
      return true;
    }
    if (challenge?.status === 'denied') {
      await kit.refuse(request, reply, interaction, 'unmet_authentication_requirements', DENIED);
      return true;
    }
    return false;
  }

  function pushStep(interaction: Interaction) {
    const { step } = interaction;
    return step.step === 'second-factor' && step.methods.includes('push') ? step : undefined;
  }

  /** Sends a push request for this login to the account's devices, on behalf of the browser at `ip`. */
  function sendForInteraction(interaction: Interaction, accountId: string, ip: string) {
    return sendPushChallenge(
      context,
      {
        userId: accountId,
        interactionUid: interaction.uid,
        clientId: interaction.clientId,
        clientName: interaction.clientName,
        ip,
        ...(interaction.transaction
          ? {
              transaction: {
                summary: interaction.transaction.summary,
                details: interaction.transaction.details,
              },
            }
          : {}),
        loginExpiresAt: interaction.expiresAt,
      },
      interaction.now,
    );
  }

  return {
    method: 'push',
    label: 'Sign-in request on your phone',
    async isEnrolled(userId) {
      return (await activePushDevices(context, userId)).length > 0;
    },
    async enrolledSince(userId, since) {
      return (await activePushDevices(context, userId)).some((device) => device.createdAt >= since);
    },
    async isAvailable(userId, interaction) {
      // An answered request of this login must still be settled here (a denial ends the step-up).
      const latest = await store.pushChallenges.latestForInteraction(interaction.uid);
      if (latest?.status === 'approved' || latest?.status === 'denied') return true;
      return (await context.fatigue.pausedFor(userId, interaction.now)) === undefined;
    },
    async renderChallenge(page) {
      const { request, reply, interaction, step } = page;
      const challenge = await latestChallenge(interaction, step.accountId);
      if (await settle(request, reply, interaction, challenge)) return;
      if (challenge?.status === 'open') return render(page, waiting(interaction, challenge));
      if (challenge === undefined) {
        // The first request of this login goes out by itself; after that only on the person's say.
        const outcome = await sendForInteraction(interaction, step.accountId, request.ip);
        return renderOutcome(page, outcome);
      }
      return render(page, { kind: 'expired', resendAction: paths(interaction).resend });
    },
    async endInteraction(interaction) {
      await withdrawPushChallenges(context, interaction.uid, interaction.now);
    },
    async renderEnrollment(page) {
      const { interaction, step } = page;
      const { link } = await issuePushEnrollment(
        context,
        { userId: step.accountId, interactionUid: interaction.uid },
        interaction.now,
      );
      // Whatever the person enrolls from here is their first second factor: recovery codes follow.
      interaction.progress.showRecoveryCodes = true;
      await kit.saveProgress(interaction);
      kit.sendHtml(
        page.reply,
        page.feedback.status ?? 200,
        renderPushEnrollmentPage({
          ...kit.factorPageBasics(page),
          qrCodeDataUrl: await QRCode.toDataURL(link, { errorCorrectionLevel: 'M', margin: 1, width: 240 }),
          link,
          ttlSeconds: context.settings.enrollmentTtlSeconds,
          eventsUrl: paths(interaction).events,
          nextUrl: kit.path(interaction),
        }),
      );
    },
    registerRoutes(app: FastifyInstance) {
      const openStream = createEventStreams(app);
      serveStaticAsset(
        app,
        '/assets/push-wait.js',
        new URL('../../interaction/assets/push-wait.js', import.meta.url),
        {
          contentType: 'text/javascript; charset=utf-8',
        },
      );
      serveStaticAsset(
        app,
        '/assets/push.css',
        new URL('../../interaction/assets/push.css', import.meta.url),
        {
          contentType: 'text/css; charset=utf-8',
        },
      );
      registerPushDeviceRoutes(app, context, openStream, clock);
      registerAuthenticatorApp(app);

      // The waiting page listens here: one `changed` event when there is something new to show.
      app.get(
        '/interaction/:uid/push/events',
        kit.handle(async (request, reply) => {
          const interaction = await kit.load(request, reply);
          const step = pushStep(interaction);
          // 204 tells an EventSource to stop; the page's script then reloads.
          if (!step) return reply.code(204).send();
          const waiting = await waitForPushNotice({
            notifier: context.notifier,
            topic: interactionTopic(interaction.uid),
            wakes: () => true,
            read: async () => {
              const hasDevices = (await activePushDevices(context, step.accountId)).length > 0;
              return {
                hasDevices,
                challenge: hasDevices ? await latestChallenge(interaction, step.accountId) : undefined,
              };
            },
            openStream,
            request,
            reply,
          });
          const { hasDevices, challenge } = waiting.state;
          const { wake } = waiting;
          // Subscribed first, so whatever happens from here on wakes the page; now what already did.
          if (waiting.wokenEarly) return wake();
          if (!hasDevices) return;
          if (challenge?.status !== 'open') return wake();
          const timer = setTimeout(
            () => {
              expirePushChallenges(context, clock(), { id: challenge.id })
                .then(() => wake())
                .catch((error: unknown) => request.log.error(error));
            },
            Math.max(0, (challenge.expiresAt - clock()) * 1000) + EXPIRY_GRACE_MS,
          );
          waiting.onClose(() => clearTimeout(timer));
        }),
      );

      // Where the waiting page goes when woken: settles an answer, or back to the interaction.
      app.get(
        '/interaction/:uid/push/result',
        kit.handle(async (request, reply) => {
          const interaction = await kit.load(request, reply);
          const step = pushStep(interaction);
          if (
            step &&
            (await settle(request, reply, interaction, await latestChallenge(interaction, step.accountId)))
          )
            return;
          kit.redirectToInteraction(reply, interaction);
        }),
      );

      app.post(
        '/interaction/:uid/push/resend',
        kit.handle(async (request, reply) => {
          const interaction = await kit.loadForPost(request, reply);
          if (!interaction) return;
          const step = pushStep(interaction);
          if (!step || !(await activePushDevices(context, step.accountId)).length) {
            return kit.redirectToInteraction(reply, interaction);
          }
          const outcome = await sendForInteraction(interaction, step.accountId, request.ip);
          interaction.progress.chosenMethod = 'push';
          await kit.saveProgress(interaction);
          if (outcome.outcome === 'sent' || outcome.outcome === 'open') {
            return kit.redirectToInteraction(reply, interaction);
          }
          const alternatives = (await kit.factorsFor(step)).enrolled
            .filter((factor) => factor.method !== 'push')
            .map((factor) => ({ method: factor.method, label: factor.label }));
          renderOutcome(
            {
              request,
              reply,
              interaction,
              step,
              username: await kit.usernameOf(step.accountId),
              alternatives,
              feedback: {},
            },
            outcome,
          );
        }),
      );

      const sweep = setInterval(() => {
        expirePushChallenges(context, clock()).catch((error: unknown) => app.log.error(error));
      }, SWEEP_INTERVAL_MS);
      sweep.unref();
      app.addHook('onClose', async () => clearInterval(sweep));
    },
  };
}
