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
  /** Epoch seconds when it leaves the JWKS; null for a key rotated out by a build that did not date it yet. */
  retiresAt: number | null;
}

async function read(keys: KeysRepository): Promise<{ jwks: { keys: JWK[] }; retirement: Retirement }> {
  const jwks = JSON.parse((await keys.get(JWKS_KEY)) ?? '{"keys":[]}') as { keys: JWK[] };
  const retirement = JSON.parse((await keys.get(RETIREMENT_KEY)) ?? '{}') as Retirement;
  return { jwks, retirement };
}

/** The signing keys published at `now`, current ones first, without key material. */
export async function listSigningKeys(keys: KeysRepository, now: number): Promise<SigningKeyInfo[]> {
  const { jwks, retirement } = await read(keys);
  const seen = new Set<string>();
  const active = jwks.keys.filter((key) => !isRetired(retirement[String(key.kid)], now));
  return active.map((key) => {
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
 * they signed keep verifying until `now + maxTokenLifetime`, when every such token has expired. The
 * running providers pick the new set up (`LiveSigningKeys`); keys already retired are dropped here.
 */
export async function rotateSigningKeys(
  keys: KeysRepository,
  now: number,
  maxTokenLifetime: number,
): Promise<SigningKeyInfo[]> {
  const { jwks, retirement } = await read(keys);
  const fresh = await Promise.all(SIGNING_ALGORITHMS.map(generateSigningKey));
  const kept = jwks.keys.filter((key) => !isRetired(retirement[String(key.kid)], now));
  const next: Retirement = {};
  for (const key of kept) {
    const kid = String(key.kid);
    next[kid] = Math.min(retirement[kid] ?? Number.POSITIVE_INFINITY, now + maxTokenLifetime);
  }
  await keys.set(RETIREMENT_KEY, JSON.stringify(next));
  await keys.set(JWKS_KEY, JSON.stringify({ keys: [...fresh, ...kept] }));
  return listSigningKeys(keys, now);
}

function isRetired(retiresAt: number | null | undefined, now: number): boolean {
  return typeof retiresAt === 'number' && retiresAt <= now;
}

/**
 * The signing keys a provider serves at `now`: the stored ones minus those whose retirement time has
 * passed (they leave the JWKS without a write, so nodes never race to rewrite the key set).
 */
export async function readActiveSigningJwks(keys: KeysRepository, now: number): Promise<{ keys: JWK[] }> {
  const { jwks, retirement } = await read(keys);
  return { keys: jwks.keys.filter((key) => !isRetired(retirement[String(key.kid)], now)) };
}

/**
 * At start, before the provider reads its keys: a rotated-out key whose removal is not dated yet (an
 * older build's rotation, applied at restart) stopped signing now, so it stays for `maxTokenLifetime`
 * more (every token it signed has expired by then); keys whose date has passed leave the store.
 * Writes only when something changed.
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
  if (JSON.stringify(next) !== JSON.stringify(retirement))
    await keys.set(RETIREMENT_KEY, JSON.stringify(next));
  if (kept.length !== jwks.keys.length) await keys.set(JWKS_KEY, JSON.stringify({ keys: kept }));
}
