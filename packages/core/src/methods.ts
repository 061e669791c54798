import type { AmrValue } from './amr.ts';

/**
 * The three kinds of authentication factor: something you know, have, or are.
 *
 * @example
 * ```ts
 * const kind: FactorKind = 'possession';
 * ```
 */
export type FactorKind = 'knowledge' | 'possession' | 'inherence';

/**
 * What proving one authentication method establishes.
 *
 * @example
 * ```ts
 * const totp: AuthenticationMethod = AUTHENTICATION_METHODS.totp;
 * totp.factors; // ['possession']
 * ```
 */
export interface AuthenticationMethod {
  /** The RFC 8176 values this method contributes to `amr`. */
  readonly amr: readonly AmrValue[];
  /** The factor kinds this method proves on its own. */
  readonly factors: readonly FactorKind[];
  /** Whether the method is bound to the origin, so a phishing site cannot relay it. */
  readonly phishingResistant: boolean;
}

function describeMethod(
  amr: readonly AmrValue[],
  factors: readonly FactorKind[],
  phishingResistant: boolean,
): AuthenticationMethod {
  return Object.freeze({
    amr: Object.freeze([...amr]),
    factors: Object.freeze([...factors]),
    phishingResistant,
  });
}

/**
 * The catalogue of methods the provider can record in a session, and what each one proves.
 *
 * A security key without user verification proves possession only; with user verification (PIN or
 * biometric on the authenticator) it also proves inherence, as does a passkey. Recovery and email codes
 * are single-use codes the user has, hence `otp` and possession.
 *
 * @example
 * ```ts
 * AUTHENTICATION_METHODS.passkey.amr; // ['swk', 'user']
 * AUTHENTICATION_METHODS.passkey.phishingResistant; // true
 * ```
 */
export const AUTHENTICATION_METHODS = Object.freeze({
  password: describeMethod(['pwd'], ['knowledge'], false),
  totp: describeMethod(['otp'], ['possession'], false),
  push: describeMethod(['swk'], ['possession'], false),
  'security-key': describeMethod(['hwk'], ['possession'], true),
  'security-key-verified': describeMethod(['hwk', 'user'], ['possession', 'inherence'], true),
  passkey: describeMethod(['swk', 'user'], ['possession', 'inherence'], true),
  'recovery-code': describeMethod(['otp'], ['possession'], false),
  'email-otp': describeMethod(['otp'], ['possession'], false),
});

/**
 * The name of a method in {@link AUTHENTICATION_METHODS}.
 *
 * @example
 * ```ts
 * const method: MethodName = 'security-key';
 * ```
 */
export type MethodName = keyof typeof AUTHENTICATION_METHODS;

/**
 * Tells whether `v` names a method in {@link AUTHENTICATION_METHODS} (own keys only, so `'toString'` is not
 * a method).
 *
 * @example
 * ```ts
 * isMethodName('totp'); // true
 * isMethodName('sms'); // false
 * ```
 */
export function isMethodName(v: unknown): v is MethodName {
  return typeof v === 'string' && Object.hasOwn(AUTHENTICATION_METHODS, v);
}

/**
 * One method the user proved in a session, and when.
 *
 * @example
 * ```ts
 * const proof: ProvenMethod = { method: 'password', at: 1_700_000_000 };
 * ```
 */
export interface ProvenMethod {
  method: MethodName;
  /** When the method was proven, in seconds since the epoch. */
  at: number;
}
