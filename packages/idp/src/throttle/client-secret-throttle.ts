import type { StepupConfig } from '../config/config-schema.ts';
import type { AttemptsRepository } from '../store/attempts.ts';
import { countOnEveryLimit, windowLimit } from './counted-limit.ts';
import type { ThrottleRefusal } from './throttle-refusal.ts';

/** A client authentication the throttle let through, to report once its secret was checked. */
export interface ClientSecretAttempt {
  allowed: true;
  /** The secret was right: it does not count against the client's window. */
  succeeded(): Promise<void>;
}

/**
 * Throttles client secrets per client id, on every node (the counters live in the store: Redis or
 * the database): at most `throttling.clientSecret.limit` wrong secrets in a window. Every try is
 * counted before the secret is checked, so no burst of parallel guesses gets more answers than the
 * limit; a right secret is taken back. The price is that someone who floods a client id with wrong
 * secrets also holds that client back until the window ends: secrets of 256 random bits cannot be
 * guessed anyway, so the limit is there for the weak secrets of old registrations, and may be raised.
 */
export class ClientSecretThrottle {
  readonly #attempts: AttemptsRepository;
  readonly #config: Pick<StepupConfig, 'throttling'>;

  /** `config` is the running configuration, read at each try. */
  constructor(attempts: AttemptsRepository, config: Pick<StepupConfig, 'throttling'>) {
    this.#attempts = attempts;
    this.#config = config;
  }

  async attempt(clientId: string, now: number): Promise<ClientSecretAttempt | ThrottleRefusal> {
    const { limit, windowSeconds } = this.#config.throttling.clientSecret;
    const window = windowLimit({
      counters: this.#attempts,
      key: `client-secret:${clientId}`,
      limit,
      windowSeconds,
      code: 'client_secret_throttled',
    });
    const refusal = await countOnEveryLimit([window], now);
    if (refusal) return refusal;
    return { allowed: true, succeeded: () => window.refund(now) };
  }
}
