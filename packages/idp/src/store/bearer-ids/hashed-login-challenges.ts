import type { EmailCodesRepository } from '../email-codes.ts';
import type { WebAuthnChallengesRepository } from '../webauthn-challenges.ts';
import { assertBearerIdKeys, type BearerIdKeys, hashBearerId } from './bearer-id-hash.ts';

// The challenges of a login's second factor name the login by its interaction id, the value of the
// interaction cookie; they are stored under its hash. They live minutes and are asked for again
// with a click, so only the current key is used: a key rotation, or the upgrade from a release that
// stored them in clear, voids the few in flight (and those stored in clear are swept at expiry).

/** WebAuthn challenges stored under the hashed interaction id. */
export function withHashedWebAuthnChallenges(
  inner: WebAuthnChallengesRepository,
  keys: BearerIdKeys,
): WebAuthnChallengesRepository {
  assertBearerIdKeys(keys);
  const hash = (interactionUid: string) => hashBearerId(keys[0] as Buffer, interactionUid);
  return {
    issue: (challenge, now) =>
      inner.issue({ ...challenge, interactionUid: hash(challenge.interactionUid) }, now),
    async consume(interactionUid, ceremony, now) {
      const challenge = await inner.consume(hash(interactionUid), ceremony, now);
      return challenge && { ...challenge, interactionUid };
    },
  };
}

/** Email codes stored under the hashed interaction id they were sent for. */
export function withHashedEmailCodes(inner: EmailCodesRepository, keys: BearerIdKeys): EmailCodesRepository {
  assertBearerIdKeys(keys);
  const hash = (challengeId: string) => hashBearerId(keys[0] as Buffer, challengeId);
  return {
    save: (input) => inner.save({ ...input, challengeId: hash(input.challengeId) }),
    consume: (input) => inner.consume({ ...input, challengeId: hash(input.challengeId) }),
  };
}
