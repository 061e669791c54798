import type { AttemptsRepository } from '../store/attempts.ts';
import type { CountedLimit } from './counted-limit.ts';
import type { ThrottleCode } from './throttle-refusal.ts';

/** The first wait after the free failures; each further failure doubles it. */
const FIRST_DELAY_SECONDS = 5;

/** Consecutive failures are remembered this long without a success (NIST SP 800-63B 5.2.2). */
const REMEMBERED_SECONDS = 30 * 24 * 3600;

export interface ConsecutiveFailureSettings {
  /** Failures in a row that wait for nothing. */
  freeFailures: number;
  /** The longest wait between two tries. */
  maxDelaySeconds: number;
  /** Failures in a row after which every try is refused until a success or an operator resets. */
  lockFailures: number;
}

/**
 * Consecutive failures of one kind (passwords, second-factor codes) per account, kept in the durable
 * store (`failureCounters`), NIST SP 800-63B 5.2.2: after `freeFailures` each try waits, doubling from
 * five seconds up to `maxDelaySeconds`; after `lockFailures` (at most 100) the account is locked for
 * this kind until a success resets the count or an operator clears it.
 *
 * The try is counted before it is checked. The wait is a window that the try opening it claims: the
 * `freeFailures`-th try and each later one may run only when no wait is running, and then opens the
 * next wait, so a burst of parallel tries gets exactly one beyond the free ones, and never more tries
 * than `lockFailures`. (While more than `lockFailures` tries are in flight at once, those counted
 * beyond it are refused as locked before the others are taken back; none of them is checked.)
 */
export class ConsecutiveFailures {
  readonly #counters: AttemptsRepository;
  readonly #kind: 'password' | 'code';
  readonly #settings: () => ConsecutiveFailureSettings;

  /** `settings` is read at each try, so changed settings apply to the next one. */
  constructor(
    counters: AttemptsRepository,
    kind: 'password' | 'code',
    settings: () => ConsecutiveFailureSettings,
  ) {
    this.#counters = counters;
    this.#kind = kind;
    this.#settings = settings;
  }

  /** Counts a try by `account` before it is checked; refuses it while waiting or locked. */
  limit(account: string, codes: { delayed: ThrottleCode; locked: ThrottleCode }): CountedLimit {
    const counters = this.#counters;
    const failures = this.#failuresKey(account);
    const wait = this.#waitKey(account);
    return {
      count: async (now) => {
        const settings = this.#settings();
        const { count } = await counters.increment(failures, REMEMBERED_SECONDS, now);
        if (count > settings.lockFailures) return { allowed: false, code: codes.locked };
        if (count < settings.freeFailures) return undefined;
        const beyond = count - settings.freeFailures;
        const delay = Math.min(FIRST_DELAY_SECONDS * 2 ** Math.min(beyond, 30), settings.maxDelaySeconds);
        const slot = await counters.increment(wait, delay, now);
        return slot.count > 1
          ? { allowed: false, code: codes.delayed, retryAfter: slot.resetAt - now }
          : undefined;
      },
      refund: (now) => counters.refund(failures, now),
    };
  }

  /** Counts a failure that no limit held back (a browser the account signed in from before). */
  async countFailure(account: string, now: number): Promise<void> {
    await this.#counters.increment(this.#failuresKey(account), REMEMBERED_SECONDS, now);
  }

  /** The failures in a row and whether they locked the account. */
  async status(account: string, now: number): Promise<{ failures: number; locked: boolean }> {
    const failures = (await this.#counters.peek(this.#failuresKey(account), now))?.count ?? 0;
    return { failures, locked: failures >= this.#settings().lockFailures };
  }

  /** After a success, or when an operator clears the lock: the count starts again from zero. */
  async reset(account: string): Promise<void> {
    for (const key of this.keysOf(account)) await this.#counters.reset(key);
  }

  /** The counters that hold `account`'s failures and its running wait. */
  keysOf(account: string): string[] {
    return [this.#failuresKey(account), this.#waitKey(account)];
  }

  #failuresKey(account: string): string {
    return `${this.#kind}:account:${account}`;
  }

  #waitKey(account: string): string {
    return `${this.#kind}:wait:${account}`;
  }
}
