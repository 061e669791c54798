import type { FastifyInstance } from 'fastify';
import QRCode from 'qrcode';
import type { Interaction, InteractionKit } from '../../interaction/interaction-kit.ts';
import type { SecondFactor } from '../../interaction/second-factor.ts';
import { renderTotpChallengePage } from '../../interaction/views/totp-challenge-page.ts';
import { renderTotpEnrollmentPage } from '../../interaction/views/totp-enrollment-page.ts';
import { generateTotpSecret, matchTotpStep, totpUri } from './totp.ts';
import type { TotpFactor } from './totp-factor.ts';

const WRONG_CODE = 'That code is not correct. Enter the 6-digit code your authenticator app shows now.';
const REPLAYED_CODE =
  'This code was already used. Wait for the next code in your authenticator app and enter it.';

/** TOTP in the login interaction: the challenge, and enrollment for a person with no factor yet. */
export function createTotpInteraction(totp: TotpFactor, kit: InteractionKit): SecondFactor {
  const { secretBox, config } = kit.deps;
  const enrollmentContext = (interaction: Interaction) => `totp-enrollment:${interaction.uid}`;

  return {
    method: 'totp',
    label: 'Authenticator app code',
    async isEnrolled(userId) {
      return (await totp.listFor(userId)).length > 0;
    },
    async enrolledSince(userId, since) {
      return (await totp.listFor(userId)).some((factor) => factor.createdAt >= since);
    },
    async renderChallenge(page) {
      kit.sendHtml(
        page.reply,
        page.feedback.status ?? 200,
        renderTotpChallengePage({
          ...kit.factorPageBasics(page),
          action: kit.path(page.interaction, 'totp'),
          ...(page.feedback.attemptsLeft === undefined ? {} : { attemptsLeft: page.feedback.attemptsLeft }),
        }),
      );
    },
    async renderEnrollment(page) {
      const { interaction } = page;
      const { progress } = interaction;
      let secret: string;
      if (progress.enrollmentSecret) {
        secret = secretBox.open(progress.enrollmentSecret, enrollmentContext(interaction));
      } else {
        secret = generateTotpSecret();
        progress.enrollmentSecret = secretBox.seal(secret, enrollmentContext(interaction));
        await kit.saveProgress(interaction);
      }
      const otpauthUri = totpUri({ issuer: new URL(config.issuer).host, accountName: page.username, secret });
      kit.sendHtml(
        page.reply,
        page.feedback.status ?? 200,
        renderTotpEnrollmentPage({
          ...kit.factorPageBasics(page),
          action: kit.path(interaction, 'totp-enrollment'),
          qrCodeDataUrl: await QRCode.toDataURL(otpauthUri, {
            errorCorrectionLevel: 'M',
            margin: 1,
            width: 240,
          }),
          secret,
          otpauthUri,
        }),
      );
    },
    registerRoutes(app: FastifyInstance) {
      app.post(
        '/interaction/:uid/totp',
        kit.handle(async (request, reply) => {
          const interaction = await kit.loadForPost(request, reply);
          if (!interaction) return;
          const { step, now } = interaction;
          if (step.step !== 'second-factor' || !step.methods.includes('totp')) {
            return kit.redirectToInteraction(reply, interaction);
          }
          const attempt = await kit.attemptCode(request, reply, interaction, step.accountId, 'totp');
          if (!attempt) return;
          const code = kit.field(request, 'code').trim();
          const verification = await totp.verify(step.accountId, code, now, config.factors.totp.skewSteps);
          if (verification === 'accepted') {
            await attempt.succeeded();
            return kit.recordProof(reply, interaction, 'totp');
          }
          return kit.answerWrongCode(request, reply, interaction, attempt, {
            accountId: step.accountId,
            factor: 'totp',
            reason: verification,
            message: verification === 'replayed_code' ? REPLAYED_CODE : WRONG_CODE,
          });
        }),
      );

      app.post(
        '/interaction/:uid/totp-enrollment',
        kit.handle(async (request, reply) => {
          const interaction = await kit.loadForPost(request, reply);
          if (!interaction) return;
          const { step, now, progress } = interaction;
          if (step.step !== 'second-factor' || !step.methods.includes('totp') || !progress.enrollmentSecret) {
            return kit.redirectToInteraction(reply, interaction);
          }
          // Enrollment during a login is for a person with no second factor at all (trust on first use).
          if ((await kit.factorsFor(step)).enrolled.length > 0)
            return kit.redirectToInteraction(reply, interaction);
          const attempt = await kit.attemptCode(request, reply, interaction, step.accountId, 'totp');
          if (!attempt) return;
          const secret = secretBox.open(progress.enrollmentSecret, enrollmentContext(interaction));
          const code = kit.field(request, 'code').trim();
          const matched = matchTotpStep(secret, code, now, config.factors.totp.skewSteps);
          if (matched === undefined) {
            return kit.answerWrongCode(request, reply, interaction, attempt, {
              accountId: step.accountId,
              factor: 'totp',
              reason: 'wrong_code',
              message: WRONG_CODE,
            });
          }
          await attempt.succeeded();
          const factor = await totp.enroll(step.accountId, secret, 'Authenticator app', now);
          await totp.consumeStep(factor, matched, now);
          delete progress.enrollmentSecret;
          // The person's first second factor: recovery codes are issued and shown before the login finishes.
          progress.showRecoveryCodes = true;
          kit.deps.logAuthEvent({
            event: 'factor.enrolled',
            userId: step.accountId,
            factor: 'totp',
            clientId: interaction.clientId,
          });
          return kit.recordProof(reply, interaction, 'totp');
        }),
      );
    },
  };
}
