import type { AcrLadder, MethodName } from '@stepup/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type Provider from 'oidc-provider';
import type { InteractionResults } from 'oidc-provider';
import type {
  LoginActions,
  LoginActionsDecision,
  LoginForActions,
  StoredActionsDecision,
} from '../actions/login-actions.ts';
import type { ActionsRequirement } from '../actions/login-requirement.ts';
import type { StepupConfig } from '../config/config-schema.ts';
import type { SecretBox } from '../crypto/secret-box.ts';
import { isFactorSwitchedOn, switchedOffMethods } from '../factors/factor-switches.ts';
import type { AuthEventLogger } from '../log/auth-events.ts';
import { readRequestedAuthentication } from '../oidc/requested-authentication.ts';
import type { RememberedBrowsers } from '../remember-browser/remembered-browsers.ts';
import { proofsForRequest } from '../session/evaluate-session.ts';
import { loadSessionProofs, mergeProofs } from '../session/session-proofs.ts';
import { isStoreUnavailable } from '../store/errors.ts';
import type { Store } from '../store/store.ts';
import { type CodeAttempt, CodeThrottle } from '../throttle/code-throttle.ts';
import { answerThrottleRefusal } from './answer-throttle-refusal.ts';
import {
  type InteractionProgress,
  isValidCsrfToken,
  loadProgress,
  type TransactionApproval,
} from './interaction-progress.ts';
import {
  decideNextStep,
  type InteractionSituation,
  type NextStep,
  NO_TRANSACTION_FACTOR,
} from './next-step.ts';
import { enrollableFactors, enrollmentRefusal, isEnrollmentDone } from './requested-enrollment.ts';
import type { BeforeFinishPage, FactorChoice, FactorPage, SecondFactor } from './second-factor.ts';
import { readTransactionRequest, type TransactionRequest } from './transaction-request.ts';
import { renderErrorPage } from './views/error-page.ts';
import { renderLoginPage } from './views/login-page.ts';

export type InteractionRequest = FastifyRequest<{
  Params: { uid: string };
  Body: Record<string, unknown> | undefined;
}>;
export type InteractionReply = FastifyReply;

export interface InteractionDependencies {
  provider: Provider;
  store: Store;
  ladder: AcrLadder;
  config: StepupConfig;
  secretBox: SecretBox;
  logAuthEvent: AuthEventLogger;
  clock: () => number;
  /** The post-login Actions; absent, logins run without them. */
  loginActions?: LoginActions;
  /** "Remember this browser"; absent, an Action's MFA is always challenged. */
  rememberedBrowsers?: RememberedBrowsers;
}

/** One login interaction as a request sees it: where it stands and what to ask next. */
export interface Interaction {
  uid: string;
  clientId: string;
  clientName: string;
  expiresAt: number;
  /** The account the browser session is already signed in to, if any. */
  sessionAccountId: string | undefined;
  loginHint: string | undefined;
  progress: InteractionProgress;
  step: NextStep;
  now: number;
  /** This login as the post-login Actions see it, for the person `accountId`. */
  loginForActions: (accountId: string) => LoginForActions;
  /** A transaction-bound login (RFC 9396): what the person approves. */
  transaction?: TransactionRequest;
}

export interface PageFeedback {
  status?: number;
  error?: string;
  attemptsLeft?: number;
  username?: string;
}

export class InteractionExpired extends Error {}

/** Where `/continue` looks up the interaction of a redirect's state (by the state's hash). */
export function continueLookupKey(stateHash: string): string {
  return `action-continue:${stateHash}`;
}

/** How a refused login ends at the application (OIDC Core 3.1.2.6; RFC 9470 section 3). */
export type RefusalError = 'unmet_authentication_requirements' | 'access_denied';

const MAX_FIELD_LENGTH = 1024;

/** Why a person whose only second factors are switched off cannot step up (`error_description`). */
const FACTORS_SWITCHED_OFF =
  "this account's second factors are switched off by the operator; a recovery code still works, or ask the operator to switch one back on";

/**
 * The machinery every step of the login interaction shares: loading the interaction and its
 * progress, CSRF, recording proofs, counting wrong codes, rendering the next step, finishing.
 */
export class InteractionKit {
  readonly deps: InteractionDependencies;
  readonly #factors: readonly SecondFactor[];
  readonly #beforeFinish: readonly BeforeFinishPage[];
  readonly #codeThrottle: CodeThrottle;

  constructor(
    deps: InteractionDependencies,
    factors: readonly SecondFactor[],
    beforeFinish: readonly BeforeFinishPage[] = [],
  ) {
    this.deps = deps;
    this.#factors = factors;
    this.#beforeFinish = beforeFinish;
    this.#codeThrottle = new CodeThrottle(deps.store, deps.config);
  }

  async load(request: InteractionRequest, reply: InteractionReply): Promise<Interaction> {
    const { provider, store, ladder, clock } = this.deps;
    let details: Awaited<ReturnType<Provider['interactionDetails']>>;
    try {
      details = await provider.interactionDetails(request.raw, reply.raw);
    } catch (error) {
      // A database that is down says nothing about the sign-in: answer 503, not "expired".
      if (isStoreUnavailable(error)) throw error;
      throw new InteractionExpired();
    }
    if (details.uid !== request.params.uid) throw new InteractionExpired();
    const now = clock();
    const progress = await loadProgress(store.interactionStates, details.uid, now, details.exp);
    const clientId = String(details.params.client_id);
    const client = await provider.Client.find(clientId);
    const sessionAccountId = details.session?.accountId;
    const sessionProofs = await loadSessionProofs(
      store.authSessions,
      details.session?.uid,
      sessionAccountId,
      now,
    );
    const requested = readRequestedAuthentication(details.params);
    const transaction = await readTransactionRequest(
      details.params.authorization_details,
      store.authorizationDetailTypes,
    );
    const decide = async (required: ActionsRequirement | undefined) =>
      decideNextStep(
        {
          promptName: details.prompt.name,
          reasons: details.prompt.reasons,
          request: requested,
          sessionAccountId,
          sessionProofs,
          accountId: progress.accountId,
          proofs: progress.proofs,
          startedAt: progress.startedAt,
          switchedOff: switchedOffMethods(this.deps.config),
          ...(transaction
            ? { transaction: { approved: progress.transactionApproval?.digest === transaction.digest } }
            : {}),
          ...(required ? { required } : {}),
          ...(await this.#enrollmentState(required, progress, progress.accountId ?? sessionAccountId)),
        },
        ladder,
        now,
      );
    const actionsRequirement = () =>
      this.#actionsRequirement(request, progress, progress.accountId ?? sessionAccountId, now);
    /** Read once per login, and only when an Action or an enrollment needs them. */
    const loginForActions = (accountId: string): LoginForActions => {
      let enrolled: Promise<MethodName[]> | undefined;
      return {
        accountId,
        clientId,
        clientName: client?.clientName ?? null,
        params: details.params,
        protocol: 'oidc-basic-profile',
        ip: request.ip,
        userAgent: request.headers['user-agent'] ?? null,
        hostname: request.hostname,
        ...(details.session?.uid && sessionAccountId === accountId ? { sessionId: details.session.uid } : {}),
        // A forced re-authentication shows the Actions only what this login proved.
        proofs: proofsForRequest(requested, sessionProofs, progress),
        enrolledMethods: () => {
          enrolled ??= this.enrolledMethods(accountId);
          return enrolled;
        },
      };
    };
    let freshRedirect: string | undefined;
    let step = await decide(await actionsRequirement());
    // The post-login Actions run once per login, as soon as the person is known (after the first
    // factor), and may deny the login or ask for more.
    if (
      (step.step === 'second-factor' || step.step === 'finish') &&
      !progress.actions &&
      this.deps.loginActions
    ) {
      const decision = await this.deps.loginActions.run(loginForActions(step.accountId));
      progress.actions = await this.keepActionsDecision(details.uid, decision, details.exp);
      if (decision.decision === 'redirect') freshRedirect = decision.url;
      if (progress.actions.decision === 'allow' && progress.actions.requirement.enroll) {
        progress.enrollment = {
          since: now,
          hadSecondFactor: (await this.enrolledMethods(step.accountId)).length > 0,
        };
      }
      await store.interactionStates.save(details.uid, progress, details.exp);
      step = await decide(await actionsRequirement());
    }
    if (progress.actions?.decision === 'deny' && step.step !== 'consent' && step.step !== 'password') {
      step = { step: 'denied', accountId: step.accountId, reason: progress.actions.reason };
    }
    // While an Action's redirect is out, the login can not go on (nor finish) without /continue.
    if (progress.actions?.decision === 'redirect' && step.step !== 'consent' && step.step !== 'password') {
      const { origin } = progress.actions.pending;
      step = {
        step: 'action-redirect',
        accountId: step.accountId,
        origin,
        ...(freshRedirect ? { url: freshRedirect } : {}),
      };
    }
    // An enrollment that can not take place is refused at once, before any factor is asked for.
    const enroll = progress.actions?.decision === 'allow' ? progress.actions.requirement.enroll : undefined;
    const refusal = enroll && enrollmentRefusal(enroll, this.#factors);
    if (refusal && 'accountId' in step) step = { step: 'denied', accountId: step.accountId, reason: refusal };
    return {
      uid: details.uid,
      clientId,
      clientName: client?.clientName ?? clientId,
      expiresAt: details.exp,
      sessionAccountId,
      loginHint: typeof details.params.login_hint === 'string' ? details.params.login_hint : undefined,
      progress,
      step,
      now,
      loginForActions,
      ...(transaction ? { transaction } : {}),
    };
  }

  /**
   * What the login keeps of the Actions' decision. A redirect keeps only the hash of its state,
   * registered (until the interaction expires) so that `/continue?state=…` finds this interaction.
   */
  async keepActionsDecision(
    uid: string,
    decision: LoginActionsDecision,
    expiresAt: number,
  ): Promise<StoredActionsDecision> {
    if (decision.decision !== 'redirect') return decision;
    await this.deps.store.interactionStates.save(
      continueLookupKey(decision.pending.stateHash),
      { uid, expiresAt },
      expiresAt,
    );
    return { decision: 'redirect', pending: decision.pending };
  }

  /**
   * What the Actions require of this login. A second factor they demanded with
   * `allowRememberBrowser: true` is dropped for a browser remembered for this person; the level the
   * application requested still applies, and nothing is added to the proofs.
   */
  async #actionsRequirement(
    request: InteractionRequest,
    progress: InteractionProgress,
    accountId: string | undefined,
    now: number,
  ): Promise<ActionsRequirement | undefined> {
    if (progress.actions?.decision !== 'allow') return undefined;
    const { requirement } = progress.actions;
    const remembered = this.deps.rememberedBrowsers;
    if (!requirement.allowRememberBrowser || !requirement.acr || !accountId || !remembered)
      return requirement;
    if (!(await remembered.isRemembered((name) => request.cookies[name], accountId, now))) return requirement;
    if (!progress.rememberedBrowserUsed) {
      progress.rememberedBrowserUsed = true;
      this.deps.logAuthEvent({ event: 'browser.remembered_used', userId: accountId });
    }
    const { acr: _skipped, ...withoutLevel } = requirement;
    return withoutLevel;
  }

  /** Where the enrollment the Actions asked for stands, for `decideNextStep`; nothing when none was. */
  async #enrollmentState(
    required: ActionsRequirement | undefined,
    progress: InteractionProgress,
    accountId: string | undefined,
  ): Promise<Pick<InteractionSituation, 'enrollment'>> {
    const { enrollment } = progress;
    if (!required?.enroll || !enrollment || !accountId) return {};
    const done = await isEnrollmentDone(this.#factors, required.enroll, accountId, enrollment.since);
    // A factor added meanwhile elsewhere (the account page) ends trust on first use for this login too.
    const hasSecondFactor =
      enrollment.hadSecondFactor || (!done && (await this.enrolledMethods(accountId)).length > 0);
    return { enrollment: { hasSecondFactor, done } };
  }

  /** Loads the interaction for a form post and checks its CSRF token; answers the request itself when not. */
  async loadForPost(request: InteractionRequest, reply: InteractionReply): Promise<Interaction | undefined> {
    const interaction = await this.load(request, reply);
    if (isValidCsrfToken(interaction.progress, request.body?.csrf)) return interaction;
    this.sendHtml(
      reply,
      403,
      renderErrorPage({
        title: 'This form has expired',
        message: 'The page you sent was not the one we showed, or it is too old.',
        hint: 'Go back, reload the page and try again.',
      }),
    );
    return undefined;
  }

  field(request: InteractionRequest, name: string): string {
    const value = request.body?.[name];
    return typeof value === 'string' ? value.slice(0, MAX_FIELD_LENGTH) : '';
  }

  path(interaction: Interaction, action?: string): string {
    return action ? `/interaction/${interaction.uid}/${action}` : `/interaction/${interaction.uid}`;
  }

  sendHtml(reply: InteractionReply, status: number, body: string): void {
    reply.code(status).type('text/html; charset=utf-8').send(body);
  }

  redirectToInteraction(reply: InteractionReply, interaction: Interaction): void {
    reply.code(303).header('location', this.path(interaction)).send();
  }

  async saveProgress(interaction: Interaction): Promise<void> {
    await this.deps.store.interactionStates.save(
      interaction.uid,
      interaction.progress,
      interaction.expiresAt,
    );
  }

  /**
   * Records a proof made in this interaction, then shows whatever comes next. A second factor of any
   * kind ends the run of wrong codes, and with it a code lock (CodeThrottle).
   */
  async recordProof(reply: InteractionReply, interaction: Interaction, method: MethodName): Promise<void> {
    const accountId =
      'accountId' in interaction.step ? interaction.step.accountId : interaction.progress.accountId;
    if (method !== 'password' && accountId) await this.#codeThrottle.secondFactorSucceeded(accountId);
    interaction.progress.proofs = mergeProofs(interaction.progress.proofs, [{ method, at: interaction.now }]);
    delete interaction.progress.chosenMethod;
    await this.saveProgress(interaction);
    this.redirectToInteraction(reply, interaction);
  }

  /**
   * Keeps an approval bound to `digest` (what the device signed over) as this login's approval of its
   * transaction, when it is the digest of this login's details; anything else is never kept.
   */
  bindTransactionApproval(
    interaction: Interaction,
    digest: string,
    method: TransactionApproval['method'],
  ): void {
    if (!interaction.transaction || interaction.transaction.digest !== digest) return;
    interaction.progress.transactionApproval = { digest, method, at: interaction.now };
  }

  async usernameOf(accountId: string): Promise<string> {
    return (await this.deps.store.users.findById(accountId))?.username ?? '';
  }

  /** The one place a login ends: each factor withdraws what is outstanding, and the progress goes. */
  async #end(interaction: Interaction): Promise<void> {
    for (const factor of this.#factors) await factor.endInteraction?.(interaction);
    await this.deps.store.interactionStates.destroy(interaction.uid);
  }

  async finish(
    request: InteractionRequest,
    reply: InteractionReply,
    interaction: Interaction,
    result: InteractionResults,
  ): Promise<void> {
    await this.#end(interaction);
    reply.hijack();
    // Consent keeps the login result of the interaction before it; everything else stands alone.
    const mergeWithLastSubmission = 'consent' in result;
    await this.deps.provider.interactionFinished(request.raw, reply.raw, result, { mergeWithLastSubmission });
  }

  async refuse(
    request: InteractionRequest,
    reply: InteractionReply,
    interaction: Interaction,
    error: RefusalError,
    reason: string,
  ): Promise<void> {
    this.#logRefusal(interaction, reason);
    await this.finish(request, reply, interaction, { error, error_description: reason });
  }

  /**
   * Ends the login refused, as `refuse` does, but shows a page first: `renderPage` gets the URL that
   * carries the refusal on to the application (oidc-provider's resume URL), for the page's link.
   */
  async refuseWithPage(
    request: InteractionRequest,
    reply: InteractionReply,
    interaction: Interaction,
    refusal: { error: RefusalError; reason: string; status: number },
    renderPage: (continueUrl: string) => string,
  ): Promise<void> {
    this.#logRefusal(interaction, refusal.reason);
    await this.#end(interaction);
    const continueUrl = await this.deps.provider.interactionResult(
      request.raw,
      reply.raw,
      { error: refusal.error, error_description: refusal.reason },
      { mergeWithLastSubmission: false },
    );
    this.sendHtml(reply, refusal.status, renderPage(continueUrl));
  }

  #logRefusal(interaction: Interaction, reason: string): void {
    const userId = 'accountId' in interaction.step ? interaction.step.accountId : undefined;
    this.deps.logAuthEvent({
      event: 'stepup.refused',
      clientId: interaction.clientId,
      reason,
      ...(userId ? { userId } : {}),
    });
  }

  /**
   * Counts a code try against the account and the login before the code is checked (see
   * CodeThrottle). Resolves the attempt, or undefined when the throttle refused it: the page is then
   * answered with 429 and the throttle's code.
   */
  async attemptCode(
    request: InteractionRequest,
    reply: InteractionReply,
    interaction: Interaction,
    accountId: string,
    factor: string,
  ): Promise<CodeAttempt | undefined> {
    const attempt = await this.#codeThrottle.attempt({
      accountId,
      interactionUid: interaction.uid,
      now: interaction.now,
    });
    if (attempt.allowed) return attempt;
    this.deps.logAuthEvent({
      event: 'factor.failed',
      userId: accountId,
      factor,
      reason: 'throttled',
      code: attempt.code,
    });
    await answerThrottleRefusal(this, request, reply, interaction, attempt);
    return undefined;
  }

  /**
   * A code that was counted by `attemptCode` was wrong: ends the step-up as unmet when it was the
   * login's last try, else shows the factor again with the error.
   */
  async answerWrongCode(
    request: InteractionRequest,
    reply: InteractionReply,
    interaction: Interaction,
    attempt: CodeAttempt,
    failure: { accountId: string; factor: string; reason: 'wrong_code' | 'replayed_code'; message: string },
  ): Promise<void> {
    this.deps.logAuthEvent({
      event: 'factor.failed',
      userId: failure.accountId,
      factor: failure.factor,
      reason: failure.reason,
    });
    if (attempt.triesLeft <= 0) {
      await this.refuse(
        request,
        reply,
        interaction,
        'unmet_authentication_requirements',
        'too many wrong codes',
      );
      return;
    }
    await this.proceed(request, reply, interaction, {
      status: 401,
      attemptsLeft: attempt.triesLeft,
      error: failure.message,
    });
  }

  /** What every second-factor page shows: who, for which application, the errors, cancel, alternatives. */
  factorPageBasics(page: FactorPage) {
    const { interaction, feedback } = page;
    return {
      cancelAction: this.path(interaction, 'cancel'),
      csrfToken: interaction.progress.csrf,
      clientName: interaction.clientName,
      username: page.username,
      ...(feedback.error ? { error: feedback.error } : {}),
      ...(page.alternatives.length > 0
        ? { alternatives: { action: this.path(interaction, 'choose'), choices: page.alternatives } }
        : {}),
    };
  }

  /** The second-factor methods the person has enrolled, for the Actions' `event.user.enrolledFactors`. */
  async enrolledMethods(accountId: string): Promise<MethodName[]> {
    const methods: MethodName[] = [];
    for (const factor of this.#factors) if (await factor.isEnrolled(accountId)) methods.push(factor.method);
    return methods;
  }

  /**
   * The second factors that can serve this step, enrolled ones first in order of preference. For an
   * enrollment an Action asked for, only the factors to enroll.
   */
  async factorsFor(step: Extract<NextStep, { step: 'second-factor' }>) {
    if (step.enroll) return { enrolled: [], enrollable: enrollableFactors(this.#factors, step.methods) };
    // Approving a transaction with a factor enrolled on the password alone would prove nothing.
    const mayEnroll = !step.transaction;
    const usable = this.#factors.filter((factor) => step.methods.includes(factor.method));
    const enrolled: SecondFactor[] = [];
    for (const factor of usable) if (await factor.isEnrolled(step.accountId)) enrolled.push(factor);
    // Enrollment during a login is trust on first use: only for a person with no second factor at
    // all. Someone whose factors cannot reach this level (TOTP, when phishing resistance is asked)
    // must not be able to add one with the password alone.
    let anyEnrolled = enrolled.length > 0;
    for (const factor of this.#factors) anyEnrolled ||= await factor.isEnrolled(step.accountId);
    const enrollable = usable
      .filter((factor) => mayEnroll && !anyEnrolled && factor.renderEnrollment !== undefined)
      // Stable: factors of the same rank keep their order of preference.
      .sort((a, b) => (a.enrollmentRank ?? 0) - (b.enrollmentRank ?? 0));
    return { enrolled, enrollable };
  }

  /** Renders the page for the current step, or finishes the interaction when nothing is left to ask. */
  async proceed(
    request: InteractionRequest,
    reply: InteractionReply,
    interaction: Interaction,
    feedback: PageFeedback = {},
  ): Promise<void> {
    const { step, progress } = interaction;
    switch (step.step) {
      case 'consent':
        await this.finish(request, reply, interaction, { consent: {} });
        return;
      case 'finish':
        // A factor added by someone who already had one (an Action's `enrollWith`) keeps their
        // recovery codes: a new set is issued only to a person who has none.
        if (progress.showRecoveryCodes && progress.enrollment?.hadSecondFactor) {
          const recovery = this.#factors.find((factor) => factor.method === 'recovery-code');
          if (await recovery?.isEnrolled(step.accountId)) {
            delete progress.showRecoveryCodes;
            await this.saveProgress(interaction);
          }
        }
        for (const page of [...this.#factors, ...this.#beforeFinish]) {
          if (await page.renderBeforeFinish?.(request, reply, interaction)) return;
        }
        await this.finish(request, reply, interaction, {
          login: {
            accountId: step.accountId,
            acr: step.context.acr,
            amr: step.context.amr,
            ts: step.context.auth_time,
          },
          stepup: {
            proofs: progress.proofs,
            startedAt: progress.startedAt,
            // Checked by the step-up check against the request's authorization_details.
            ...(progress.transactionApproval ? { transaction: progress.transactionApproval } : {}),
            // Applied by the step-up check once the login completes (custom claims, metadata).
            ...(progress.actions?.decision === 'allow' ? { actions: progress.actions.effects } : {}),
          },
        });
        return;
      case 'unmet':
        await this.refuse(request, reply, interaction, 'unmet_authentication_requirements', step.reason);
        return;
      case 'denied':
        await this.refuse(request, reply, interaction, 'access_denied', step.reason);
        return;
      case 'action-redirect':
        if (step.url) {
          reply.code(303).header('location', step.url).send();
          return;
        }
        this.sendHtml(
          reply,
          409,
          renderErrorPage({
            title: 'Finish the step you were sent to',
            message: `Signing in continues once you complete the page at ${step.origin}.`,
            hint: 'Go back to that page, or start signing in again from the application.',
          }),
        );
        return;
      case 'password':
        await this.#renderPassword(reply, interaction, feedback);
        return;
      case 'second-factor': {
        const { enrolled, enrollable } = await this.factorsFor(step);
        const candidates = enrolled.length > 0 ? enrolled : enrollable;
        const chosen =
          candidates.find((factor) => factor.method === progress.chosenMethod) ??
          (await this.#firstAvailable(candidates, step.accountId, interaction)) ??
          candidates[0];
        if (!chosen) {
          // Someone whose factors are all switched off is told so, never offered a new one.
          const switchedOff = await this.#hasSwitchedOffFactor(step.accountId);
          await this.refuse(
            request,
            reply,
            interaction,
            'unmet_authentication_requirements',
            step.transaction
              ? NO_TRANSACTION_FACTOR
              : switchedOff
                ? FACTORS_SWITCHED_OFF
                : 'no usable second factor',
          );
          return;
        }
        const alternatives: FactorChoice[] = candidates
          .filter((factor) => factor !== chosen)
          .map((factor) => ({ method: factor.method, label: factor.label }));
        const page = {
          request,
          reply,
          interaction,
          step,
          username: await this.usernameOf(step.accountId),
          alternatives,
          feedback,
        };
        if (enrolled.length > 0) await chosen.renderChallenge(page);
        else await chosen.renderEnrollment?.(page);
        return;
      }
    }
  }

  async #hasSwitchedOffFactor(accountId: string): Promise<boolean> {
    const off = switchedOffMethods(this.deps.config);
    for (const factor of this.#factors) {
      if (off.includes(factor.method) && (await factor.isEnrolled(accountId))) return true;
    }
    return false;
  }

  async #firstAvailable(candidates: readonly SecondFactor[], userId: string, interaction: Interaction) {
    for (const factor of candidates) {
      if ((await factor.isAvailable?.(userId, interaction)) ?? true) return factor;
    }
    return undefined;
  }

  async #renderPassword(
    reply: InteractionReply,
    interaction: Interaction,
    feedback: PageFeedback,
  ): Promise<void> {
    const sessionAccountId = interaction.sessionAccountId;
    const username =
      feedback.username ??
      (sessionAccountId ? await this.usernameOf(sessionAccountId) : interaction.loginHint);
    this.sendHtml(
      reply,
      feedback.status ?? 200,
      renderLoginPage({
        action: this.path(interaction, 'password'),
        csrfToken: interaction.progress.csrf,
        clientName: interaction.clientName,
        ...(username ? { username } : {}),
        ...(feedback.error ? { error: feedback.error } : {}),
        ...(sessionAccountId ? { stepUpReason: `${interaction.clientName} asks you to sign in again.` } : {}),
        // Passkey sign-in (factors/webauthn/passkey-sign-in.ts) is the other first step, unless switched off.
        ...(isFactorSwitchedOn(this.deps.config, 'webauthn')
          ? {
              passkey: {
                action: this.path(interaction, 'passkey'),
                optionsAction: this.path(interaction, 'passkey/options'),
              },
            }
          : {}),
      }),
    );
  }

  /** Wraps a route handler: an expired or unknown interaction gets a clear page, not a 500. */
  handle(handler: (request: InteractionRequest, reply: InteractionReply) => Promise<void>) {
    return async (request: InteractionRequest, reply: InteractionReply) => {
      try {
        await handler(request, reply);
      } catch (error) {
        if (!(error instanceof InteractionExpired)) throw error;
        this.sendHtml(
          reply,
          400,
          renderErrorPage({
            title: 'Your sign-in has expired',
            message: 'The sign-in took too long, or it was already completed in another tab.',
            hint: 'Go back to the application and start again.',
            reference: request.id,
          }),
        );
      }
    };
  }
}
