import {
  type AcrLadder,
  type AcrLevel,
  type AuthContext,
  computeAuthContext,
  type MethodName,
  minimumLevel,
  type ProvenMethod,
} from '@stepup/core';
import type { ActionsRequirement } from '../actions/login-requirement.ts';
import type { RequestedAuthentication } from '../oidc/requested-authentication.ts';
import { STEP_UP_REASON } from '../oidc/step-up-check.ts';
import { evaluateSession } from '../session/evaluate-session.ts';

/**
 * Methods that identify the person (first step of a login). A passkey sign-in proves `passkey`, or
 * `security-key-verified` for a passkey kept on a security key; user verification is required there.
 */
const FIRST_FACTOR_METHODS: ReadonlySet<MethodName> = new Set([
  'password',
  'passkey',
  'security-key-verified',
]);
/** Methods this provider can challenge for a step-up, in order of preference. */
export const SECOND_FACTOR_METHODS: readonly MethodName[] = [
  'push',
  'security-key',
  'totp',
  'email-otp',
  'recovery-code',
];

/**
 * The factors that can show a transaction (RFC 9396 `authorization_details`) and bind their proof to
 * it: push, whose device displays the details and signs over their digest, and a security key or
 * passkey, whose challenge is derived from that digest (the page shows the details before the
 * ceremony). TOTP, email codes and recovery codes prove possession of something that never sees them.
 */
export const TRANSACTION_METHODS: readonly MethodName[] = ['push', 'security-key'];

/** Why a person without a factor that can show the transaction cannot approve it (`error_description`). */
export const NO_TRANSACTION_FACTOR =
  'approving these details needs a factor that shows them: add the authenticator app on a phone or a security key, then try again (codes from an app, email or recovery cannot show what is approved)';

export type NextStep =
  | { step: 'consent' }
  | { step: 'password' }
  | {
      step: 'second-factor';
      accountId: string;
      level: AcrLevel;
      methods: MethodName[];
      /** Set when the person is to enroll a factor of one of `methods` (an Action's `enrollWith`). */
      enroll?: true;
      /** Set for a transaction-bound login: `methods` are those that show it; nothing is enrolled. */
      transaction?: true;
    }
  | { step: 'finish'; accountId: string; context: AuthContext }
  | { step: 'unmet'; accountId: string; reason: string }
  | { step: 'denied'; accountId: string; reason: string }
  /**
   * An Action sent the browser elsewhere (`api.redirect.sendUserTo`); nothing else happens until it
   * comes back to `/continue`. `url` only on the request whose Actions decided it: it holds the state.
   */
  | { step: 'action-redirect'; accountId: string; origin: string; url?: string };

export interface InteractionSituation {
  promptName: string;
  reasons: readonly string[];
  request: RequestedAuthentication;
  /** The account the browser session is signed in to, if any, and the proofs it holds. */
  sessionAccountId: string | undefined;
  sessionProofs: readonly ProvenMethod[];
  /** What this interaction has proven so far. */
  accountId: string | undefined;
  proofs: readonly ProvenMethod[];
  startedAt: number;
  /** What the post-login Actions add: a level to reach, and the methods allowed to reach it. */
  required?: ActionsRequirement;
  /**
   * Where the enrollment the Actions asked for (`required.enroll`) stands: whether the person has a
   * second factor (or had one when they ran), and whether a factor of a kind asked for was enrolled since.
   */
  enrollment?: { hasSecondFactor: boolean; done: boolean };
  /** Methods of the factors an operator switched off: never asked for, nor enrolled. */
  switchedOff?: readonly MethodName[];
  /**
   * A transaction-bound login: whether this interaction holds an approval bound to its details. Until
   * it does, the login does not finish, whatever the session or this interaction proved otherwise.
   */
  transaction?: { approved: boolean };
}

/** The request's requirement, raised to the Actions' level when that is higher; never lowered. */
function withActionsLevel(
  request: RequestedAuthentication,
  required: ActionsRequirement | undefined,
  ladder: AcrLadder,
): RequestedAuthentication {
  if (!required?.acr) return request;
  const requested = minimumLevel(request.requirement.acr ?? [], ladder);
  const requestedRank = requested ? (ladder.rankOf(requested.acr) ?? -1) : -1;
  if ((ladder.rankOf(required.acr) ?? -1) <= requestedRank) return request;
  return { ...request, requirement: { ...request.requirement, acr: [required.acr] } };
}

/**
 * The plumbing of every login: requested level → which factors may satisfy it → challenge → finish.
 * Pure: it reads the situation and says what to ask for next.
 */
export function decideNextStep(situation: InteractionSituation, ladder: AcrLadder, now: number): NextStep {
  if (situation.promptName === 'consent') return { step: 'consent' };
  const accountId = situation.accountId ?? situation.sessionAccountId;
  if (!accountId) return { step: 'password' };

  // Anything but a pure step-up (no session, prompt=login, a hint for another subject) means the
  // person identifies themselves again in this interaction.
  const reidentify = situation.reasons.some((reason) => reason !== STEP_UP_REASON);
  const identifiedHere = situation.proofs.some((proof) => FIRST_FACTOR_METHODS.has(proof.method));
  if (reidentify && !identifiedHere) return { step: 'password' };

  const request = withActionsLevel(situation.request, situation.required, ladder);
  const evaluation = evaluateSession({
    sessionProofs: situation.sessionProofs,
    interaction: { proofs: situation.proofs, startedAt: situation.startedAt },
    request,
    ladder,
    now,
  });
  if (!evaluation.freshProofs.some((proof) => FIRST_FACTOR_METHODS.has(proof.method)))
    return { step: 'password' };
  const level = minimumLevel(request.requirement.acr ?? [], ladder);
  const switchedOn = (method: MethodName) => !situation.switchedOff?.includes(method);
  const allowed = SECOND_FACTOR_METHODS.filter(
    (method) => (situation.required?.methods?.includes(method) ?? true) && switchedOn(method),
  );
  const enroll = situation.required?.enroll;
  if (enroll && !situation.enrollment?.done) {
    if (!level || !situation.enrollment)
      return { step: 'unmet', accountId, reason: 'the enrollment asked for could not be started' };
    const enrollable = enroll.methods.filter(switchedOn);
    if (enrollable.length === 0)
      return { step: 'unmet', accountId, reason: 'the factor to enroll is switched off by the operator' };
    // Trust on first use only for a person with no second factor at all; anyone else first proves
    // one of theirs in this very login — never a new factor on the password alone.
    const provenHere = situation.proofs.some((proof) => proof.method !== 'password');
    if (!situation.enrollment.hasSecondFactor || provenHere)
      return { step: 'second-factor', accountId, level, methods: enrollable, enroll: true };
    return { step: 'second-factor', accountId, level, methods: allowed };
  }
  if (situation.transaction && !situation.transaction.approved) {
    const methods = allowed.filter((method) => TRANSACTION_METHODS.includes(method));
    const reached = computeAuthContext([...evaluation.freshProofs, { method: 'push', at: now }], ladder, {
      now,
    });
    const shown = level ?? ladder.levels.find((candidate) => candidate.acr === reached?.acr);
    if (methods.length === 0 || !shown) return { step: 'unmet', accountId, reason: NO_TRANSACTION_FACTOR };
    return { step: 'second-factor', accountId, level: shown, methods, transaction: true };
  }
  if (evaluation.satisfied && evaluation.context)
    return { step: 'finish', accountId, context: evaluation.context };

  if (!level)
    return { step: 'unmet', accountId, reason: 'the requested authentication could not be obtained' };
  const reaches = (proofs: readonly ProvenMethod[]) => {
    const context = computeAuthContext(proofs, ladder, { now });
    return context !== undefined && ladder.meets(context.acr, level.acr);
  };
  const methods = allowed.filter((method) => reaches([...evaluation.freshProofs, { method, at: now }]));
  if (methods.length > 0) return { step: 'second-factor', accountId, level, methods };
  // The password may be too old for the level (its maximum age is shorter than the session's):
  // then the person proves both again, password first.
  const passwordHelps = allowed.some((method) =>
    reaches([...evaluation.freshProofs, { method: 'password', at: now }, { method, at: now }]),
  );
  if (passwordHelps && !identifiedHere) return { step: 'password' };
  return { step: 'unmet', accountId, reason: `no available second factor reaches the level ${level.acr}` };
}
