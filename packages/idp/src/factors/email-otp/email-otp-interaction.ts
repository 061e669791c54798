import type { FastifyInstance } from 'fastify';
import type {
  Interaction,
  InteractionKit,
  InteractionReply,
  PageFeedback,
} from '../../interaction/interaction-kit.ts';
import type { SecondFactor } from '../../interaction/second-factor.ts';
import { renderEmailCodeChallengePage } from '../../interaction/views/email-code-challenge-page.ts';
import type { EmailOtp } from './email-otp.ts';
import { maskEmailAddress } from './mask-email-address.ts';

const WRONG_CODE = 'That code is not correct. Enter the 6-digit code from the newest email we sent you.';
const EXPIRED_CODE = 'That code has expired. Select Send a new code, then enter the code from the new email.';
const SEND_FAILED =
  'We could not send the email just now. Wait a moment and select Send a new code, or try another way.';

function describeWait(seconds: number): string {
  const minutes = Math.max(1, Math.ceil(seconds / 60));
  return `We have sent too many codes to this address. Wait ${minutes} minute${minutes === 1 ? '' : 's'} before asking for a new one, or try another way.`;
}

/**
 * Email one-time codes in the login interaction, for people whose account has a verified email
 * address (that counts as enrolled; an unverified one does not, and nothing is enrolled during a
 * login). The first time a login shows this factor a
 * code goes out; "Send a new code" sends another and voids the one before. While `settings.enabled`
 * is false (an operator may switch it at runtime) no code goes out and the forms refuse, but a
 * verified address still counts as enrolled: its owner has a second factor, so no password-only
 * enrollment opens for them (`factors/factor-switches.ts`).
 */
export function createEmailOtpInteraction(
  email: EmailOtp,
  kit: InteractionKit,
  settings: { readonly codeTtlSeconds: number; readonly enabled: boolean },
): SecondFactor {
  const { store, logAuthEvent } = kit.deps;
  // An address nobody confirmed reaches the person is no second factor (NIST SP 800-63B 6.1.2.1).
  const verifiedAddressOf = async (userId: string) => {
    const user = await store.users.findById(userId);
    return user?.email && user.emailVerified ? user.email : undefined;
  };
  const addressOf = async (userId: string) => (settings.enabled ? verifiedAddressOf(userId) : undefined);

  /** Sends a code for this login; says what went wrong, or nothing when it went out. */
  async function sendCode(
    reply: InteractionReply,
    interaction: Interaction,
    accountId: string,
  ): Promise<PageFeedback | undefined> {
    const to = await addressOf(accountId);
    if (!to) return { status: 409, error: SEND_FAILED };
    const { now, progress } = interaction;
    const sending = await email.send({
      challengeId: interaction.uid,
      userId: accountId,
      to,
      clientName: interaction.clientName,
      now,
    });
    progress.emailCode =
      sending.outcome === 'sent' ? { requestedAt: now, expiresAt: sending.expiresAt } : { requestedAt: now };
    await kit.saveProgress(interaction);
    switch (sending.outcome) {
      case 'sent':
        logAuthEvent({ event: 'email_code.sent', userId: accountId, clientId: interaction.clientId });
        return undefined;
      case 'throttled':
        logAuthEvent({
          event: 'email_code.throttled',
          userId: accountId,
          clientId: interaction.clientId,
          retryAfter: sending.retryAfter,
        });
        reply.header('retry-after', String(sending.retryAfter));
        return { status: 429, error: describeWait(sending.retryAfter) };
      case 'failed':
        return { status: 503, error: SEND_FAILED };
    }
  }

  return {
    method: 'email-otp',
    label: 'Email code',
    async isEnrolled(userId) {
      return (await verifiedAddressOf(userId)) !== undefined;
    },
    async renderChallenge(page) {
      const { interaction, step, reply } = page;
      let feedback = page.feedback;
      // Only the first showing in a login sends by itself: a reload or a wrong code must not mail again.
      if (!interaction.progress.emailCode) {
        feedback = (await sendCode(reply, interaction, step.accountId)) ?? feedback;
      }
      kit.sendHtml(
        reply,
        feedback.status ?? 200,
        renderEmailCodeChallengePage({
          action: kit.path(interaction, 'email-code'),
          resendAction: kit.path(interaction, 'email-code/send'),
          cancelAction: kit.path(interaction, 'cancel'),
          csrfToken: interaction.progress.csrf,
          clientName: interaction.clientName,
          username: page.username,
          sentTo: maskEmailAddress((await addressOf(step.accountId)) ?? ''),
          sent: interaction.progress.emailCode?.expiresAt !== undefined,
          codeTtlSeconds: settings.codeTtlSeconds,
          ...(feedback.error ? { error: feedback.error } : {}),
          ...(feedback.attemptsLeft === undefined ? {} : { attemptsLeft: feedback.attemptsLeft }),
          ...(page.alternatives.length > 0
            ? { alternatives: { action: kit.path(interaction, 'choose'), choices: page.alternatives } }
            : {}),
        }),
      );
    },
    registerRoutes(app: FastifyInstance) {
      app.post(
        '/interaction/:uid/email-code',
        kit.handle(async (request, reply) => {
          const interaction = await kit.loadForPost(request, reply);
          if (!interaction) return;
          const { step, now, progress } = interaction;
          if (step.step !== 'second-factor' || !step.methods.includes('email-otp') || !settings.enabled) {
            return kit.redirectToInteraction(reply, interaction);
          }
          const attempt = await kit.attemptCode(request, reply, interaction, step.accountId, 'email-otp');
          if (!attempt) return;
          const code = kit.field(request, 'code').trim();
          if (await email.verify({ challengeId: interaction.uid, userId: step.accountId, code, now })) {
            await attempt.succeeded();
            delete progress.emailCode;
            return kit.recordProof(reply, interaction, 'email-otp');
          }
          const expiresAt = progress.emailCode?.expiresAt;
          return kit.answerWrongCode(request, reply, interaction, attempt, {
            accountId: step.accountId,
            factor: 'email-otp',
            reason: 'wrong_code',
            message: expiresAt !== undefined && expiresAt <= now ? EXPIRED_CODE : WRONG_CODE,
          });
        }),
      );

      app.post(
        '/interaction/:uid/email-code/send',
        kit.handle(async (request, reply) => {
          const interaction = await kit.loadForPost(request, reply);
          if (!interaction) return;
          const { step } = interaction;
          if (step.step !== 'second-factor' || !step.methods.includes('email-otp')) {
            return kit.redirectToInteraction(reply, interaction);
          }
          if ((await addressOf(step.accountId)) === undefined)
            return kit.redirectToInteraction(reply, interaction);
          interaction.progress.chosenMethod = 'email-otp';
          const failure = await sendCode(reply, interaction, step.accountId);
          if (failure) return kit.proceed(request, reply, interaction, failure);
          return kit.redirectToInteraction(reply, interaction);
        }),
      );
    },
  };
}
