import type { MethodName } from '@stepup/core';
import type { StepupConfig } from '../config/config-schema.ts';

/** The kinds of second factor an operator switches on and off at runtime (settings `factors`). */
export type SwitchableFactor = 'totp' | 'webauthn' | 'push' | 'email';

/** The methods each switch governs: WebAuthn covers security keys and the passkey sign-in. */
const METHODS_OF: Readonly<Record<SwitchableFactor, readonly MethodName[]>> = {
  totp: ['totp'],
  webauthn: ['security-key', 'security-key-verified', 'passkey'],
  push: ['push'],
  email: ['email-otp'],
};

/** True while the operator lets people use and enroll this kind of factor; read at each request. */
export function isFactorSwitchedOn(
  config: Pick<StepupConfig, 'factors' | 'email'>,
  factor: SwitchableFactor,
): boolean {
  return factor === 'email' ? config.email.enabled : config.factors[factor].enabled;
}

/**
 * The methods of the factors switched off now. They are neither offered nor accepted, but a person
 * who has one still has a second factor (no password-only enrollment for them).
 */
export function switchedOffMethods(config: Pick<StepupConfig, 'factors' | 'email'>): MethodName[] {
  return (Object.keys(METHODS_OF) as SwitchableFactor[])
    .filter((factor) => !isFactorSwitchedOn(config, factor))
    .flatMap((factor) => METHODS_OF[factor]);
}
