import type { AcrLadder, MethodName } from '@stepup/core';
import type { MultifactorProvider } from './post-login-api.ts';
import type { PostLoginFactorType } from './post-login-event.ts';
import type { PostLoginOutcome } from './post-login-outcome.ts';

/** What the Actions add to a login's requirement: a level to reach and the methods that may reach it. */
export interface ActionsRequirement {
  acr?: string;
  /** Second-factor methods allowed for this login; undefined: any. */
  methods?: MethodName[];
  /**
   * True when the only MFA demand came from `multifactor.enable` with `allowRememberBrowser: true`:
   * a remembered browser may then skip it. `challengeWith*` always challenges.
   */
  allowRememberBrowser?: boolean;
}

const PROVIDER_METHODS: Readonly<Record<Exclude<MultifactorProvider, 'any' | 'none'>, MethodName[]>> = {
  guardian: ['push'],
  'google-authenticator': ['totp'],
  otp: ['totp'],
  // The WebAuthn factor is offered as `security-key`; what it proves depends on the authenticator.
  'webauthn-roaming': ['security-key', 'security-key-verified'],
  'webauthn-platform': ['security-key', 'passkey'],
  email: ['email-otp'],
  'recovery-code': ['recovery-code'],
};

const FACTOR_METHODS: Readonly<Record<PostLoginFactorType, MethodName[]>> = {
  otp: ['totp'],
  'push-notification': ['push'],
  email: ['email-otp'],
  'webauthn-platform': ['security-key', 'passkey'],
  'webauthn-roaming': ['security-key', 'security-key-verified'],
  'recovery-code': ['recovery-code'],
};

/** The Auth0 factor type of each method a person can enroll (for `event.user.enrolledFactors`). */
export const METHOD_FACTOR_TYPES: Readonly<Partial<Record<MethodName, PostLoginFactorType>>> = {
  totp: 'otp',
  push: 'push-notification',
  'email-otp': 'email',
  passkey: 'webauthn-platform',
  'security-key': 'webauthn-roaming',
  'security-key-verified': 'webauthn-roaming',
  'recovery-code': 'recovery-code',
};

/**
 * Turns the Actions' `multifactor.enable` and `challengeWith*` calls into a requirement. MFA asked for
 * by an Action means the multi-factor level; `none` never lowers what the application requested (the
 * provider's own acr check still applies). Several restrictions intersect.
 */
export function requirementFromActions(outcome: PostLoginOutcome, ladder: AcrLadder): ActionsRequirement {
  let methods: MethodName[] | undefined;
  const restrict = (allowed: readonly MethodName[]) => {
    methods = methods ? methods.filter((method) => allowed.includes(method)) : [...allowed];
  };
  const { multifactor } = outcome;
  let needsMfa = false;
  if (multifactor && multifactor.provider !== 'none') {
    needsMfa = true;
    if (multifactor.provider !== 'any') restrict(PROVIDER_METHODS[multifactor.provider]);
  }
  for (const challenge of outcome.challenges) {
    needsMfa = true;
    restrict(challenge.factors.flatMap((factor) => FACTOR_METHODS[factor]));
  }
  // The multi-factor level is the lowest one that takes two kinds of factor.
  const mfaLevel = ladder.levels.find((level) => level.factors >= 2);
  const rememberable =
    needsMfa && multifactor?.allowRememberBrowser === true && outcome.challenges.length === 0;
  return {
    ...(needsMfa && mfaLevel ? { acr: mfaLevel.acr } : {}),
    ...(methods ? { methods } : {}),
    ...(rememberable ? { allowRememberBrowser: true } : {}),
  };
}
