import type { ActionErrorCode } from './action-error-codes.ts';
import type { JsonValue } from './json-value.ts';
import type { MultifactorProvider, RecordedApiCall } from './post-login-api.ts';
import type { PostLoginFactorType } from './post-login-event.ts';

/** Why the Actions denied a login: `api.access.deny`, or a failed execution (fail closed). */
export type PostLoginDenyCode = 'access_denied' | 'actions_unavailable' | ActionErrorCode;

/** How one Action's execution ended. */
export type ActionExecutionOutcome = 'succeeded' | 'denied' | 'failed';

/** One execution, as the engine reports it and the execution log stores it. */
export interface ActionExecutionSummary {
  actionId: string;
  actionName: string;
  version: number;
  durationMs: number;
  outcome: ActionExecutionOutcome;
  errorCode: ActionErrorCode | null;
  /** Console lines, prefixed with their level; the Action's secrets are masked. */
  logs: string[];
}

/** A challenge an Action asked for; the user proves (or, with `enroll`, enrols) one of `factors`. */
export interface PostLoginChallenge {
  factors: PostLoginFactorType[];
  enroll: boolean;
}

/** What the Actions decided for one login, merged across every Action that ran. */
export type PostLoginOutcome = (
  | { decision: 'allow' }
  | {
      /**
       * An Action called `api.redirect.sendUserTo`: the browser goes to `url` (which carries the
       * login's `state`), and the Actions resume with `paused` when it comes back to `/continue`.
       */
      decision: 'redirect';
      url: string;
      paused: PausedActions;
    }
  | {
      decision: 'deny';
      code: PostLoginDenyCode;
      /** Safe to show to the user: the Action's own words for `access_denied`, a fixed text otherwise. */
      reason: string;
    }
) & {
  /**
   * The strictest `api.multifactor.enable` across all Actions (see `MULTIFACTOR_STRENGTH`);
   * `allowRememberBrowser` is false as soon as one call said false (or left it out).
   */
  multifactor?: { provider: MultifactorProvider; allowRememberBrowser: boolean };
  /** Every `challengeWith*` / `enrollWith*`, in call order; each must be satisfied. */
  challenges: PostLoginChallenge[];
  idTokenClaims: Record<string, JsonValue>;
  accessTokenClaims: Record<string, JsonValue>;
  /** Scopes to add to and take from the access token of the requested API (the later call on a scope wins). */
  accessTokenScopes: AccessTokenScopeChanges;
  /** Keys to write into the user's metadata once the login completes; `null` removes the key. */
  appMetadata: Record<string, JsonValue | null>;
  userMetadata: Record<string, JsonValue | null>;
  /** The Actions that ran, in order; the last one is the one that denied, if any did. */
  executions: ActionExecutionSummary[];
};

/** What the Actions changed of the access token's scope. */
export interface AccessTokenScopeChanges {
  add: string[];
  remove: string[];
}

/**
 * Where the Actions stand while the browser is away after `api.redirect.sendUserTo`: the Action to
 * resume (that exact version) and every call made so far, the redirect itself excepted. Kept
 * server-side with the interaction, never in the browser.
 */
export interface PausedActions {
  actionId: string;
  version: number;
  calls: RecordedApiCall[];
}

/**
 * How much each provider demands, for merging several `multifactor.enable` calls: a specific kind
 * beats `any`, a phishing-resistant one beats a code. On a tie the earlier call stays.
 */
export const MULTIFACTOR_STRENGTH: Readonly<Record<MultifactorProvider, number>> = {
  none: 0,
  any: 1,
  'recovery-code': 2,
  email: 2,
  otp: 3,
  'google-authenticator': 3,
  guardian: 3,
  'webauthn-platform': 4,
  'webauthn-roaming': 4,
};

/** The effects of the Actions so far; `applyCalls` folds one execution's calls into it. */
export interface PostLoginEffects {
  multifactorCalls: { provider: MultifactorProvider; allowRememberBrowser: boolean }[];
  challenges: PostLoginChallenge[];
  idTokenClaims: Map<string, JsonValue>;
  accessTokenClaims: Map<string, JsonValue>;
  accessTokenScopes: Map<string, 'add' | 'remove'>;
  appMetadata: Map<string, JsonValue | null>;
  userMetadata: Map<string, JsonValue | null>;
  /** Set by `api.access.deny`; the first reason wins. */
  denyReason?: string;
  /** Set by `api.redirect.sendUserTo`: the Actions after this one wait for `/continue`. */
  redirectUrl?: string;
}

/** The effects before any Action ran. */
export function emptyEffects(): PostLoginEffects {
  return {
    multifactorCalls: [],
    challenges: [],
    idTokenClaims: new Map(),
    accessTokenClaims: new Map(),
    accessTokenScopes: new Map(),
    appMetadata: new Map(),
    userMetadata: new Map(),
  };
}

/**
 * Folds the calls of one successful execution into the effects of those before it. Claims and
 * metadata: the later write of a name wins. MFA: the strictest provider, and no "remember this
 * browser" once any call refused it.
 */
export function applyCalls(effects: PostLoginEffects, calls: readonly RecordedApiCall[]): void {
  for (const call of calls) {
    switch (call.method) {
      case 'multifactor.enable':
        effects.multifactorCalls.push({
          provider: call.provider,
          allowRememberBrowser: call.allowRememberBrowser,
        });
        break;
      case 'authentication.challengeWith':
      case 'authentication.challengeWithAny':
      case 'authentication.enrollWith':
      case 'authentication.enrollWithAny':
        effects.challenges.push({ factors: [...call.factors], enroll: call.enroll });
        break;
      case 'access.deny':
        effects.denyReason ??= call.reason;
        break;
      case 'idToken.setCustomClaim':
        effects.idTokenClaims.set(call.name, call.value);
        break;
      case 'accessToken.setCustomClaim':
        effects.accessTokenClaims.set(call.name, call.value);
        break;
      case 'user.setAppMetadata':
        effects.appMetadata.set(call.key, call.value);
        break;
      case 'user.setUserMetadata':
        effects.userMetadata.set(call.key, call.value);
        break;
      case 'redirect.sendUserTo':
        effects.redirectUrl = call.url;
        break;
      case 'accessToken.addScope':
        effects.accessTokenScopes.set(call.scope, 'add');
        break;
      case 'accessToken.removeScope':
        effects.accessTokenScopes.set(call.scope, 'remove');
        break;
      case 'cache.set':
      case 'cache.delete':
        // The engine writes them to the Action's cache; they change nothing of the login.
        break;
    }
  }
}

/**
 * One MFA demand from several `multifactor.enable` calls: the strictest provider (the earlier call on
 * a tie), and "remember this browser" only when every call that asked for a factor allowed it.
 */
export function mergeMultifactor(
  calls: PostLoginEffects['multifactorCalls'],
): { provider: MultifactorProvider; allowRememberBrowser: boolean } | undefined {
  const first = calls[0];
  if (!first) return undefined;
  let provider = first.provider;
  for (const call of calls) {
    if (MULTIFACTOR_STRENGTH[call.provider] > MULTIFACTOR_STRENGTH[provider]) provider = call.provider;
  }
  const voting = calls.some((call) => call.provider !== 'none')
    ? calls.filter((call) => call.provider !== 'none')
    : calls;
  return { provider, allowRememberBrowser: voting.every((call) => call.allowRememberBrowser) };
}

/** A short line per call for the execution log: names and providers, never claim or metadata values. */
export function summarizeCall(call: RecordedApiCall): string {
  switch (call.method) {
    case 'multifactor.enable':
      return `${call.method}(${call.provider}, allowRememberBrowser=${call.allowRememberBrowser})`;
    case 'access.deny':
      return `${call.method}(${JSON.stringify(call.reason)})`;
    case 'idToken.setCustomClaim':
    case 'accessToken.setCustomClaim':
      return `${call.method}(${call.name})`;
    case 'user.setAppMetadata':
    case 'user.setUserMetadata':
      return `${call.method}(${call.key})`;
    case 'cache.set':
    case 'cache.delete':
      return `${call.method}(${call.key})`;
    case 'accessToken.addScope':
    case 'accessToken.removeScope':
      return `${call.method}(${call.scope})`;
    case 'redirect.sendUserTo': {
      // The query may carry a token: the log keeps where, not what.
      const target = new URL(call.url);
      return `${call.method}(${target.origin}${target.pathname})`;
    }
    default:
      return `${call.method}(${call.factors.join(', ')})`;
  }
}
