import type { PushChallenge } from '../../store/push-challenges.ts';
import type { PushContext } from './push-context.ts';
import { reportPushResolutions } from './report-push-resolutions.ts';

/**
 * Withdraws the open requests of a login that ended, and reports each exactly once. From then on
 * devices no longer list them, and an answer gets `login_ended`.
 */
export async function withdrawPushChallenges(
  context: PushContext,
  interactionUid: string,
  now: number,
): Promise<PushChallenge[]> {
  const withdrawn = await context.store.pushChallenges.withdrawOpen(interactionUid, now);
  await reportPushResolutions(context, withdrawn, 'withdrawn');
  return withdrawn;
}
