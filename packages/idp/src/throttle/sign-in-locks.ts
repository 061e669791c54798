import type { StepupConfig } from '../config/config-schema.ts';
import type { NewAuditEvent } from '../store/audit-events.ts';
import type { Store } from '../store/store.ts';
import { CodeThrottle } from './code-throttle.ts';
import { PasswordThrottle } from './password-throttle.ts';

export interface ConsecutiveFailureStatus {
  failures: number;
  locked: boolean;
}

/** The consecutive failures of an account, for passwords and for second-factor codes. */
export interface SignInLocks {
  password: ConsecutiveFailureStatus;
  codes: ConsecutiveFailureStatus;
}

type ThrottleStore = Pick<Store, 'attempts' | 'failureCounters'>;
type ThrottleConfig = Pick<StepupConfig, 'throttling' | 'ttl'>;

/** Where an account stands: what the operator's CLI, management API and dashboard show. */
export async function readSignInLocks(
  store: ThrottleStore,
  config: ThrottleConfig,
  userId: string,
  now: number,
): Promise<SignInLocks> {
  return {
    password: await new PasswordThrottle(store, config.throttling).status(userId, now),
    codes: await new CodeThrottle(store, config).status(userId, now),
  };
}

/**
 * An operator clears an account's consecutive failures, lifting the password lock (for new browsers)
 * and the code lock, e.g. after confirming who is calling; `auditEvent`, when given, is written in the
 * same transaction.
 */
export async function clearSignInLocks(
  store: ThrottleStore,
  config: ThrottleConfig,
  userId: string,
  auditEvent?: NewAuditEvent,
): Promise<void> {
  const keys = [
    ...new PasswordThrottle(store, config.throttling).lockKeys(userId),
    ...new CodeThrottle(store, config).lockKeys(userId),
  ];
  await store.failureCounters.resetAll(keys, auditEvent);
}
