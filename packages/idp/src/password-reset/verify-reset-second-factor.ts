import type { RecoveryCodes } from '../factors/recovery-codes/recovery-codes.ts';
import type { TotpFactor } from '../factors/totp/totp-factor.ts';

/** Six digits are an authenticator app's code; anything else is taken for a recovery code. */
const TOTP_CODE = /^\d{6}$/;

/**
 * Checks the code a reset asks for: a code of one of the person's authenticator apps, or one of their
 * recovery codes (which also stand in for push and security keys). Each works once. (A person with
 * neither proves push or a security key instead: `reset-push.ts`, and the WebAuthn assertion.)
 */
export async function verifyResetSecondFactor(
  deps: { totp: TotpFactor; recoveryCodes: RecoveryCodes; skewSteps: number },
  userId: string,
  typed: string,
  now: number,
): Promise<boolean> {
  const code = typed.replace(/\s+/g, '');
  if (TOTP_CODE.test(code)) return (await deps.totp.verify(userId, code, now, deps.skewSteps)) === 'accepted';
  return (await deps.recoveryCodes.use(userId, typed, now)).accepted;
}
