import type { StepupConfig } from '../../config/config-schema.ts';
import type { AuthEventLogger } from '../../log/auth-events.ts';
import type { Store } from '../../store/store.ts';
import { PushFatigueGuard } from './push-fatigue.ts';
import type { PushNotifier } from './push-notifier.ts';
import type { RandomInt } from './push-numbers.ts';

/** What every push operation works with. */
export interface PushContext {
  store: Pick<Store, 'pushDevices' | 'pushChallenges' | 'pushEnrollmentTokens' | 'attempts' | 'users'>;
  settings: StepupConfig['push'];
  issuer: string;
  notifier: PushNotifier;
  fatigue: PushFatigueGuard;
  logAuthEvent: AuthEventLogger;
  /** Present when a test needs predictable numbers. */
  randomInt?: RandomInt;
}

export function createPushContext(deps: {
  store: PushContext['store'];
  config: StepupConfig;
  notifier: PushNotifier;
  logAuthEvent: AuthEventLogger;
  randomInt?: RandomInt;
}): PushContext {
  return {
    store: deps.store,
    settings: deps.config.push,
    issuer: deps.config.issuer,
    notifier: deps.notifier,
    fatigue: new PushFatigueGuard(deps.store.attempts, deps.config.push),
    logAuthEvent: deps.logAuthEvent,
    ...(deps.randomInt ? { randomInt: deps.randomInt } : {}),
  };
}

/** The devices that can answer for a user: enrolled and not revoked. */
export async function activePushDevices(context: PushContext, userId: string) {
  return (await context.store.pushDevices.listForUser(userId)).filter((device) => device.revokedAt === null);
}
