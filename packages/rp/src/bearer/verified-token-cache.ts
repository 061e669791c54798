import { hash } from 'node:crypto';
import type { AccessTokenClaims } from './access-token-claims.ts';

/**
 * Verified access tokens by the SHA-256 of the token (the tokens themselves are not kept), bounded
 * and expiry-aware: an entry is served only while its token's `exp` is ahead of `now - skew`, and the
 * oldest entry makes room for a new one. Only what verification established is cached; scopes and
 * the step-up policy are checked again on every hit by the guard.
 */
export class VerifiedTokenCache {
  readonly #entries = new Map<string, AccessTokenClaims>();
  readonly #maxEntries: number;

  constructor(maxEntries: number) {
    if (!Number.isSafeInteger(maxEntries) || maxEntries < 1) {
      throw new TypeError('cache.maxEntries must be a positive integer');
    }
    this.#maxEntries = maxEntries;
  }

  get size(): number {
    return this.#entries.size;
  }

  static keyOf(token: string): string {
    return hash('sha256', token, 'base64url');
  }

  get(key: string, now: number, skew: number): AccessTokenClaims | undefined {
    const claims = this.#entries.get(key);
    if (claims === undefined) return undefined;
    // The same boundary as the verification itself (RFC 7519 4.1.4).
    if (claims.exp <= now - skew) {
      this.#entries.delete(key);
      return undefined;
    }
    return claims;
  }

  /** Keeps `claims`, frozen: every hit shares them. */
  set(key: string, claims: AccessTokenClaims): void {
    Object.freeze(claims.claims);
    Object.freeze(claims.scopes);
    if (claims.amr) Object.freeze(claims.amr);
    Object.freeze(claims);
    if (this.#entries.size >= this.#maxEntries) {
      const oldest = this.#entries.keys().next();
      if (!oldest.done) this.#entries.delete(oldest.value);
    }
    this.#entries.set(key, claims);
  }
}
