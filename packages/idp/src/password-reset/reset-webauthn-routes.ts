import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { WebAuthnFactor } from '../factors/webauthn/webauthn-factor.ts';

/**
 * The WebAuthn options of a reset link, for `/assets/webauthn.js` (the sign-in page's script): the
 * link's token comes as the `csrf` field the script posts (only the holder of the link knows it), and
 * the challenge is bound to the link's proof key, for the person's own credentials. The assertion
 * itself comes with the new password, to `/account/password/reset`.
 */
export function registerResetWebAuthnRoutes(
  app: FastifyInstance,
  deps: {
    webauthn: WebAuthnFactor;
    clock: () => number;
    /** The link's reset when it is valid and proven by a security key; undefined otherwise. */
    findWebAuthnReset: (
      token: string,
      now: number,
    ) => Promise<{ user: { id: string }; proofKey: string } | undefined>;
  },
): void {
  app.post(
    '/account/password/reset/webauthn/options',
    async (request: FastifyRequest<{ Body: Record<string, unknown> | undefined }>, reply) => {
      const token = typeof request.body?.csrf === 'string' ? request.body.csrf.slice(0, 256) : '';
      const now = deps.clock();
      const reset = await deps.findWebAuthnReset(token, now);
      if (!reset) return reply.code(400).send({ error: 'invalid_link' });
      const options = await deps.webauthn.issueAuthenticationOptions({
        interactionUid: reset.proofKey,
        ceremony: 'authentication',
        userId: reset.user.id,
        now,
      });
      return reply.code(200).type('application/json; charset=utf-8').send(options);
    },
  );
}
