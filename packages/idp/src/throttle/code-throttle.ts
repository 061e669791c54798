import type { StepupConfig } from '../config/config-schema.ts';
import type { Store } from '../store/store.ts';
import { ConsecutiveFailures } from './consecutive-failures.ts';
import { countOnEveryLimit, windowLimit } from './counted-limit.ts';
import type { ThrottleRefusal } from './throttle-refusal.ts';

/** A code try that the throttle let through: how many the login has left if it is wrong. */
export interface CodeAttempt {
  allowed: true;
  /** Tries this login has after this one; 0 when this was its last. */
  triesLeft: number;
  /** The code was right: it does not count against the account's window. */
  succeeded(): Promise<void>;
}

/**
 * Throttles second-factor codes (TOTP, recovery codes, email codes) together:
 * - per account: at most `secondFactor.limit` wrong codes in `secondFactor.windowSeconds`;
 * - per login: at most `codeTriesPerLogin` tries, then the step-up ends as unmet;
 * - per account, in the durable store (NIST SP 800-63B 5.2.2): after `secondFactor.freeFailures`
 *   wrong codes in a row each further try waits, doubling from five seconds up to
 *   `secondFactor.maxDelaySeconds`; after `secondFactor.lockFailures` (at most 100) codes are
 *   refused until a second factor succeeds — push and security keys still work — or an operator
 *   clears the lock.
 * Every try is counted before the code is checked, so a burst of parallel tries never gets more than
 * a limit allows.
 */
export class CodeThrottle {
  readonly #store: Pick<Store, 'attempts' | 'failureCounters'>;
  readonly #config: Pick<StepupConfig, 'throttling' | 'ttl'>;
  readonly #consecutive: ConsecutiveFailures;

  /** `config` is the running configuration, read at each try. */
  constructor(
    store: Pick<Store, 'attempts' | 'failureCounters'>,
    config: Pick<StepupConfig, 'throttling' | 'ttl'>,
  ) {
    this.#store = store;
    this.#config = config;
    this.#consecutive = new ConsecutiveFailures(
      store.failureCounters,
      'code',
      () => config.throttling.secondFactor,
    );
  }

  /** Counts a try before the code is checked; refuses it when a limit is reached. */
  async attempt(options: {
    accountId: string;
    interactionUid: string;
    now: number;
  }): Promise<CodeAttempt | ThrottleRefusal> {
    const { accountId, interactionUid, now } = options;
    const { throttling, ttl } = this.#config;
    const account = windowLimit({
      counters: this.#store.attempts,
      key: `code:account:${accountId}`,
      limit: throttling.secondFactor.limit,
      windowSeconds: throttling.secondFactor.windowSeconds,
      code: 'codes_throttled',
    });
    const login = windowLimit({
      counters: this.#store.attempts,
      key: `code:interaction:${interactionUid}`,
      limit: throttling.codeTriesPerLogin,
      windowSeconds: ttl.interaction,
      code: 'login_tries_exhausted',
    });
    const consecutive = this.#consecutive.limit(accountId, {
      delayed: 'codes_delayed',
      locked: 'codes_locked',
    });
    const refusal = await countOnEveryLimit([account, login, consecutive], now);
    if (refusal) return refusal;
    return {
      allowed: true,
      triesLeft: Math.max(0, throttling.codeTriesPerLogin - login.counted),
      succeeded: () => account.refund(now),
    };
  }

  /** A second factor succeeded (any kind): the consecutive wrong codes start again from zero. */
  secondFactorSucceeded(accountId: string): Promise<void> {
    return this.#consecutive.reset(accountId);
  }

  /** The consecutive wrong codes of an account and whether they locked it. */
  status(accountId: string, now: number): Promise<{ failures: number; locked: boolean }> {
    return this.#consecutive.status(accountId, now);
  }

  /** The counters an operator clears to lift the account's code lock (`clearSignInLocks`). */
  lockKeys(accountId: string): string[] {
    return this.#consecutive.keysOf(accountId);
  }
}
