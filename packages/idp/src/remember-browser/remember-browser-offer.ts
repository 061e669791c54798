import type { FastifyInstance } from 'fastify';
import type { Interaction, InteractionKit } from '../interaction/interaction-kit.ts';
import { SECOND_FACTOR_METHODS } from '../interaction/next-step.ts';
import type { BeforeFinishPage } from '../interaction/second-factor.ts';
import { renderRememberBrowserPage } from '../interaction/views/remember-browser-page.ts';
import type { RememberedBrowsers } from './remembered-browsers.ts';

/**
 * The offer to remember this browser, shown before the login finishes when: the period is not 0, the
 * Actions asked for a second factor and allowed remembering it, this very login proved a second
 * factor, and the browser is not remembered for this person already.
 */
export function createRememberBrowserOffer(
  kit: InteractionKit,
  remembered: RememberedBrowsers,
): BeforeFinishPage {
  const { logAuthEvent } = kit.deps;

  function applies(interaction: Interaction): interaction is Interaction & { step: { step: 'finish' } } {
    const { step, progress } = interaction;
    return (
      remembered.enabled &&
      step.step === 'finish' &&
      !progress.rememberBrowserAnswered &&
      !progress.rememberedBrowserUsed &&
      progress.actions?.decision === 'allow' &&
      progress.actions.requirement.allowRememberBrowser === true &&
      progress.proofs.some((proof) => SECOND_FACTOR_METHODS.includes(proof.method))
    );
  }

  return {
    async renderBeforeFinish(request, reply, interaction) {
      if (!applies(interaction)) return false;
      const { accountId } = interaction.step;
      if (await remembered.isRemembered((name) => request.cookies[name], accountId, interaction.now)) {
        return false;
      }
      kit.sendHtml(
        reply,
        200,
        renderRememberBrowserPage({
          action: kit.path(interaction, 'remember-browser'),
          csrfToken: interaction.progress.csrf,
          clientName: interaction.clientName,
          username: await kit.usernameOf(accountId),
          days: remembered.days,
        }),
      );
      return true;
    },
    registerRoutes(app: FastifyInstance) {
      app.post(
        '/interaction/:uid/remember-browser',
        kit.handle(async (request, reply) => {
          const interaction = await kit.loadForPost(request, reply);
          if (!interaction) return;
          if (!applies(interaction)) return kit.redirectToInteraction(reply, interaction);
          const { accountId } = interaction.step;
          if (kit.field(request, 'remember') === 'yes') {
            const cookie = await remembered.cookieFor(accountId, interaction.now);
            if (cookie) {
              reply.setCookie(cookie.name, cookie.value, {
                httpOnly: true,
                sameSite: 'lax',
                secure: request.protocol === 'https',
                path: '/',
                maxAge: cookie.maxAge,
              });
              logAuthEvent({
                event: 'browser.remembered',
                userId: accountId,
                clientId: interaction.clientId,
                days: remembered.days,
              });
            }
          }
          interaction.progress.rememberBrowserAnswered = true;
          await kit.saveProgress(interaction);
          return kit.redirectToInteraction(reply, interaction);
        }),
      );
    },
  };
}
