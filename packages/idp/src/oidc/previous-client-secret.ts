import { createHash, timingSafeEqual } from 'node:crypto';
import type Provider from 'oidc-provider';

/**
 * Client metadata that keeps the secret a rotation replaced while it is still accepted, so an
 * application's servers can move to the new secret one by one. One slot: the next rotation replaces
 * it, so at most two secrets ever work.
 */
export const PREVIOUS_SECRET_METADATA = 'stepup_previous_client_secret';

/** The replaced secret and the time (epoch seconds) it stops being accepted. */
export interface PreviousClientSecret {
  client_secret: string;
  expires_at: number;
}

/** True for a well-formed `PREVIOUS_SECRET_METADATA` value. */
export function isPreviousClientSecret(value: unknown): value is PreviousClientSecret {
  if (typeof value !== 'object' || value === null) return false;
  const { client_secret: secret, expires_at: expiresAt } = value as Record<string, unknown>;
  return typeof secret === 'string' && secret !== '' && Number.isSafeInteger(expiresAt);
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

/**
 * Makes the client secret methods (`client_secret_basic`, `client_secret_post`) of `provider` accept
 * a client's previous secret until it expires by `clock`. oidc-provider checks a presented secret
 * with `compareClientSecret` of its public `Client` class (a method in its type definitions, awaited
 * by its client authentication, the hook its maintainer pointed to for custom secret checks in
 * panva/node-oidc-provider#631); the current secret is still compared first, by oidc-provider's own
 * constant-time comparison. `client_secret_jwt` assertions and HS256 ID tokens use the current
 * secret only: they are keyed by it, not compared with it.
 */
export function acceptPreviousClientSecrets(provider: Provider, clock: () => number): void {
  const { prototype } = provider.Client;
  const compareCurrent = prototype.compareClientSecret;
  prototype.compareClientSecret = async function compareClientSecret(actual: string): Promise<boolean> {
    if (await compareCurrent.call(this, actual)) return true;
    const previous: unknown = (this as unknown as Record<string, unknown>)[PREVIOUS_SECRET_METADATA];
    if (!isPreviousClientSecret(previous) || previous.expires_at <= clock()) return false;
    // Digests have one length, so the comparison takes the same time whatever was presented.
    return timingSafeEqual(digest(previous.client_secret), digest(actual));
  };
}
