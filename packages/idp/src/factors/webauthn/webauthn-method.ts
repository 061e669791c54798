import type { MethodName } from '@stepup/core';
import type { WebAuthnCredential } from '../../store/webauthn-credentials.ts';

/** The methods of `@stepup/core` a WebAuthn assertion can prove. */
export type WebAuthnMethod = Extract<MethodName, 'security-key' | 'security-key-verified' | 'passkey'>;

/**
 * A passkey, as opposed to a security key: a key that may be synced (backup eligible, so
 * `multiDevice`), or one held by the platform (the phone or computer itself). From the provider's side
 * such a key is software-protected (`swk`); only a device-bound key on a roaming authenticator counts
 * as hardware (`hwk`).
 */
export function isPasskey(credential: Pick<WebAuthnCredential, 'deviceType' | 'attachment'>): boolean {
  return credential.deviceType === 'multiDevice' || credential.attachment === 'platform';
}

/**
 * What one assertion (or registration) proves, as a method of `@stepup/core`:
 *
 * | credential   | user verified | method                  | amr            | factor kinds          |
 * |--------------|---------------|-------------------------|----------------|-----------------------|
 * | security key | no            | `security-key`          | `hwk`          | possession            |
 * | security key | yes           | `security-key-verified` | `hwk`, `user`  | possession, inherence |
 * | passkey      | yes           | `passkey`               | `swk`, `user`  | possession, inherence |
 * | passkey      | no            | undefined: refused      |                |                       |
 *
 * All three are phishing resistant (origin-bound). "User verified" is the authenticator's UV flag: a
 * PIN or biometric checked by the authenticator (counted as inherence, as `@stepup/core` does). A
 * passkey without user verification is refused rather than recorded as less: it would be a synced
 * software key, and no method claims that without overstating (`hwk`) or understating it.
 */
export function methodForAssertion(
  credential: Pick<WebAuthnCredential, 'deviceType' | 'attachment'>,
  userVerified: boolean,
): WebAuthnMethod | undefined {
  if (isPasskey(credential)) return userVerified ? 'passkey' : undefined;
  return userVerified ? 'security-key-verified' : 'security-key';
}

/**
 * The method WebAuthn stands for among the second factors (in `SECOND_FACTOR_METHODS`, "try another
 * way" and `chosenMethod`): the least an assertion proves, so a level it reaches is reached by any
 * WebAuthn credential. The proof recorded is what the assertion actually proved (`methodForAssertion`).
 */
export const WEBAUTHN_METHOD = 'security-key' satisfies WebAuthnMethod;
