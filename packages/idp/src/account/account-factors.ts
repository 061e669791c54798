import type { Store } from '../store/store.ts';
import type { User } from '../store/users.ts';

/** The kinds of factor a person manages on the account page, as they appear in form values. */
export type ManagedFactorKind = 'totp' | 'push' | 'webauthn';

/** One factor as the account page lists it. */
export interface ManagedFactor {
  kind: ManagedFactorKind;
  id: string;
  name: string;
  /** Epoch seconds. */
  createdAt: number;
  lastUsedAt: number | null;
}

/** Everything the account page shows about a person's second factors. */
export interface AccountFactors {
  factors: ManagedFactor[];
  /** Undefined when the person has no set (never issued one). */
  recoveryCodes: { remaining: number; total: number; issuedAt: number } | undefined;
  /**
   * The address email codes go to, whether it counts as a second factor, and whether an operator
   * switched email codes off (it still counts then: see `emailCountsAsFactor`).
   */
  email: { address: string; countsAsFactor: boolean; switchedOff: boolean } | undefined;
}

/** True when the person has a second factor: a factor listed, or a verified email address. */
export function hasSecondFactor(account: Pick<AccountFactors, 'factors' | 'email'>): boolean {
  return account.factors.length > 0 || Boolean(account.email?.countsAsFactor);
}

/**
 * True when a verified address makes email codes a second factor — also while an operator has email
 * codes switched off: its owner still has a factor, so no password-only enrollment opens for them.
 */
export function emailCountsAsFactor(user: Pick<User, 'email' | 'emailVerified'>): boolean {
  return Boolean(user.email) && user.emailVerified;
}

/** Reads a person's factors: authenticator apps, push devices (not revoked), security keys and passkeys. */
export async function listAccountFactors(
  store: Pick<Store, 'factors' | 'pushDevices' | 'webauthnCredentials' | 'recoveryCodes'>,
  user: User,
  emailEnabled: boolean,
): Promise<AccountFactors> {
  const [totp, devices, credentials, codes] = await Promise.all([
    store.factors.listForUser(user.id),
    store.pushDevices.listForUser(user.id),
    store.webauthnCredentials.listForUser(user.id),
    store.recoveryCodes.summary(user.id),
  ]);
  const factors: ManagedFactor[] = [
    ...totp
      .filter((factor) => factor.type === 'totp')
      .map((factor) => ({ kind: 'totp' as const, ...pick(factor) })),
    ...devices
      .filter((device) => device.revokedAt === null)
      .map((device) => ({ kind: 'push' as const, ...pick(device) })),
    ...credentials.map((credential) => ({ kind: 'webauthn' as const, ...pick(credential) })),
  ];
  return {
    factors,
    recoveryCodes: codes && { remaining: codes.remaining, total: codes.total, issuedAt: codes.issuedAt },
    email: user.email
      ? { address: user.email, countsAsFactor: emailCountsAsFactor(user), switchedOff: !emailEnabled }
      : undefined,
  };
}

/** Reads `<kind>:<id>` from a form; undefined for anything else. */
export function parseFactorReference(value: string): { kind: ManagedFactorKind; id: string } | undefined {
  const match = /^(totp|push|webauthn):(.{1,512})$/s.exec(value);
  if (!match) return undefined;
  return { kind: match[1] as ManagedFactorKind, id: match[2] as string };
}

function pick(factor: { id: string; name: string; createdAt: number; lastUsedAt: number | null }) {
  return { id: factor.id, name: factor.name, createdAt: factor.createdAt, lastUsedAt: factor.lastUsedAt };
}
