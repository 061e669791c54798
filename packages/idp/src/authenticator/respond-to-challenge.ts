import { pushResponsePath } from '../factors/push/push-protocol.ts';
import { type DeviceCredentials, type DeviceRequestOptions, signPushResponse } from './device-key.ts';
import { DeviceRequestError } from './device-request-error.ts';
import { listPendingChallenges } from './list-pending-challenges.ts';

export type DeviceAnswer = { decision: 'approve'; number: number } | { decision: 'deny' };

/**
 * Answers a request: approve with the number the login page shows, or deny. Without `nonce` it is
 * read from the pending requests first. Resolves with the request's new status; a refusal throws a
 * `DeviceRequestError` whose `code` says why (`wrong_number`, `challenge_expired`, …).
 */
export async function respondToChallenge(
  device: DeviceCredentials,
  challengeId: string,
  answer: DeviceAnswer,
  options: DeviceRequestOptions & { nonce?: string; transactionDetails?: unknown[] } = {},
): Promise<{ id: string; status: 'approved' | 'denied' }> {
  let { nonce, transactionDetails } = options;
  if (nonce === undefined) {
    const pending = (await listPendingChallenges(device, options)).find(
      (challenge) => challenge.id === challengeId,
    );
    if (pending === undefined) {
      throw new DeviceRequestError('unknown_challenge', 404, 'no such request is waiting for this device');
    }
    nonce = pending.nonce;
    transactionDetails = pending.transaction?.details;
  }
  const body = await signPushResponse(device, {
    challengeId,
    decision: answer.decision,
    number: answer.decision === 'approve' ? answer.number : null,
    nonce,
    ...(transactionDetails ? { transactionDetails } : {}),
  });
  const response = await (options.fetch ?? fetch)(`${device.issuer}${pushResponsePath(challengeId)}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!response.ok) throw await DeviceRequestError.from(response);
  return (await response.json()) as { id: string; status: 'approved' | 'denied' };
}
