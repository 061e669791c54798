import type { PasswordResetTokensRepository } from '../password-reset-tokens.ts';
import { assertBearerIdKeys, type BearerIdKeys, hashBearerId } from './bearer-id-hash.ts';

/**
 * Password reset tokens stored under their keyed hash (ARCHITECTURE.md, Storage): a copy of the
 * database holds no link anyone can follow. Links live minutes and are asked for again with a form,
 * so only the current key is used: a key rotation voids the few in flight.
 */
export function withHashedPasswordResetTokens(
  inner: PasswordResetTokensRepository,
  keys: BearerIdKeys,
): PasswordResetTokensRepository {
  assertBearerIdKeys(keys);
  const hash = (token: string) => hashBearerId(keys[0] as Buffer, token);
  return {
    issue: (input) => inner.issue({ ...input, tokenHash: hash(input.tokenHash) }),
    find: (token, now) => inner.find(hash(token), now),
    consume: (token, now) => inner.consume(hash(token), now),
  };
}
