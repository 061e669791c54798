import type { StepupConfig } from '../../config/config-schema.ts';
import type { AttemptsRepository } from '../../store/attempts.ts';

/** Wrong numbers one request tolerates: with three choices a second try would reveal the number. */
export const WRONG_NUMBERS_PER_CHALLENGE = 1;

/**
 * Push fatigue protection over the shared attempt counters: a cap on requests per account and
 * window, and a pause after repeated denials. (One open request per login is the store's rule.)
 */
export class PushFatigueGuard {
  readonly #attempts: AttemptsRepository;
  readonly #settings: StepupConfig['push'];

  constructor(attempts: AttemptsRepository, settings: StepupConfig['push']) {
    this.#attempts = attempts;
    this.#settings = settings;
  }

  /** Seconds until push works again for the account, or undefined when it is not paused. */
  async pausedFor(userId: string, now: number): Promise<number | undefined> {
    const window = await this.#attempts.peek(`push:denied:${userId}`, now);
    if (!window || window.count < this.#settings.denials.limit) return undefined;
    return window.resetAt - now;
  }

  /** Counts one request against the account's cap; undefined when it may be sent, else seconds to wait. */
  async takeSend(userId: string, now: number): Promise<number | undefined> {
    const { limit, windowSeconds } = this.#settings.sends;
    const window = await this.#attempts.increment(`push:sent:${userId}`, windowSeconds, now);
    return window.count <= limit ? undefined : window.resetAt - now;
  }

  async recordDenial(userId: string, now: number): Promise<void> {
    await this.#attempts.increment(`push:denied:${userId}`, this.#settings.denials.windowSeconds, now);
  }

  /** Counts a wrong number for one request; true once it has had more than it tolerates. */
  async wrongNumberExhausts(challengeId: string, now: number): Promise<boolean> {
    const window = await this.#attempts.increment(
      `push:wrong-number:${challengeId}`,
      this.#settings.challengeTtlSeconds,
      now,
    );
    return window.count > WRONG_NUMBERS_PER_CHALLENGE;
  }
}
