import type { JWK } from 'jose';
import type { KeysRepository } from '../store/keys.ts';
import { generateSigningKey, SIGNING_ALGORITHMS } from './provider-keys.ts';

/** Where, by `kid`, the time each rotated-out key leaves the JWKS is kept (epoch seconds, or null). */
const RETIREMENT_KEY = 'signing-key-retirement';
const JWKS_KEY = 'signing-jwks';

type Retirement = Record<string, number | null>;

/** Public facts about one signing key. */
export interface SigningKeyInfo {
  kid: string;
  alg: string;
  /** `current` signs (the first key of its algorithm); `previous` only verifies until it retires. */
  status: 'current' | 'previous';
  /** Epoch seconds; null while the provider has not restarted since the rotation. */
  retiresAt: number | null;
}

async function read(keys: KeysRepository): Promise<{ jwks: { keys: JWK[] }; retirement: Retirement }> {
  const jwks = JSON.parse((await keys.get(JWKS_KEY)) ?? '{"keys":[]}') as { keys: JWK[] };
  const retirement = JSON.parse((await keys.get(RETIREMENT_KEY)) ?? '{}') as Retirement;
  return { jwks, retirement };
}

/** The stored signing keys, current ones first, without key material. */
export async function listSigningKeys(keys: KeysRepository): Promise<SigningKeyInfo[]> {
  const { jwks, retirement } = await read(keys);
  const seen = new Set<string>();
  return jwks.keys.map((key) => {
    const alg = String(key.alg);
    const current = !seen.has(alg);
    seen.add(alg);
    return {
      kid: String(key.kid),
      alg,
      status: current ? 'current' : 'previous',
      retiresAt: current ? null : (retirement[String(key.kid)] ?? null),
    };
  });
}

/**
 * Rotates the signing keys: a new key per algorithm goes first in the stored JWKS (oidc-provider
 * signs with the first key of an algorithm), the old ones stay after it, still published so tokens
 * they signed keep verifying. oidc-provider reads its keys once, at start: the new keys sign after
 * the provider restarts, and `retireSigningKeys` then dates the old ones' removal.
 */
export async function rotateSigningKeys(keys: KeysRepository): Promise<SigningKeyInfo[]> {
  const { jwks, retirement } = await read(keys);
  const fresh = await Promise.all(SIGNING_ALGORITHMS.map(generateSigningKey));
  for (const key of jwks.keys) retirement[String(key.kid)] ??= null;
  await keys.set(RETIREMENT_KEY, JSON.stringify(retirement));
  await keys.set(JWKS_KEY, JSON.stringify({ keys: [...fresh, ...jwks.keys] }));
  return listSigningKeys(keys);
}

/**
 * At start, before the provider reads its keys: a rotated-out key whose removal is not dated yet
 * stopped signing now, so it stays for `maxTokenLifetime` more (every token it signed has expired
 * by then); keys whose date has passed leave the JWKS.
 */
export async function retireSigningKeys(
  keys: KeysRepository,
  now: number,
  maxTokenLifetime: number,
): Promise<void> {
  const { jwks, retirement } = await read(keys);
  if (Object.keys(retirement).length === 0) return;
  const kept = jwks.keys.filter((key) => {
    const retiresAt = retirement[String(key.kid)];
    return retiresAt === undefined || retiresAt === null || retiresAt > now;
  });
  const next: Retirement = {};
  for (const key of kept) {
    const kid = String(key.kid);
    if (kid in retirement) next[kid] = retirement[kid] ?? now + maxTokenLifetime;
  }
  await keys.set(RETIREMENT_KEY, JSON.stringify(next));
  if (kept.length !== jwks.keys.length) await keys.set(JWKS_KEY, JSON.stringify({ keys: kept }));
}
