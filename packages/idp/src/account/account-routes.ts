import type { AcrLadder } from '@stepup/core';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type Provider from 'oidc-provider';
import QRCode from 'qrcode';
import type { BackgroundMail } from '../accounts/background-mail.ts';
import type { StepupConfig } from '../config/config-schema.ts';
import type { SecretBox } from '../crypto/secret-box.ts';
import { isFactorSwitchedOn, type SwitchableFactor } from '../factors/factor-switches.ts';
import { createInProcessPushNotifier } from '../factors/push/in-process-push-notifier.ts';
import { issuePushEnrollment } from '../factors/push/issue-push-enrollment.ts';
import { createPushContext } from '../factors/push/push-context.ts';
import type { PushNotifier } from '../factors/push/push-notifier.ts';
import { RecoveryCodes } from '../factors/recovery-codes/recovery-codes.ts';
import { generateTotpSecret, matchTotpStep, totpUri } from '../factors/totp/totp.ts';
import type { TotpFactor } from '../factors/totp/totp-factor.ts';
import type { WebAuthnFactor } from '../factors/webauthn/webauthn-factor.ts';
import { renderErrorPage } from '../interaction/views/error-page.ts';
import { renderRecoveryCodeIssuedPage } from '../interaction/views/recovery-code-issued-page.ts';
import type { AuthEventLogger } from '../log/auth-events.ts';
import { PROVIDER_ROUTES } from '../oidc/provider-routes.ts';
import type { Store } from '../store/store.ts';
import type { User } from '../store/users.ts';
import { readFactorName, removeFactor, renameFactor } from './account-factor-changes.ts';
import { hasSecondFactor, listAccountFactors, parseFactorReference } from './account-factors.ts';
import { type AccountNotice, describeAccountNotice, isAccountNotice } from './account-notices.ts';
import { registerAccountPasswordRoutes } from './account-password-routes.ts';
import { accountPushEventsUrl, registerAccountPushEvents } from './account-push-events.ts';
import { type AccountSession, isValidAccountCsrfToken, readAccountSession } from './account-session.ts';
import { finishAccountSignIn, startAccountSignIn } from './account-sign-in.ts';
import { registerAccountWebAuthnRoutes } from './account-webauthn-routes.ts';
import { FACTOR_KIND_LABELS, renderAccountPage } from './views/account-page.ts';
import { renderAccountPushPage } from './views/account-push-page.ts';
import { renderAccountTotpPage } from './views/account-totp-page.ts';
import { renderConfirmFactorRemovalPage } from './views/confirm-factor-removal-page.ts';

export interface AccountRouteDependencies {
  provider: Provider;
  store: Store;
  config: StepupConfig;
  ladder: AcrLadder;
  cookieKeys: string[];
  secretBox: SecretBox;
  logAuthEvent: AuthEventLogger;
  clock: () => number;
  totp: TotpFactor;
  webauthn: WebAuthnFactor;
  pushNotifier?: PushNotifier;
  accountMail: BackgroundMail;
}

/** A request to an account route: form fields (or the page script's JSON) and the query. */
export type AccountRequest = FastifyRequest<{
  Body: Record<string, unknown> | undefined;
  Querystring: Record<string, string | undefined>;
}>;

/** Someone signed in whose account still exists. */
export interface SignedIn {
  session: AccountSession;
  user: User;
  now: number;
}

const WRONG_CODE = 'That code is not correct. Enter the 6-digit code your authenticator app shows now.';
const PENDING_TOTP_SECONDS = 15 * 60;

/**
 * The account page (`/account`): people list their own second factors and, after a recent
 * multi-factor sign-in on this provider, add, rename and remove them and replace their recovery
 * codes. Signing in and stepping up go through the provider itself (account-client.ts), so every
 * rule of a login applies; each form carries a token bound to the provider session.
 */
export function registerAccountRoutes(app: FastifyInstance, deps: AccountRouteDependencies): void {
  const { store, config, logAuthEvent } = deps;
  const mfaLevel = deps.ladder.levels.find((level) => level.factors >= 2) ?? deps.ladder.levels.at(-1);
  if (!mfaLevel) throw new TypeError('the acr ladder has no level');
  const stepUp = { acr: mfaLevel.acr, maxAge: config.account.stepUpMaxAgeSeconds };
  const sessionDeps = {
    provider: deps.provider,
    authSessions: store.authSessions,
    ladder: deps.ladder,
    cookieKeys: deps.cookieKeys,
    stepUp,
  };
  const recoveryCodes = new RecoveryCodes(store.recoveryCodes);
  const push = createPushContext({
    store,
    config,
    notifier: deps.pushNotifier ?? createInProcessPushNotifier(),
    logAuthEvent,
  });
  const sendHtml = (reply: FastifyReply, status: number, body: string) =>
    reply.code(status).type('text/html; charset=utf-8').send(body);
  const backToAccount = (reply: FastifyReply, notice?: AccountNotice) =>
    reply
      .code(303)
      .header('location', notice ? `/account?notice=${notice}` : '/account')
      .send();
  const field = (request: AccountRequest, name: string) => {
    const value = request.body?.[name];
    return typeof value === 'string' ? value.slice(0, 1024) : '';
  };
  const pendingTotpKey = (session: AccountSession) => `account-totp:${session.sessionUid}`;

  /** The signed-in person, or undefined; the request is not answered. */
  async function findSignedIn(request: AccountRequest, reply: FastifyReply): Promise<SignedIn | undefined> {
    const now = deps.clock();
    const session = await readAccountSession(sessionDeps, request, reply, now);
    const user = session && (await store.users.findById(session.accountId));
    return session && user ? { session, user, now } : undefined;
  }

  /** The signed-in person, or a redirect to sign in (nothing else happens). */
  async function signedIn(request: AccountRequest, reply: FastifyReply): Promise<SignedIn | undefined> {
    const current = await findSignedIn(request, reply);
    if (!current) startAccountSignIn(request, reply, { issuer: config.issuer });
    return current;
  }

  /**
   * For a change: the signed-in person, the form's token checked, and a recent multi-factor sign-in;
   * otherwise the request is answered (403, or sent to verify first) and nothing changes.
   */
  async function readyToChange(request: AccountRequest, reply: FastifyReply): Promise<SignedIn | undefined> {
    const current = await signedIn(request, reply);
    if (!current || !hasValidFormToken(current, request, reply)) return undefined;
    return hasFreshMultiFactor(current, request, reply) ? current : undefined;
  }

  /**
   * For a password change: as `readyToChange`, but a person without a second factor needs no step-up
   * (there is nothing to step up with); the current password is checked by the route.
   */
  async function readyToChangePassword(
    request: AccountRequest,
    reply: FastifyReply,
  ): Promise<SignedIn | undefined> {
    const current = await signedIn(request, reply);
    if (!current || !hasValidFormToken(current, request, reply)) return undefined;
    const account = await listAccountFactors(store, current.user, config.email.enabled);
    if (!hasSecondFactor(account)) return current;
    return hasFreshMultiFactor(current, request, reply) ? current : undefined;
  }

  /** True when the form's token is the session's; otherwise answers 403 and logs the refusal. */
  function hasValidFormToken(current: SignedIn, request: AccountRequest, reply: FastifyReply): boolean {
    if (!isValidAccountCsrfToken(current.session, request.body?.csrf)) {
      logAuthEvent({ event: 'account.change_refused', userId: current.user.id, reason: 'csrf' });
      sendHtml(
        reply,
        403,
        renderErrorPage({
          title: 'This form has expired',
          message: 'The page you sent was not the one we showed, or it is too old. Nothing was changed.',
          hint: 'Go back to your account page, reload it and try again.',
        }),
      );
      return false;
    }
    return true;
  }

  /** True after a recent multi-factor sign-in; otherwise sends the person to verify first. */
  function hasFreshMultiFactor(current: SignedIn, request: AccountRequest, reply: FastifyReply): boolean {
    if (current.session.freshMultiFactor) return true;
    logAuthEvent({ event: 'account.change_refused', userId: current.user.id, reason: 'stale_step_up' });
    startAccountSignIn(request, reply, { issuer: config.issuer, stepUp, notice: 'verify-again' });
    return false;
  }

  /** A new set of recovery codes, shown once; the person then goes back to the account page. */
  async function showNewRecoveryCodes(reply: FastifyReply, current: SignedIn, replacedOldSet: boolean) {
    const codes = await recoveryCodes.issue(current.user.id, current.now);
    logAuthEvent({
      event: replacedOldSet ? 'recovery_codes.regenerated' : 'recovery_codes.issued',
      userId: current.user.id,
      count: codes.length,
    });
    sendHtml(
      reply,
      200,
      renderRecoveryCodeIssuedPage({
        continueAction: '/account',
        csrfToken: current.session.csrfToken,
        clientName: 'your account',
        username: current.user.username,
        codes,
        replacedOldSet,
      }),
    );
  }

  /** After a factor was added: a first set of recovery codes when the person has none. */
  async function afterEnrollment(reply: FastifyReply, current: SignedIn, notice: AccountNotice) {
    if ((await store.recoveryCodes.summary(current.user.id)) === undefined) {
      return showNewRecoveryCodes(reply, current, false);
    }
    return backToAccount(reply, notice);
  }

  /** The account page, with a notice from its URL or a password form's error. */
  async function sendAccountPage(
    reply: FastifyReply,
    current: SignedIn,
    status: number,
    message: { notice?: string; passwordError?: string },
  ) {
    const account = await listAccountFactors(store, current.user, config.email.enabled);
    sendHtml(
      reply,
      status,
      renderAccountPage({
        username: current.user.username,
        csrfToken: current.session.csrfToken,
        canChange: current.session.freshMultiFactor,
        stepUpMinutes: Math.round(stepUp.maxAge / 60),
        account,
        password: {
          canChange: current.session.freshMultiFactor || !hasSecondFactor(account),
          minLength: config.passwords.minLength,
          ...(message.passwordError === undefined ? {} : { error: message.passwordError }),
        },
        ...(isAccountNotice(message.notice) ? { notice: describeAccountNotice(message.notice) } : {}),
        rememberBrowserEnabled: config.rememberBrowser.days > 0,
        switchedOn: {
          totp: isFactorSwitchedOn(config, 'totp'),
          push: isFactorSwitchedOn(config, 'push'),
          webauthn: isFactorSwitchedOn(config, 'webauthn'),
        },
        logoutUrl: PROVIDER_ROUTES.end_session,
      }),
    );
  }

  app.get('/account', async (request: AccountRequest, reply) => {
    const current = await signedIn(request, reply);
    if (!current) return;
    return sendAccountPage(reply, current, 200, { notice: request.query.notice });
  });

  // The recovery-code page's "I saved them" form posts here: back to the page, nothing to change.
  app.post('/account', async (_request, reply) => backToAccount(reply));

  app.get('/account/callback', async (request: AccountRequest, reply) => {
    const result = await finishAccountSignIn(request, reply, deps.provider);
    if (result.outcome === 'foreign') {
      return sendHtml(
        reply,
        400,
        renderErrorPage({
          title: 'This sign-in was not started here',
          message:
            'The link you followed does not belong to a sign-in this browser started, or it is too old.',
          hint: 'Open your account page again.',
        }),
      );
    }
    if (result.outcome === 'refused') return backToAccount(reply, 'step-up-failed');
    return backToAccount(reply, result.notice);
  });

  app.post('/account/verify', async (request: AccountRequest, reply) => {
    const current = await signedIn(request, reply);
    if (!current) return;
    if (!isValidAccountCsrfToken(current.session, request.body?.csrf)) {
      return sendHtml(
        reply,
        403,
        renderErrorPage({
          title: 'This form has expired',
          message: 'Reload your account page and try again.',
        }),
      );
    }
    startAccountSignIn(request, reply, { issuer: config.issuer, stepUp, notice: 'verified' });
  });

  app.post('/account/factors/rename', async (request: AccountRequest, reply) => {
    const current = await readyToChange(request, reply);
    if (!current) return;
    const factor = parseFactorReference(field(request, 'factor'));
    const name = readFactorName(field(request, 'name'));
    if (!name) {
      logAuthEvent({ event: 'account.change_refused', userId: current.user.id, reason: 'bad_name' });
      return backToAccount(reply, 'bad-name');
    }
    if (!factor || (await renameFactor(store, current.user.id, factor, name)) === 'not_found') {
      logAuthEvent({ event: 'account.change_refused', userId: current.user.id, reason: 'not_found' });
      return sendNotFound(reply);
    }
    logAuthEvent({
      event: 'factor.renamed',
      userId: current.user.id,
      factor: factor.kind,
      factorId: factor.id,
    });
    return backToAccount(reply, 'renamed');
  });

  app.post('/account/factors/remove', async (request: AccountRequest, reply) => {
    const current = await readyToChange(request, reply);
    if (!current) return;
    const factor = parseFactorReference(field(request, 'factor'));
    if (field(request, 'confirm') !== 'yes') {
      // The Remove button only asks: one click never removes a factor.
      const { factors } = await listAccountFactors(store, current.user, config.email.enabled);
      const listed = factor && factors.find((each) => each.kind === factor.kind && each.id === factor.id);
      if (!listed) return sendNotFound(reply);
      return sendHtml(
        reply,
        200,
        renderConfirmFactorRemovalPage({
          csrfToken: current.session.csrfToken,
          reference: `${listed.kind}:${listed.id}`,
          name: listed.name,
          kindLabel: FACTOR_KIND_LABELS[listed.kind],
        }),
      );
    }
    const outcome = factor
      ? await removeFactor(store, current.user, factor, {
          emailEnabled: config.email.enabled,
          now: current.now,
        })
      : 'not_found';
    if (outcome === 'not_found' || !factor) {
      logAuthEvent({ event: 'account.change_refused', userId: current.user.id, reason: 'not_found' });
      return sendNotFound(reply);
    }
    if (outcome === 'last_factor') {
      logAuthEvent({ event: 'account.change_refused', userId: current.user.id, reason: 'last_factor' });
      return backToAccount(reply, 'last-factor');
    }
    logAuthEvent({
      event: 'factor.removed',
      userId: current.user.id,
      factor: factor.kind,
      factorId: factor.id,
    });
    // A browser remembered while the removed factor was in use no longer skips anything.
    await store.users.forgetRememberedBrowsers(current.user.id);
    logAuthEvent({
      event: 'browser.remembered_forgotten',
      userId: current.user.id,
      reason: 'factor_removed',
    });
    return backToAccount(reply, 'removed');
  });

  app.post('/account/recovery-codes/new', async (request: AccountRequest, reply) => {
    const current = await readyToChange(request, reply);
    if (!current) return;
    const hadSet = (await store.recoveryCodes.summary(current.user.id)) !== undefined;
    return showNewRecoveryCodes(reply, current, hadSet);
  });

  app.post('/account/forget-browsers', async (request: AccountRequest, reply) => {
    const current = await readyToChange(request, reply);
    if (!current) return;
    await store.users.forgetRememberedBrowsers(current.user.id);
    logAuthEvent({ event: 'browser.remembered_forgotten', userId: current.user.id, reason: 'requested' });
    return backToAccount(reply, 'forgotten');
  });

  /** `readyToChange`, refusing a factor of a kind an operator switched off; nothing is issued or stored. */
  async function readyToAdd(request: AccountRequest, reply: FastifyReply, factor: SwitchableFactor) {
    const current = await readyToChange(request, reply);
    if (!current || isFactorSwitchedOn(config, factor)) return current;
    logAuthEvent({ event: 'account.change_refused', userId: current.user.id, reason: 'factor_switched_off' });
    backToAccount(reply, 'factor-switched-off');
    return undefined;
  }

  app.post('/account/totp/new', async (request: AccountRequest, reply) => {
    const current = await readyToAdd(request, reply, 'totp');
    if (!current) return;
    const secret = generateTotpSecret();
    await store.interactionStates.save(
      pendingTotpKey(current.session),
      { secret: deps.secretBox.seal(secret, pendingTotpKey(current.session)) },
      current.now + PENDING_TOTP_SECONDS,
    );
    return sendTotpPage(reply, current, secret, 200);
  });

  app.post('/account/totp', async (request: AccountRequest, reply) => {
    const current = await readyToAdd(request, reply, 'totp');
    if (!current) return;
    const key = pendingTotpKey(current.session);
    const pending = await store.interactionStates.find<{ secret: string }>(key, current.now);
    if (!pending) return backToAccount(reply);
    const secret = deps.secretBox.open(pending.secret, key);
    const code = field(request, 'code').trim();
    const matched = matchTotpStep(secret, code, current.now, config.factors.totp.skewSteps);
    if (matched === undefined) {
      logAuthEvent({ event: 'account.change_refused', userId: current.user.id, reason: 'wrong_code' });
      return sendTotpPage(reply, current, secret, 401, WRONG_CODE);
    }
    const name = readFactorName(field(request, 'name')) ?? 'Authenticator app';
    const factor = await deps.totp.enroll(current.user.id, secret, name, current.now);
    await deps.totp.consumeStep(factor, matched, current.now);
    await store.interactionStates.destroy(key);
    logAuthEvent({ event: 'factor.enrolled', userId: current.user.id, factor: 'totp' });
    return afterEnrollment(reply, current, 'enrolled');
  });

  app.post('/account/push/new', async (request: AccountRequest, reply) => {
    const current = await readyToAdd(request, reply, 'push');
    if (!current) return;
    const { link } = await issuePushEnrollment(
      push,
      { userId: current.user.id, interactionUid: null },
      current.now,
    );
    sendHtml(
      reply,
      200,
      renderAccountPushPage({
        link,
        ttlSeconds: config.push.enrollmentTtlSeconds,
        csrfToken: current.session.csrfToken,
        qrCodeDataUrl: await QRCode.toDataURL(link, { errorCorrectionLevel: 'M', margin: 1, width: 240 }),
        eventsUrl: accountPushEventsUrl(current.now),
      }),
    );
  });

  app.post('/account/push/done', async (request: AccountRequest, reply) => {
    const current = await readyToChange(request, reply);
    if (!current) return;
    const since = current.now - config.push.enrollmentTtlSeconds;
    const devices = await store.pushDevices.listForUser(current.user.id);
    if (!devices.some((device) => device.revokedAt === null && device.createdAt >= since)) {
      return backToAccount(reply, 'push-not-enrolled');
    }
    return afterEnrollment(reply, current, 'push-enrolled');
  });

  registerAccountPushEvents(app, {
    notifier: push.notifier,
    pushDevices: store.pushDevices,
    findSignedIn,
  });

  registerAccountPasswordRoutes(app, {
    store,
    config,
    logAuthEvent,
    accountMail: deps.accountMail,
    readyToChangePassword,
    sendAccountPage,
    backToAccount,
  });

  registerAccountWebAuthnRoutes(app, {
    webauthn: deps.webauthn,
    logAuthEvent,
    findSignedIn,
    readyToChange: (request, reply) => readyToAdd(request, reply, 'webauthn'),
    isSwitchedOn: () => isFactorSwitchedOn(config, 'webauthn'),
    afterEnrollment,
    sendHtml,
  });

  async function sendTotpPage(
    reply: FastifyReply,
    current: SignedIn,
    secret: string,
    status: number,
    error?: string,
  ) {
    const otpauthUri = totpUri({
      issuer: new URL(config.issuer).host,
      accountName: current.user.username,
      secret,
    });
    sendHtml(
      reply,
      status,
      renderAccountTotpPage({
        csrfToken: current.session.csrfToken,
        qrCodeDataUrl: await QRCode.toDataURL(otpauthUri, {
          errorCorrectionLevel: 'M',
          margin: 1,
          width: 240,
        }),
        secret,
        ...(error ? { error } : {}),
      }),
    );
  }

  function sendNotFound(reply: FastifyReply) {
    sendHtml(
      reply,
      404,
      renderErrorPage({
        title: 'Factor not found',
        message: describeAccountNotice('not-found').text,
        hint: 'Go back to your account page and reload it.',
      }),
    );
  }
}
