import type { StepupConfig } from '../config/config-schema.ts';
import type { AttemptsRepository } from '../store/attempts.ts';

export type ThrottleDecision =
  | { allowed: true }
  | { allowed: false; scope: 'account' | 'ip'; retryAfter: number };

/** The first wait after the free failures; each further failure doubles it. */
const FIRST_DELAY_SECONDS = 5;

/** Consecutive failures are remembered this long without a success (NIST SP 800-63B 5.2.2). */
const CONSECUTIVE_WINDOW = 30 * 24 * 3600;

/**
 * Throttles password guessing per account and per client IP (NIST SP 800-63B 5.2.2):
 * - per client IP: at most `ip.limit` failures in `ip.windowSeconds`, across accounts;
 * - per account: after `accountFreeFailures` consecutive failures each further try waits, doubling
 *   from five seconds up to `accountMaxDelaySeconds`; after `accountLockFailures` (at most 100) the
 *   account takes passwords only from browsers where it signed in before.
 * Browsers that signed in to the account before ("known browsers") are exempt from the account
 * limits, so an attacker who guesses from elsewhere can delay the victim's sign-in on new browsers
 * but never lock the victim out of their own. Every limit ends by itself except the lock, which a
 * successful sign-in from a known browser (or the operator) lifts.
 */
export class PasswordThrottle {
  readonly #attempts: AttemptsRepository;
  readonly #settings: StepupConfig['throttling'];

  constructor(attempts: AttemptsRepository, settings: StepupConfig['throttling']) {
    this.#attempts = attempts;
    this.#settings = settings;
  }

  async check(options: {
    account: string;
    ip: string;
    knownBrowser: boolean;
    now: number;
  }): Promise<ThrottleDecision> {
    const { now } = options;
    const ip = await this.#attempts.peek(ipKey(options.ip), now);
    if (ip && ip.count >= this.#settings.ip.limit)
      return { allowed: false, scope: 'ip', retryAfter: ip.resetAt - now };
    if (options.knownBrowser) return { allowed: true };

    const consecutive = await this.#attempts.peek(consecutiveKey(options.account), now);
    if (consecutive && consecutive.count >= this.#settings.accountLockFailures) {
      return { allowed: false, scope: 'account', retryAfter: this.#settings.accountMaxDelaySeconds };
    }
    const wait = await this.#attempts.peek(waitKey(options.account), now);
    if (wait && wait.resetAt > now)
      return { allowed: false, scope: 'account', retryAfter: wait.resetAt - now };
    return { allowed: true };
  }

  async recordFailure(options: { account: string; ip: string; now: number }): Promise<void> {
    const { now } = options;
    await this.#attempts.increment(ipKey(options.ip), this.#settings.ip.windowSeconds, now);
    const { count } = await this.#attempts.increment(
      consecutiveKey(options.account),
      CONSECUTIVE_WINDOW,
      now,
    );
    const beyond = count - this.#settings.accountFreeFailures;
    if (beyond >= 0) {
      const delay = Math.min(
        FIRST_DELAY_SECONDS * 2 ** Math.min(beyond, 30),
        this.#settings.accountMaxDelaySeconds,
      );
      await this.#attempts.increment(waitKey(options.account), delay, now);
    }
  }

  async recordSuccess(account: string): Promise<void> {
    await this.#attempts.reset(consecutiveKey(account));
    await this.#attempts.reset(waitKey(account));
  }
}

function ipKey(ip: string): string {
  return `password:ip:${ip}`;
}

function consecutiveKey(account: string): string {
  return `password:account:${account}`;
}

function waitKey(account: string): string {
  return `password:wait:${account}`;
}
