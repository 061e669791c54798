import type { OidcAdapter, OidcAdapterFactory, OidcAdapterPayload } from '../oidc-adapter.ts';
import { assertBearerIdKeys, type BearerIdKeys, hashBearerId } from './bearer-id-hash.ts';
import { isBearerIdModel, restoreBearerPayload, stripBearerPayload } from './bearer-payload.ts';

/**
 * Wraps a store's oidc-provider adapter so that bearer secrets are never stored in clear: every
 * model but `Client` and `Grant` is stored under `hashBearerId` of its id, without the copies of
 * the id its payload carries (see `stripBearerPayload`). oidc-provider passes the plain id on every
 * call, so lookups hash it and put the copies back.
 *
 * With one key, each call is the inner call and nothing more. Retired keys cost extra calls only
 * where a row may still sit under one: a lookup that misses under the current key, a write (which
 * moves the row to the current key) and a destroy.
 *
 * `findByUid` and `findByUserCode` return the payload without its `jti`, which is not stored;
 * oidc-provider only reads those Sessions (account and grants), never saves them back.
 */
export function withHashedBearerIds(inner: OidcAdapterFactory, keys: BearerIdKeys): OidcAdapterFactory {
  assertBearerIdKeys(keys);
  const [current, ...retired] = keys as [Buffer, ...Buffer[]];

  return class HashedBearerIdAdapter implements OidcAdapter {
    readonly #model: string;
    readonly #inner: OidcAdapter;

    constructor(name: string) {
      this.#inner = new inner(name);
      this.#model = name;
    }

    async upsert(id: string, payload: OidcAdapterPayload, expiresIn?: number): Promise<void> {
      if (!isBearerIdModel(this.#model)) return this.#inner.upsert(id, payload, expiresIn);
      await this.#inner.upsert(
        hashBearerId(current, id),
        stripBearerPayload(this.#model, id, payload),
        expiresIn,
      );
      for (const key of retired) await this.#inner.destroy(hashBearerId(key, id));
    }

    async find(id: string): Promise<OidcAdapterPayload | undefined> {
      if (!isBearerIdModel(this.#model)) return this.#inner.find(id);
      for (const key of keys) {
        const stored = await this.#inner.find(hashBearerId(key, id));
        if (stored !== undefined) return restoreBearerPayload(this.#model, id, stored);
      }
      return undefined;
    }

    findByUid(uid: string): Promise<OidcAdapterPayload | undefined> {
      return this.#inner.findByUid(uid);
    }

    findByUserCode(userCode: string): Promise<OidcAdapterPayload | undefined> {
      return this.#inner.findByUserCode(userCode);
    }

    consume(id: string): Promise<void> {
      return this.#consumeWith(id, (storedId) => this.#inner.consume(storedId));
    }

    consumeAllowingRetry(id: string, retry: { now: number; reuseIntervalSeconds: number }): Promise<void> {
      return this.#consumeWith(id, (storedId) => this.#inner.consumeAllowingRetry(storedId, retry));
    }

    async #consumeWith(id: string, use: (storedId: string) => Promise<void>): Promise<void> {
      if (!isBearerIdModel(this.#model)) return use(id);
      try {
        await use(hashBearerId(current, id));
      } catch (refusal) {
        // Only a row that is not under the current key may sit under a retired one. A refusal of a
        // row that is there (already consumed) stands, with the grant revoked by the inner adapter.
        if (retired.length === 0 || (await this.#inner.find(hashBearerId(current, id))) !== undefined) {
          throw refusal;
        }
        for (const key of retired) {
          const storedId = hashBearerId(key, id);
          if ((await this.#inner.find(storedId)) !== undefined) return use(storedId);
        }
        throw refusal;
      }
    }

    async destroy(id: string): Promise<void> {
      if (!isBearerIdModel(this.#model)) return this.#inner.destroy(id);
      for (const key of keys) await this.#inner.destroy(hashBearerId(key, id));
    }

    revokeByGrantId(grantId: string): Promise<void> {
      return this.#inner.revokeByGrantId(grantId);
    }
  };
}
