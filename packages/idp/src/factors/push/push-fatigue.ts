import type { StepupConfig } from '../../config/config-schema.ts';
import type { AttemptsRepository } from '../../store/attempts.ts';

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

  /** Counts a denied request toward the pause: refused on a device, or the wrong number picked. */
  async recordDenial(userId: string, now: number): Promise<void> {
    await this.#attempts.increment(`push:denied:${userId}`, this.#settings.denials.windowSeconds, now);
  }
}
