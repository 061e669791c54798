import { isMethodName } from '@stepup/core';
import type { FastifyInstance } from 'fastify';
import type { TotpFactor } from '../factors/totp/totp-factor.ts';
import { createTotpInteraction } from '../factors/totp/totp-interaction.ts';
import type { PasswordThrottle } from '../throttle/password-throttle.ts';
import { type InteractionDependencies, InteractionKit } from './interaction-kit.ts';
import { registerPasswordStep } from './password-step.ts';
import type { SecondFactor } from './second-factor.ts';

export interface InteractionRouteDependencies extends InteractionDependencies {
  totp: TotpFactor;
  passwordThrottle: PasswordThrottle;
}

/**
 * The login interaction: password, then the second factor the requested level needs, then back to
 * oidc-provider. Every form posts to its own path with the interaction's CSRF token and redirects
 * back to the interaction page (POST/redirect/GET), which decides the next step afresh.
 */
export function registerInteractionRoutes(app: FastifyInstance, deps: InteractionRouteDependencies): void {
  const factors: SecondFactor[] = [];
  const kit = new InteractionKit(deps, factors);
  // In order of preference: the first enrolled one is offered, the others under "try another way".
  factors.push(createTotpInteraction(deps.totp, kit));

  app.get(
    '/interaction/:uid',
    kit.handle(async (request, reply) => kit.proceed(request, reply, await kit.load(request, reply))),
  );

  registerPasswordStep(app, kit, deps.passwordThrottle);
  for (const factor of factors) factor.registerRoutes(app, kit);

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
}
