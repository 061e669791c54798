import type { StepupConfig } from '../config/config-schema.ts';
import type { AttemptsRepository } from '../store/attempts.ts';
import type { ThrottleRefusal } from './throttle-refusal.ts';

/**
 * Throttles client secrets per client id, on every node (the counters live in the store: Redis or
 * the database): at most `throttling.clientSecret.limit` wrong secrets get an answer in a window;
 * after that every try, right or wrong, is refused until the window ends, so a right guess cannot be
 * told from a wrong one.
 *
 * Unlike the login throttles, the secret is compared before the count (a SHA-256 or a constant-time
 * comparison in memory) and only wrong secrets are counted: a busy application redeeming many codes at
 * once is never held back by its own right secrets, which counting every try and taking the right ones
 * back would do while they are in flight. The limit on guessing still holds exactly: a wrong secret is
 * answered only once it is counted, atomically, within the limit, and a right one only while fewer
 * than the limit were counted before it. Once the limit is reached both kinds read and count the
 * window, so they take the same time. Whoever floods a client id with wrong secrets holds that client
 * back until the window ends: 256-bit secrets cannot be guessed anyway, so the limit is there for the
 * weak secrets of old registrations, and may be raised.
 */
export class ClientSecretThrottle {
  readonly #attempts: AttemptsRepository;
  readonly #config: Pick<StepupConfig, 'throttling'>;

  /** `config` is the running configuration, read at each try. */
  constructor(attempts: AttemptsRepository, config: Pick<StepupConfig, 'throttling'>) {
    this.#attempts = attempts;
    this.#config = config;
  }

  /** Undefined: answer as the comparison says. A refusal: answer 429, whatever the secret was. */
  async answer(clientId: string, secretMatches: boolean, now: number): Promise<ThrottleRefusal | undefined> {
    const { limit, windowSeconds } = this.#config.throttling.clientSecret;
    const key = `client-secret:${clientId}`;
    const before = await this.#attempts.peek(key, now);
    const exhausted = before !== undefined && before.count >= limit;
    if (secretMatches && !exhausted) return undefined;
    const window = await this.#attempts.increment(key, windowSeconds, now);
    if (secretMatches || window.count > limit) {
      return { allowed: false, code: 'client_secret_throttled', retryAfter: window.resetAt - now };
    }
    return undefined;
  }
}
