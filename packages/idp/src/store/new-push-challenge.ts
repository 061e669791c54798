import { randomUUID } from 'node:crypto';
import type { OpenPushChallengeInput, PushChallenge } from './push-challenges.ts';

/**
 * Checks a request to open a push challenge and builds the challenge every store then saves: a new
 * id, `open`, nothing answered yet. Throws a `TypeError` for a number that is not two digits or is
 * missing from the choices, before anything is stored.
 */
export function newPushChallenge(input: OpenPushChallengeInput): PushChallenge {
  if (!Number.isInteger(input.number) || input.number < 10 || input.number > 99) {
    throw new TypeError(`a push number has two digits, got ${input.number}`);
  }
  if (!input.choices.includes(input.number)) throw new TypeError('the choices must include the number');
  return {
    id: randomUUID(),
    userId: input.userId,
    interactionUid: input.interactionUid,
    clientId: input.clientId,
    clientName: input.clientName,
    ip: input.ip,
    number: input.number,
    choices: [...input.choices],
    nonce: input.nonce,
    transaction: input.transaction ?? null,
    status: 'open',
    denialReason: null,
    createdAt: input.now,
    expiresAt: input.expiresAt,
    resolvedAt: null,
    deviceId: null,
    consumedAt: null,
  };
}
