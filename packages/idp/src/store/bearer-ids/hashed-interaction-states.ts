import type { InteractionStatesRepository } from '../interaction-states.ts';
import { assertBearerIdKeys, type BearerIdKeys, hashBearerId } from './bearer-id-hash.ts';

/**
 * Interaction states stored under `hashBearerId` of their key. The main key is the interaction id,
 * the value of the interaction cookie, which must not be at rest in clear. Keys work as in
 * `withHashedBearerIds`: the first writes, each is tried in turn on a lookup.
 */
export function withHashedInteractionStateKeys(
  inner: InteractionStatesRepository,
  keys: BearerIdKeys,
): InteractionStatesRepository {
  assertBearerIdKeys(keys);
  const [current, ...retired] = keys as [Buffer, ...Buffer[]];
  return {
    async find<T>(uid: string, now: number): Promise<T | undefined> {
      for (const key of keys) {
        const state = await inner.find<T>(hashBearerId(key, uid), now);
        if (state !== undefined) return state;
      }
      return undefined;
    },
    async save(uid: string, state: unknown, expiresAt: number): Promise<void> {
      await inner.save(hashBearerId(current, uid), state, expiresAt);
      for (const key of retired) await inner.destroy(hashBearerId(key, uid));
    },
    async destroy(uid: string): Promise<void> {
      for (const key of keys) await inner.destroy(hashBearerId(key, uid));
    },
  };
}
