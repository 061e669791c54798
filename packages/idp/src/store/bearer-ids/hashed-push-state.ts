import type { PushChallengesRepository } from '../push-challenges.ts';
import type { PushEnrollmentTokensRepository } from '../push-enrollment-tokens.ts';
import { assertBearerIdKeys, type BearerIdKeys, hashBearerId, isHashedBearerId } from './bearer-id-hash.ts';

// Push challenges and enrollment tokens name the login that asked by its interaction id, the value
// of the interaction cookie; they store its hash, under the current key only (they live minutes, as
// the login does). The interaction id is used for one thing after that: the topic that wakes the
// login page. Records read back carry the stored hash, so every interaction topic goes through
// `withHashedInteractionTopics` (factors/push), which names it by the hash whichever form it is given.

/** The hash of an interaction id under the current key; an id already hashed stays as it is. */
export function interactionIdHasher(keys: BearerIdKeys): (interactionUid: string) => string {
  assertBearerIdKeys(keys);
  const current = keys[0] as Buffer;
  return (interactionUid) =>
    isHashedBearerId(interactionUid) ? interactionUid : hashBearerId(current, interactionUid);
}

/** Push challenges stored under the hashed interaction id; challenges read back carry the hash. */
export function withHashedPushChallenges(
  inner: PushChallengesRepository,
  keys: BearerIdKeys,
): PushChallengesRepository {
  const hash = interactionIdHasher(keys);
  return {
    open: (input) => inner.open({ ...input, interactionUid: hash(input.interactionUid) }),
    findById: (id) => inner.findById(id),
    latestForInteraction: (interactionUid) => inner.latestForInteraction(hash(interactionUid)),
    listPendingForUser: (userId, now) => inner.listPendingForUser(userId, now),
    resolve: (input) => inner.resolve(input),
    expireDue: (now, scope) =>
      inner.expireDue(
        now,
        scope !== undefined && 'interactionUid' in scope
          ? { interactionUid: hash(scope.interactionUid) }
          : scope,
      ),
    withdrawOpen: (interactionUid, now) => inner.withdrawOpen(hash(interactionUid), now),
    consumeApproval: (id, now) => inner.consumeApproval(id, now),
  };
}

/** Push enrollment tokens whose grant names the login by its hashed interaction id. */
export function withHashedPushEnrollmentTokens(
  inner: PushEnrollmentTokensRepository,
  keys: BearerIdKeys,
): PushEnrollmentTokensRepository {
  const hash = interactionIdHasher(keys);
  return {
    issue: (input) =>
      inner.issue({
        ...input,
        interactionUid: input.interactionUid === null ? null : hash(input.interactionUid),
      }),
    consume: (tokenHash, now) => inner.consume(tokenHash, now),
  };
}
