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
  /** A factor to enroll during this login (`enrollWith*`); see `EnrollmentRequirement`. */
  enroll?: EnrollmentRequirement;
}

/**
 * What `api.authentication.enrollWith` / `enrollWithAny` ask for: the person enrolls one factor of
 * these kinds during this login. Someone who already has a second factor proves one of them first;
 * someone with none enrolls straight away (trust on first use). Several calls intersect.
 */
export interface EnrollmentRequirement {
  /** The factors as the Actions named them, for the refusal when none can be enrolled. */
  factors: PostLoginFactorType[];
  /** The methods whose enrollment satisfies every call, in the order the first call named them. */
  methods: MethodName[];
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
 * Turns the Actions' `multifactor.enable`, `challengeWith*` and `enrollWith*` calls into a requirement.
 * MFA asked for by an Action means the multi-factor level; `none` never lowers what the application
 * requested (the provider's own acr check still applies). Several restrictions intersect. An
 * enrollment restricts nothing about the factor proven before it: that one is whichever the person has.
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
  let enroll: EnrollmentRequirement | undefined;
  for (const challenge of outcome.challenges) {
    needsMfa = true;
    const named = [...new Set(challenge.factors.flatMap((factor) => FACTOR_METHODS[factor]))];
    if (!challenge.enroll) restrict(named);
    else if (!enroll) enroll = { factors: [...challenge.factors], methods: named };
    else {
      enroll = {
        factors: [...new Set([...enroll.factors, ...challenge.factors])],
        methods: enroll.methods.filter((method) => named.includes(method)),
      };
    }
  }
  // The multi-factor level is the lowest one that takes two kinds of factor.
  const mfaLevel = ladder.levels.find((level) => level.factors >= 2);
  const rememberable =
    needsMfa && multifactor?.allowRememberBrowser === true && outcome.challenges.length === 0;
  return {
    ...(needsMfa && mfaLevel ? { acr: mfaLevel.acr } : {}),
    ...(methods ? { methods } : {}),
    ...(rememberable ? { allowRememberBrowser: true } : {}),
    ...(enroll ? { enroll } : {}),
  };
}
