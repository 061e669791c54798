import type { Store } from '../store/store.ts';
import type { User } from '../store/users.ts';
import { emailCountsAsFactor, listAccountFactors, type ManagedFactorKind } from './account-factors.ts';

type FactorStore = Pick<Store, 'factors' | 'pushDevices' | 'webauthnCredentials' | 'recoveryCodes'>;

export interface FactorReference {
  kind: ManagedFactorKind;
  id: string;
}

/** A name a person may give a factor: 1 to 64 characters after trimming, no control characters. */
export function readFactorName(value: string): string | undefined {
  const name = value.trim();
  // biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point
  if (name.length === 0 || name.length > 64 || /[\u0000-\u001f\u007f]/.test(name)) return undefined;
  return name;
}

/** True when the factor exists, belongs to this person and is in use (a revoked device is gone). */
async function isOwnFactor(store: FactorStore, userId: string, factor: FactorReference): Promise<boolean> {
  switch (factor.kind) {
    case 'totp':
      return (await store.factors.findById(factor.id))?.userId === userId;
    case 'push': {
      const device = await store.pushDevices.findById(factor.id);
      return device?.userId === userId && device.revokedAt === null;
    }
    case 'webauthn':
      return (await store.webauthnCredentials.findById(factor.id))?.userId === userId;
  }
}

/**
 * Renames one of the person's own factors. Another person's factor, or one that does not exist, is
 * `not_found` and nothing changes (the answer does not tell the two apart).
 */
export async function renameFactor(
  store: FactorStore,
  userId: string,
  factor: FactorReference,
  name: string,
): Promise<'renamed' | 'not_found'> {
  if (!(await isOwnFactor(store, userId, factor))) return 'not_found';
  const renamed =
    factor.kind === 'totp'
      ? await store.factors.rename(factor.id, name)
      : factor.kind === 'push'
        ? await store.pushDevices.rename(factor.id, name)
        : await store.webauthnCredentials.rename(factor.id, name);
  return renamed ? 'renamed' : 'not_found';
}

/**
 * Removes one of the person's own factors (a push device is revoked). The last second factor is
 * refused: without one, the next sign-in that needs a second factor would let whoever holds the
 * password enrol their own (trust on first use), and recovery codes would guard nothing. A verified
 * email address counts as a second factor; recovery codes do not.
 */
export async function removeFactor(
  store: FactorStore,
  user: User,
  factor: FactorReference,
  options: { emailEnabled: boolean; now: number },
): Promise<'removed' | 'not_found' | 'last_factor'> {
  if (!(await isOwnFactor(store, user.id, factor))) return 'not_found';
  const { factors } = await listAccountFactors(store, user, options.emailEnabled);
  const others = factors.filter((other) => !(other.kind === factor.kind && other.id === factor.id));
  if (others.length === 0 && !emailCountsAsFactor(user)) return 'last_factor';
  const removed =
    factor.kind === 'totp'
      ? await store.factors.remove(factor.id)
      : factor.kind === 'push'
        ? await store.pushDevices.revoke(factor.id, options.now)
        : await store.webauthnCredentials.remove(factor.id);
  return removed ? 'removed' : 'not_found';
}
