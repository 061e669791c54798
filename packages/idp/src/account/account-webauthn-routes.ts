import type { FastifyInstance, FastifyReply } from 'fastify';
import { WEBAUTHN_ERROR_HEADER } from '../factors/webauthn/refuse-webauthn-response.ts';
import { WebAuthnError } from '../factors/webauthn/webauthn-error.ts';
import { publicMessageFor } from '../factors/webauthn/webauthn-error-message.ts';
import type { WebAuthnFactor } from '../factors/webauthn/webauthn-factor.ts';
import type { AuthEventLogger } from '../log/auth-events.ts';
import { ACCOUNT_CLIENT_ID } from './account-client.ts';
import { readFactorName } from './account-factor-changes.ts';
import type { AccountNotice } from './account-notices.ts';
import type { AccountRequest, SignedIn } from './account-routes.ts';
import { isValidAccountCsrfToken } from './account-session.ts';
import { renderAccountWebAuthnPage } from './views/account-webauthn-page.ts';

/** What the WebAuthn routes borrow from the account page: who is signed in, and its change rules. */
export interface AccountWebAuthnDependencies {
  webauthn: WebAuthnFactor;
  logAuthEvent: AuthEventLogger;
  /** The signed-in person, or undefined; the request is not answered either way. */
  findSignedIn(request: AccountRequest, reply: FastifyReply): Promise<SignedIn | undefined>;
  /**
   * The signed-in person with a valid form token and a fresh step-up, while security keys may be
   * added (not switched off); otherwise the request is answered.
   */
  readyToChange(request: AccountRequest, reply: FastifyReply): Promise<SignedIn | undefined>;
  /** False while an operator has WebAuthn switched off: nothing is issued. */
  isSwitchedOn(): boolean;
  afterEnrollment(reply: FastifyReply, current: SignedIn, notice: AccountNotice): Promise<unknown>;
  sendHtml(reply: FastifyReply, status: number, body: string): unknown;
}

/**
 * The key a registration challenge of the account page is stored under: the provider session's uid,
 * so the challenge only answers a ceremony of this browser's session (another session of the same
 * person, or a login interaction, finds nothing). Interaction uids never contain a colon.
 */
export function accountCeremonyUid(sessionUid: string): string {
  return `account:${sessionUid}`;
}

/**
 * Adding a security key or passkey on the account page, with the same registration operations as
 * enrollment during a login (`issueRegistrationOptions`, `verifyRegistration`): the challenge is
 * single use, bound to the account session and the person, and the response is checked against our
 * origin and RP ID. Like every account change, both the options and the result need the form token
 * and a recent multi-factor sign-in; otherwise nothing is issued or stored.
 */
export function registerAccountWebAuthnRoutes(app: FastifyInstance, deps: AccountWebAuthnDependencies): void {
  const { webauthn, logAuthEvent } = deps;

  app.post('/account/webauthn/new', async (request: AccountRequest, reply) => {
    const current = await deps.readyToChange(request, reply);
    if (!current) return;
    deps.sendHtml(reply, 200, renderAccountWebAuthnPage({ csrfToken: current.session.csrfToken }));
  });

  // Asked for by the page script with fetch: JSON answers, never a redirect to a sign-in page.
  app.post('/account/webauthn/options', async (request: AccountRequest, reply) => {
    const current = await deps.findSignedIn(request, reply);
    if (!current) return reply.code(401).send({ error: 'login_required' });
    if (!isValidAccountCsrfToken(current.session, request.body?.csrf)) {
      logAuthEvent({ event: 'account.change_refused', userId: current.user.id, reason: 'csrf' });
      return reply.code(403).send({ error: 'invalid_csrf' });
    }
    if (!current.session.freshMultiFactor) {
      logAuthEvent({ event: 'account.change_refused', userId: current.user.id, reason: 'stale_step_up' });
      return reply.code(403).send({ error: 'step_up_required' });
    }
    if (!deps.isSwitchedOn()) {
      logAuthEvent({
        event: 'account.change_refused',
        userId: current.user.id,
        reason: 'factor_switched_off',
      });
      return reply.code(409).send({ error: 'factor_switched_off' });
    }
    const { user } = current;
    const options = await webauthn.issueRegistrationOptions({
      interactionUid: accountCeremonyUid(current.session.sessionUid),
      user: { id: user.id, username: user.username, name: user.name },
      now: current.now,
    });
    return reply.code(200).header('cache-control', 'no-store').send(options);
  });

  app.post('/account/webauthn', async (request: AccountRequest, reply) => {
    const current = await deps.readyToChange(request, reply);
    if (!current) return;
    const submittedName = typeof request.body?.name === 'string' ? request.body.name : '';
    const name = readFactorName(submittedName);
    if (submittedName.trim() !== '' && !name) {
      logAuthEvent({ event: 'account.change_refused', userId: current.user.id, reason: 'bad_name' });
      return refuse(reply, current, 'Use 1 to 64 characters for the name, or leave it empty.');
    }
    try {
      const { method } = await webauthn.verifyRegistration({
        interactionUid: accountCeremonyUid(current.session.sessionUid),
        userId: current.user.id,
        response: request.body?.response,
        ...(name ? { name } : {}),
        now: current.now,
      });
      logAuthEvent({
        event: 'factor.enrolled',
        userId: current.user.id,
        factor: method === 'passkey' ? 'passkey' : 'security-key',
        clientId: ACCOUNT_CLIENT_ID,
      });
      return deps.afterEnrollment(reply, current, 'enrolled');
    } catch (error) {
      if (!(error instanceof WebAuthnError)) throw error;
      logAuthEvent({
        event: 'webauthn.rejected',
        reason: error.code,
        ceremony: 'registration',
        clientId: ACCOUNT_CLIENT_ID,
        userId: current.user.id,
        ...(error.credentialId ? { credentialId: error.credentialId } : {}),
      });
      reply.header(WEBAUTHN_ERROR_HEADER, error.code);
      return refuse(reply, current, publicMessageFor(error.code, 'registration'));
    }
  });

  function refuse(reply: FastifyReply, current: SignedIn, error: string) {
    return deps.sendHtml(
      reply,
      400,
      renderAccountWebAuthnPage({ csrfToken: current.session.csrfToken, error }),
    );
  }
}
