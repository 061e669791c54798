import { Secret, TOTP } from 'otpauth';

/** RFC 6238 parameters every authenticator app understands. */
const PERIOD = 30;
const DIGITS = 6;

export function generateTotpSecret(): string {
  return new Secret({ size: 20 }).base32;
}

/** True for a base32 secret of at least 128 bits (RFC 4226 4 asks for 128, recommends 160). */
export function isUsableTotpSecret(base32: string): boolean {
  if (!/^[A-Z2-7]+=*$/.test(base32)) return false;
  try {
    return Secret.fromBase32(base32).bytes.length >= 16;
  } catch {
    return false;
  }
}

export function totpUri(options: { issuer: string; accountName: string; secret: string }): string {
  return new TOTP({
    issuer: options.issuer,
    label: options.accountName,
    secret: Secret.fromBase32(options.secret),
    period: PERIOD,
    digits: DIGITS,
    algorithm: 'SHA1',
  }).toString();
}

export function isTotpCodeFormat(code: string): boolean {
  return new RegExp(`^\\d{${DIGITS}}$`).test(code);
}

/**
 * Returns the time step the code belongs to, or undefined when it matches none within `skewSteps`
 * steps either side of now (`factors.totp.skewSteps`: clocks a little off, RFC 6238 5.2). The caller
 * must still consume that step atomically, so a code is accepted only once.
 */
export function matchTotpStep(
  secret: string,
  code: string,
  nowSeconds: number,
  skewSteps: number,
): number | undefined {
  if (!isTotpCodeFormat(code)) return undefined;
  const delta = TOTP.validate({
    token: code,
    secret: Secret.fromBase32(secret),
    period: PERIOD,
    digits: DIGITS,
    algorithm: 'SHA1',
    timestamp: nowSeconds * 1000,
    window: skewSteps,
  });
  return delta === null ? undefined : Math.floor(nowSeconds / PERIOD) + delta;
}

/** The code for a time, for tests and the CLI's self-check. */
export function totpCodeAt(secret: string, nowSeconds: number): string {
  return TOTP.generate({
    secret: Secret.fromBase32(secret),
    period: PERIOD,
    digits: DIGITS,
    algorithm: 'SHA1',
    timestamp: nowSeconds * 1000,
  });
}
