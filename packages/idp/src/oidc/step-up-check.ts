import type { AcrLadder, MethodName, ProvenMethod } from '@stepup/core';
import { errors, interactionPolicy, type KoaContextWithOIDC } from 'oidc-provider';
import type { LoginActions } from '../actions/login-actions.ts';
import { type LoginEffects, NO_LOGIN_EFFECTS } from '../actions/login-effects.ts';
import { authorizationDetailsDigest } from '../authorization-details/authorization-details-digest.ts';
import type { InteractionOutcome } from '../interaction/interaction-outcome.ts';
import { readInteractionOutcome } from '../interaction/interaction-outcome.ts';
import type { AuditedAuthorizationDetails, AuthEventLogger } from '../log/auth-events.ts';
import type { RememberedBrowsers } from '../remember-browser/remembered-browsers.ts';
import { evaluateSession } from '../session/evaluate-session.ts';
import { commitProofs, loadSessionProofs } from '../session/session-proofs.ts';
import type { AuthSessionsRepository } from '../store/auth-sessions.ts';
import { recordAcrTime } from './acr-time-claim.ts';
import {
  acrToIssue,
  readRequestedAuthentication,
  requestsOnlyUnknownAcr,
} from './requested-authentication.ts';

export const STEP_UP_REASON = 'step_up_required';

interface StepUpCheckDependencies {
  ladder: AcrLadder;
  authSessions: AuthSessionsRepository;
  sessionTtl: number;
  clock: () => number;
  logAuthEvent: AuthEventLogger;
  loginActions?: LoginActions;
  enrolledMethods?: (accountId: string) => Promise<MethodName[]>;
  /**
   * Applies what the Actions left for a completed login (custom claims bound to the grant, metadata
   * written), once the session satisfies the request and the code is about to be issued.
   */
  completeLogin?: (ctx: KoaContextWithOIDC, accountId: string, effects: LoginEffects) => Promise<void>;
  /** A browser remembered for the person skips the MFA an Action allowed it to skip. */
  rememberedBrowsers?: RememberedBrowsers;
}

/**
 * The login-prompt check that enforces the requested authentication context (ARCHITECTURE.md,
 * invariants 1–3). oidc-provider does not enforce `acr_values`; this check does, and it also takes
 * over `max_age` and essential `acr`, comparing levels by rank instead of by string.
 *
 * On every authorization request it recomputes `acr`, `amr` and `auth_time` (and when the level was
 * reached, `acr-time-claim.ts`) from the proofs the browser session holds and puts them on the
 * session, so the code issued next carries exactly what is proven now — a level whose maximum age has passed is no longer claimed. With `prompt=login` or
 * `max_age=0` only the proofs of the interaction that just ended count: none before it.
 */
export function createStepUpCheck(deps: StepUpCheckDependencies) {
  const { ladder } = deps;
  return new interactionPolicy.Check(
    STEP_UP_REASON,
    'the requested authentication context could not be obtained without user interaction',
    'interaction_required',
    async (ctx: KoaContextWithOIDC) => {
      const { oidc } = ctx;
      const session = oidc.session;
      const clientId = oidc.client?.clientId ?? '';
      if (!session) return interactionPolicy.Check.REQUEST_PROMPT;
      const request = readRequestedAuthentication({
        acr_values: oidc.params?.acr_values,
        claims: oidc.claims,
        max_age: oidc.params?.max_age,
        prompt: oidc.params?.prompt,
      });
      if (requestsOnlyUnknownAcr(request, ladder)) {
        deps.logAuthEvent({ event: 'stepup.refused', clientId, reason: 'unsupported acr_values' });
        throw new errors.UnmetAuthenticationRequirements(
          `none of the requested acr values is supported; supported values: ${ladder.levels.map((l) => l.acr).join(' ')}`,
        );
      }
      const accountId = session.accountId;
      if (!accountId) return interactionPolicy.Check.NO_NEED_TO_PROMPT; // the no_session check asks for the login

      const now = deps.clock();
      const outcome: InteractionOutcome | undefined = readInteractionOutcome(oidc.result);
      // RFC 9396: a transaction-bound request needs an approval of exactly these details, made in the
      // interaction that just ended; nothing the session proved before satisfies it (with
      // prompt=none, asking for the interaction answers interaction_required).
      const transaction = transactionOf(oidc.params?.authorization_details);
      if (transaction) {
        if (!outcome) {
          deps.logAuthEvent({
            event: 'stepup.requested',
            userId: accountId,
            clientId,
            acr: request.requestedAcr,
            authorizationDetails: transaction,
          });
          return interactionPolicy.Check.REQUEST_PROMPT;
        }
        const approval = outcome.transaction;
        if (!approval || approval.digest !== transaction.digest || approval.at < outcome.startedAt) {
          deps.logAuthEvent({
            event: 'stepup.refused',
            userId: accountId,
            clientId,
            reason: 'authorization_details not approved',
            authorizationDetails: transaction,
          });
          throw new errors.UnmetAuthenticationRequirements(
            'the authorization details were not approved with a factor that shows them',
          );
        }
      }
      const proofs = outcome
        ? await commitProofs(deps.authSessions, {
            sessionUid: session.uid,
            accountId,
            proofs: outcome.proofs,
            expiresAt: now + deps.sessionTtl,
            now,
          })
        : await loadSessionProofs(deps.authSessions, session.uid, accountId, now);

      const { context, satisfied, acrTime } = evaluateSession({
        sessionProofs: proofs,
        request,
        ladder,
        now,
        ...(outcome ? { interaction: outcome } : {}),
      });
      if (context && satisfied) {
        let effects = outcome?.effects ?? NO_LOGIN_EFFECTS;
        // A login that shows no page still runs the Actions (the interaction ran them otherwise).
        if (!outcome && deps.loginActions) {
          // With prompt=none, asking for the interaction answers interaction_required.
          const required = await levelRequiredByActions(ctx, deps, accountId, proofs, (allowed) => {
            effects = allowed;
          });
          // An enrollment (`enrollWith`) or a redirect (`sendUserTo`) needs the interaction whatever
          // the session holds; it runs the Actions again there.
          if (
            required?.interactive ||
            required?.enroll ||
            (required?.acr && !ladder.meets(context.acr, required.acr))
          )
            return interactionPolicy.Check.REQUEST_PROMPT;
        }
        await deps.completeLogin?.(ctx, accountId, effects);
        session.acr = acrToIssue(context.acr, request, ladder);
        session.amr = context.amr;
        session.loginTs = context.auth_time;
        recordAcrTime(ctx, acrTime);
        if (outcome && (request.requestedAcr.length > 0 || transaction)) {
          deps.logAuthEvent({
            event: 'stepup.satisfied',
            userId: accountId,
            clientId,
            acr: session.acr,
            amr: context.amr,
            ...(transaction ? { authorizationDetails: transaction } : {}),
          });
        }
        return interactionPolicy.Check.NO_NEED_TO_PROMPT;
      }

      if (outcome) {
        // Invariant 3: an interaction that ended below the requested level never loops.
        deps.logAuthEvent({
          event: 'stepup.refused',
          userId: accountId,
          clientId,
          reason: 'level not reached',
        });
        throw new errors.UnmetAuthenticationRequirements(
          'the authentication did not reach the requested level',
        );
      }
      if (request.requestedAcr.length > 0) {
        deps.logAuthEvent({
          event: 'stepup.requested',
          userId: accountId,
          clientId,
          acr: request.requestedAcr,
          ...(request.requirement.maxAge === undefined ? {} : { maxAge: request.requirement.maxAge }),
        });
      }
      return interactionPolicy.Check.REQUEST_PROMPT;
    },
  );
}

/** The types and digest of a request's `authorization_details` (checked by oidc-provider already). */
function transactionOf(requested: unknown): AuditedAuthorizationDetails | undefined {
  if (typeof requested !== 'string') return undefined;
  const details = JSON.parse(requested) as { type: string }[];
  if (!Array.isArray(details) || details.length === 0) return undefined;
  return {
    types: [...new Set(details.map((detail) => detail.type))],
    digest: authorizationDetailsDigest(details),
  };
}

/**
 * Runs the post-login Actions for an authorization request that the session alone would satisfy,
 * and returns the level they ask for, whether they ask for an enrollment, and whether they want to
 * send the browser elsewhere (`interactive`). A denial ends the request with `access_denied`.
 */
async function levelRequiredByActions(
  ctx: KoaContextWithOIDC,
  deps: StepUpCheckDependencies,
  accountId: string,
  proofs: readonly ProvenMethod[],
  onAllowed: (effects: LoginEffects) => void,
): Promise<{ acr?: string; enroll: boolean; interactive?: true } | undefined> {
  const { oidc } = ctx;
  if (!deps.loginActions) return undefined;
  const decision = await deps.loginActions.run({
    accountId,
    clientId: oidc.client?.clientId ?? '',
    clientName: typeof oidc.client?.clientName === 'string' ? oidc.client.clientName : null,
    params: oidc.params ?? {},
    protocol: oidc.prompts.has('none') ? 'oidc-silent' : 'oidc-basic-profile',
    ip: ctx.ip,
    userAgent: ctx.get('user-agent') || null,
    hostname: ctx.hostname,
    ...(oidc.session?.uid ? { sessionId: oidc.session.uid } : {}),
    proofs,
    enrolledMethods: async () => (await deps.enrolledMethods?.(accountId)) ?? [],
  });
  if (decision.decision === 'deny') {
    deps.logAuthEvent({
      event: 'stepup.refused',
      userId: accountId,
      clientId: oidc.client?.clientId ?? '',
      reason: decision.reason,
    });
    throw new errors.AccessDenied(decision.reason);
  }
  if (decision.decision === 'redirect') return { enroll: false, interactive: true };
  onAllowed(decision.effects);
  const { requirement } = decision;
  const enroll = requirement.enroll !== undefined;
  if (
    requirement.allowRememberBrowser &&
    (await deps.rememberedBrowsers?.isRemembered(
      (name) => ctx.cookies.get(name, { signed: false }) ?? undefined,
      accountId,
      deps.clock(),
    ))
  ) {
    deps.logAuthEvent({ event: 'browser.remembered_used', userId: accountId });
    return { enroll };
  }
  return { ...(requirement.acr ? { acr: requirement.acr } : {}), enroll };
}
