import type { StepupConfig } from '../config/config-schema.ts';
import type { Store } from '../store/store.ts';
import { ConsecutiveFailures } from './consecutive-failures.ts';
import { type CountedLimit, countOnEveryLimit, windowLimit } from './counted-limit.ts';
import type { ThrottleRefusal } from './throttle-refusal.ts';

/** A password try that the throttle let through; say how it ended. */
export interface PasswordAttempt {
  allowed: true;
  succeeded(): Promise<void>;
  failed(): Promise<void>;
}

/**
 * Throttles password guessing (NIST SP 800-63B 5.2.2), in the shape of Auth0's brute-force and
 * suspicious-IP protections:
 * - per account and client IP: at most `accountIp.limit` failures in `accountIp.windowSeconds`;
 * - per client IP, across accounts ("suspicious IP"): at most `ip.limit` failures in its window;
 * - per account: after `accountFreeFailures` consecutive failures each further try waits, doubling
 *   from five seconds up to `accountMaxDelaySeconds`; after `accountLockFailures` (at most 100) the
 *   account takes passwords only from browsers where it signed in before.
 * A browser that signed in to the account before ("known browser") is held back by none of these:
 * only by its own failures for that account from its address. So other people's failures, behind the
 * same address or anywhere, never lock the owner out. Every try is counted before it is checked, so
 * a burst of parallel tries never gets more than a limit allows; a success takes its count back.
 */
export class PasswordThrottle {
  readonly #store: Pick<Store, 'attempts' | 'failureCounters'>;
  readonly #settings: StepupConfig['throttling'];
  readonly #consecutive: ConsecutiveFailures;

  /** `settings` is the running configuration's object, read at each try. */
  constructor(store: Pick<Store, 'attempts' | 'failureCounters'>, settings: StepupConfig['throttling']) {
    this.#store = store;
    this.#settings = settings;
    this.#consecutive = new ConsecutiveFailures(store.failureCounters, 'password', () => ({
      freeFailures: settings.accountFreeFailures,
      maxDelaySeconds: settings.accountMaxDelaySeconds,
      lockFailures: settings.accountLockFailures,
    }));
  }

  /** Counts a try before the password is checked; refuses it when a limit is reached. */
  async attempt(options: {
    account: string;
    ip: string;
    knownBrowser: boolean;
    now: number;
  }): Promise<PasswordAttempt | ThrottleRefusal> {
    const { account, ip, knownBrowser, now } = options;
    const settings = this.#settings;
    const attempts = this.#store.attempts;
    const accountIp = windowLimit({
      counters: attempts,
      key: `password:account-ip:${knownBrowser ? 'known:' : ''}${account}:${ip}`,
      ...settings.accountIp,
      code: 'account_ip_throttled',
    });
    const windows: CountedLimit[] = knownBrowser
      ? [accountIp]
      : [
          windowLimit({ counters: attempts, key: `password:ip:${ip}`, ...settings.ip, code: 'ip_throttled' }),
          accountIp,
        ];
    // The consecutive count comes last: a try refused by a window never opens a wait.
    const limits = knownBrowser
      ? windows
      : [
          ...windows,
          this.#consecutive.limit(account, { delayed: 'account_delayed', locked: 'account_locked' }),
        ];
    const refusal = await countOnEveryLimit(limits, now);
    if (refusal) return refusal;
    return {
      allowed: true,
      succeeded: async () => {
        await Promise.all(windows.map((window) => window.refund(now)));
        await this.#consecutive.reset(account);
      },
      // A known browser's failure still counts towards the account's consecutive failures.
      failed: async () => {
        if (knownBrowser) await this.#consecutive.countFailure(account, now);
      },
    };
  }

  /** The consecutive failed passwords of an account and whether they locked it. */
  status(account: string, now: number): Promise<{ failures: number; locked: boolean }> {
    return this.#consecutive.status(account, now);
  }

  /** The counters an operator clears to lift the account's lock (`clearSignInLocks`). */
  lockKeys(account: string): string[] {
    return this.#consecutive.keysOf(account);
  }
}
