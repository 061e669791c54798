import type { OidcAdapter, OidcAdapterFactory, OidcAdapterPayload } from '../store/oidc-adapter.ts';

export interface RefreshTokenRetryRule {
  /** `refreshTokenReuseIntervalSeconds`; 0 makes every refresh token strictly single-use. */
  reuseIntervalSeconds: number;
  /** Epoch seconds; the provider's clock. */
  clock: () => number;
}

/**
 * Lets a refresh token be presented again within the reuse interval of its first use, so a client
 * whose refresh response was lost can retry. oidc-provider revokes the grant as soon as it finds a
 * refresh token consumed; within the interval this adapter shows it unconsumed, so the retry takes
 * the ordinary path (the refresh-time Actions, a new refresh token copying `acr`, `amr` and
 * `auth_time`), and the store's `consumeAllowingRetry` then decides atomically, across nodes, from the
 * time of the first use. After the interval oidc-provider sees the token consumed and revokes the
 * grant with every token issued under it, the retries' ones included. Other models are untouched:
 * authorization codes stay strictly single-use.
 */
export function allowRefreshTokenRetries(
  adapter: OidcAdapterFactory,
  rule: RefreshTokenRetryRule,
): OidcAdapterFactory {
  const withinInterval = (consumed: number) => rule.clock() < consumed + rule.reuseIntervalSeconds;

  return class RefreshTokenRetryAdapter implements OidcAdapter {
    readonly #adapter: OidcAdapter;
    readonly #refreshTokens: boolean;

    constructor(name: string) {
      this.#adapter = new adapter(name);
      this.#refreshTokens = name === 'RefreshToken';
    }

    upsert(id: string, payload: OidcAdapterPayload, expiresIn?: number): Promise<void> {
      return this.#adapter.upsert(id, payload, expiresIn);
    }

    async find(id: string): Promise<OidcAdapterPayload | undefined> {
      const payload = await this.#adapter.find(id);
      if (!this.#refreshTokens || payload?.consumed === undefined || !withinInterval(payload.consumed)) {
        return payload;
      }
      const { consumed: _retried, ...unconsumed } = payload;
      return unconsumed;
    }

    findByUid(uid: string): Promise<OidcAdapterPayload | undefined> {
      return this.#adapter.findByUid(uid);
    }

    findByUserCode(userCode: string): Promise<OidcAdapterPayload | undefined> {
      return this.#adapter.findByUserCode(userCode);
    }

    consume(id: string): Promise<void> {
      if (!this.#refreshTokens) return this.#adapter.consume(id);
      return this.#adapter.consumeAllowingRetry(id, {
        now: rule.clock(),
        reuseIntervalSeconds: rule.reuseIntervalSeconds,
      });
    }

    consumeAllowingRetry(id: string, retry: { now: number; reuseIntervalSeconds: number }): Promise<void> {
      return this.#adapter.consumeAllowingRetry(id, retry);
    }

    destroy(id: string): Promise<void> {
      return this.#adapter.destroy(id);
    }

    revokeByGrantId(grantId: string): Promise<void> {
      return this.#adapter.revokeByGrantId(grantId);
    }
  };
}
