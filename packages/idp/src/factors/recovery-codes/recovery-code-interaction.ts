import type { FastifyInstance } from 'fastify';
import type { Interaction, InteractionKit, InteractionReply } from '../../interaction/interaction-kit.ts';
import type { SecondFactor } from '../../interaction/second-factor.ts';
import { renderRecoveryCodeChallengePage } from '../../interaction/views/recovery-code-challenge-page.ts';
import { renderRecoveryCodeIssuedPage } from '../../interaction/views/recovery-code-issued-page.ts';
import { renderRecoveryCodeUsedPage } from '../../interaction/views/recovery-code-used-page.ts';
import type { RecoveryCodes } from './recovery-codes.ts';

const WRONG_CODE =
  'That recovery code is not valid, or it was already used. Check it against your saved list and try another one.';

/**
 * Recovery codes in the login interaction: the challenge (never the preferred factor, never enrolled
 * during a login), and the pages shown before the login finishes: the new set after a first
 * enrollment, or how many codes are left after using one, with the offer of a new set.
 */
export function createRecoveryCodeInteraction(codes: RecoveryCodes, kit: InteractionKit): SecondFactor {
  const { secretBox, logAuthEvent } = kit.deps;
  const sealContext = (interaction: Interaction) => `recovery-codes:${interaction.uid}`;

  /** Issues a new set and keeps it, sealed, in the interaction until the person continues. */
  async function issueInto(interaction: Interaction, accountId: string, replacedOldSet: boolean) {
    const issued = await codes.issue(accountId, interaction.now);
    interaction.progress.recoveryCodePage = {
      issued: secretBox.seal(JSON.stringify(issued), sealContext(interaction)),
      replacedOldSet,
    };
    delete interaction.progress.showRecoveryCodes;
    await kit.saveProgress(interaction);
    return issued.length;
  }

  async function renderPending(reply: InteractionReply, interaction: Interaction, accountId: string) {
    const pending = interaction.progress.recoveryCodePage;
    if (!pending) return false;
    const common = {
      continueAction: kit.path(interaction, 'recovery-codes/continue'),
      csrfToken: interaction.progress.csrf,
      clientName: interaction.clientName,
    };
    if ('issued' in pending) {
      const issued = JSON.parse(secretBox.open(pending.issued, sealContext(interaction))) as string[];
      kit.sendHtml(
        reply,
        200,
        renderRecoveryCodeIssuedPage({
          ...common,
          username: await kit.usernameOf(accountId),
          codes: issued,
          replacedOldSet: pending.replacedOldSet,
        }),
      );
    } else {
      kit.sendHtml(
        reply,
        200,
        renderRecoveryCodeUsedPage({
          ...common,
          regenerateAction: kit.path(interaction, 'recovery-codes/new'),
          remaining: pending.remaining,
        }),
      );
    }
    return true;
  }

  return {
    method: 'recovery-code',
    label: 'Recovery code',
    async isEnrolled(userId) {
      return (await codes.remaining(userId)) > 0;
    },
    async renderChallenge(page) {
      const { interaction, feedback } = page;
      kit.sendHtml(
        page.reply,
        feedback.status ?? 200,
        renderRecoveryCodeChallengePage({
          action: kit.path(interaction, 'recovery-code'),
          cancelAction: kit.path(interaction, 'cancel'),
          csrfToken: interaction.progress.csrf,
          clientName: interaction.clientName,
          username: page.username,
          ...(feedback.error ? { error: feedback.error } : {}),
          ...(feedback.attemptsLeft === undefined ? {} : { attemptsLeft: feedback.attemptsLeft }),
          ...(page.alternatives.length > 0
            ? { alternatives: { action: kit.path(interaction, 'choose'), choices: page.alternatives } }
            : {}),
        }),
      );
    },
    // No renderEnrollment: codes are issued after another factor is enrolled, never instead of one.
    async renderBeforeFinish(_request, reply, interaction) {
      const { step, progress } = interaction;
      if (step.step !== 'finish') return false;
      if (progress.showRecoveryCodes && !progress.recoveryCodePage) {
        const hadCodes = (await codes.remaining(step.accountId)) > 0;
        const count = await issueInto(interaction, step.accountId, hadCodes);
        logAuthEvent({
          event: 'recovery_codes.issued',
          userId: step.accountId,
          count,
          clientId: interaction.clientId,
        });
      }
      return renderPending(reply, interaction, step.accountId);
    },
    registerRoutes(app: FastifyInstance) {
      app.post(
        '/interaction/:uid/recovery-code',
        kit.handle(async (request, reply) => {
          const interaction = await kit.loadForPost(request, reply);
          if (!interaction) return;
          const { step, now } = interaction;
          if (step.step !== 'second-factor' || !step.methods.includes('recovery-code')) {
            return kit.redirectToInteraction(reply, interaction);
          }
          const attempt = await kit.attemptCode(request, reply, interaction, step.accountId, 'recovery-code');
          if (!attempt) return;
          const use = await codes.use(step.accountId, kit.field(request, 'code'), now);
          if (!use.accepted) {
            return kit.answerWrongCode(request, reply, interaction, attempt, {
              accountId: step.accountId,
              factor: 'recovery-code',
              reason: 'wrong_code',
              message: WRONG_CODE,
            });
          }
          logAuthEvent({
            event: 'recovery_code.used',
            userId: step.accountId,
            remaining: use.remaining,
            clientId: interaction.clientId,
          });
          await attempt.succeeded();
          interaction.progress.recoveryCodePage = { remaining: use.remaining };
          return kit.recordProof(reply, interaction, 'recovery-code');
        }),
      );

      app.post(
        '/interaction/:uid/recovery-codes/new',
        kit.handle(async (request, reply) => {
          const interaction = await kit.loadForPost(request, reply);
          if (!interaction) return;
          const { step, progress } = interaction;
          // Offered only on the page after a recovery code was used in this very login: the person has
          // just proven a second factor here.
          const pending = progress.recoveryCodePage;
          if (step.step !== 'finish' || !pending || !('remaining' in pending)) {
            return kit.redirectToInteraction(reply, interaction);
          }
          const count = await issueInto(interaction, step.accountId, true);
          logAuthEvent({
            event: 'recovery_codes.regenerated',
            userId: step.accountId,
            count,
            clientId: interaction.clientId,
          });
          return kit.redirectToInteraction(reply, interaction);
        }),
      );

      app.post(
        '/interaction/:uid/recovery-codes/continue',
        kit.handle(async (request, reply) => {
          const interaction = await kit.loadForPost(request, reply);
          if (!interaction) return;
          if (interaction.progress.recoveryCodePage) {
            delete interaction.progress.recoveryCodePage;
            await kit.saveProgress(interaction);
          }
          return kit.redirectToInteraction(reply, interaction);
        }),
      );
    },
  };
}
