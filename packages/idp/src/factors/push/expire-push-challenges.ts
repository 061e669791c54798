import type { PushChallenge } from '../../store/push-challenges.ts';
import type { PushContext } from './push-context.ts';
import { reportPushResolutions } from './report-push-resolutions.ts';

/** Marks overdue open requests expired — all, one interaction's, or one — and reports each once. */
export async function expirePushChallenges(
  context: PushContext,
  now: number,
  scope?: { interactionUid: string } | { id: string },
): Promise<PushChallenge[]> {
  const expired = await context.store.pushChallenges.expireDue(now, scope);
  await reportPushResolutions(context, expired, 'expired');
  return expired;
}
