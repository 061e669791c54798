import type { JWK } from 'jose';
import type { NewAuditEvent } from '../store/audit-events.ts';
import type { KeysRepository } from '../store/keys.ts';
import { generateSigningKey, SIGNING_ALGORITHMS } from './provider-keys.ts';

const JWKS_KEY = 'signing-jwks';
/** Where, by `kid`, the time each rotated-out key leaves the JWKS is kept (epoch seconds, or null). */
const RETIREMENT_KEY = 'signing-key-retirement';
/** Where, by `kid`, the time a rotated-in key starts signing is kept (epoch seconds). */
const ACTIVATION_KEY = 'signing-key-activation';

/**
 * Relying parties that meet an unknown `kid` refetch the JWKS, but not more often than a cooldown
 * (jose's remote key set waits 30 s between fetches): the new key must be public at least this long
 * before it signs, counted from the last moment a node could still serve the old set.
 */
const JWKS_REFETCH_COOLDOWN_SECONDS = 30;

type KidTimes = Record<string, number | null>;

/** Public facts about one signing key. */
export interface SigningKeyInfo {
  kid: string;
  alg: string;
  /**
   * `current` signs now (one per algorithm); `next` is published and starts signing at `activatesAt`;
   * `previous` no longer signs and only verifies until it retires.
   */
  status: 'current' | 'next' | 'previous';
  /** Epoch seconds when a rotation made it the signing key of its algorithm; null for a first key. */
  activatesAt: number | null;
  /**
   * Epoch seconds when it leaves the JWKS, set once a rotation replaces it (it may still sign until
   * its successor activates); null for a key not replaced, or rotated out by an older build.
   */
  retiresAt: number | null;
}

/**
 * How long after a rotation its new keys start signing. Each node learns of the rotation within
 * `changeCheckSeconds` (sooner with a Redis notice, but the rule must hold without it); twice that
 * covers a slow check and clocks a little apart, and the refetch cooldown lets a relying party that
 * fetched the old set from a lagging node fetch again before it meets the new `kid`.
 */
export function keyActivationDelay(changeCheckSeconds: number): number {
  return 2 * changeCheckSeconds + JWKS_REFETCH_COOLDOWN_SECONDS;
}

/** What a rotation did: the keys published after it, and when its new keys start signing. */
export interface SigningKeyRotation {
  keys: SigningKeyInfo[];
  activatesAt: number;
}

interface StoredSigningKeys {
  jwks: { keys: JWK[] };
  retirement: KidTimes;
  activation: KidTimes;
}

async function read(keys: KeysRepository): Promise<StoredSigningKeys> {
  const jwks = JSON.parse((await keys.get(JWKS_KEY)) ?? '{"keys":[]}') as { keys: JWK[] };
  const retirement = JSON.parse((await keys.get(RETIREMENT_KEY)) ?? '{}') as KidTimes;
  const activation = JSON.parse((await keys.get(ACTIVATION_KEY)) ?? '{}') as KidTimes;
  return { jwks, retirement, activation };
}

function isPast(time: number | null | undefined, now: number): boolean {
  return typeof time === 'number' && time <= now;
}

/**
 * Classifies the published keys at `now` in stored order (newest first): per algorithm, keys not
 * active yet are `next`, the newest active one is `current`, older ones are `previous`. Every node
 * runs this on the same stored times, so all of them switch to a new key at the same moment.
 */
function classify({ jwks, retirement, activation }: StoredSigningKeys, now: number): SigningKeyInfo[] {
  const signing = new Set<string>();
  return jwks.keys
    .filter((key) => !isPast(retirement[String(key.kid)], now))
    .map((key) => {
      const kid = String(key.kid);
      const alg = String(key.alg);
      const activatesAt = activation[kid] ?? null;
      const retiresAt = retirement[kid] ?? null;
      if (activatesAt !== null && activatesAt > now)
        return { kid, alg, status: 'next', activatesAt, retiresAt };
      const current = !signing.has(alg);
      signing.add(alg);
      return { kid, alg, status: current ? 'current' : 'previous', activatesAt, retiresAt };
    });
}

/** The signing keys published at `now`, newest first, without key material. */
export async function listSigningKeys(keys: KeysRepository, now: number): Promise<SigningKeyInfo[]> {
  return classify(await read(keys), now);
}

/**
 * Rotates the signing keys in two phases: a new key per algorithm is published at once but starts
 * signing only at `now + activationDelay` (`keyActivationDelay`), so every node serves it in its
 * JWKS before any token carries its `kid`. The old keys keep signing until then and stay published
 * for `maxTokenLifetime` after it, when every token they signed has expired. Keys already retired
 * are dropped. The times and the key set are one transaction, with the audit event `auditEventOf`
 * describes, when given: a failed write changes no key.
 */
export async function rotateSigningKeys(
  keys: KeysRepository,
  now: number,
  timing: { activationDelay: number; maxTokenLifetime: number },
  auditEventOf?: (rotation: SigningKeyRotation) => NewAuditEvent,
): Promise<SigningKeyRotation> {
  const { jwks, retirement, activation } = await read(keys);
  const fresh = await Promise.all(SIGNING_ALGORITHMS.map(generateSigningKey));
  const activatesAt = now + timing.activationDelay;
  const kept = jwks.keys.filter((key) => !isPast(retirement[String(key.kid)], now));
  const nextRetirement: KidTimes = {};
  const nextActivation: KidTimes = {};
  for (const key of kept) {
    const kid = String(key.kid);
    nextRetirement[kid] = Math.min(
      retirement[kid] ?? Number.POSITIVE_INFINITY,
      activatesAt + timing.maxTokenLifetime,
    );
    const activated = activation[kid];
    if (typeof activated === 'number') nextActivation[kid] = activated;
  }
  for (const key of fresh) nextActivation[String(key.kid)] = activatesAt;
  const next = {
    jwks: { keys: [...fresh, ...kept] },
    retirement: nextRetirement,
    activation: nextActivation,
  };
  const rotation = { keys: classify(next, now), activatesAt };
  await keys.setAll(
    [
      [ACTIVATION_KEY, JSON.stringify(next.activation)],
      [RETIREMENT_KEY, JSON.stringify(next.retirement)],
      [JWKS_KEY, JSON.stringify(next.jwks)],
    ],
    auditEventOf?.(rotation),
  );
  return rotation;
}

/**
 * The key set a provider serves at `now`: the stored keys minus those whose retirement time has
 * passed (they leave without a write, so nodes never race to rewrite the key set), with each
 * algorithm's `current` key first (oidc-provider signs with the first key of an algorithm) and the
 * `next` and `previous` keys after it, published for verification only. `changesAt` is the next
 * time this answer changes by the clock alone (an activation or a retirement), or null.
 */
export async function readServedSigningKeys(
  keys: KeysRepository,
  now: number,
): Promise<{ signingJwks: { keys: JWK[] }; changesAt: number | null }> {
  const stored = await read(keys);
  const status = new Map(classify(stored, now).map((key) => [key.kid, key.status]));
  const served = stored.jwks.keys.filter((key) => status.has(String(key.kid)));
  const signing = served.filter((key) => status.get(String(key.kid)) === 'current');
  const verifying = served.filter((key) => status.get(String(key.kid)) !== 'current');
  const upcoming = [...Object.values(stored.activation), ...Object.values(stored.retirement)].filter(
    (time): time is number => typeof time === 'number' && time > now,
  );
  return {
    signingJwks: { keys: [...signing, ...verifying] },
    changesAt: upcoming.length > 0 ? Math.min(...upcoming) : null,
  };
}

/**
 * At start, before the provider reads its keys: a rotated-out key whose removal is not dated yet (an
 * older build's rotation, applied at restart) stopped signing now, so it stays for `maxTokenLifetime`
 * more (every token it signed has expired by then); keys whose date has passed leave the store with
 * their activation time. Writes only when something changed.
 */
export async function retireSigningKeys(
  keys: KeysRepository,
  now: number,
  maxTokenLifetime: number,
): Promise<void> {
  const { jwks, retirement, activation } = await read(keys);
  if (Object.keys(retirement).length === 0) return;
  const kept = jwks.keys.filter((key) => !isPast(retirement[String(key.kid)], now));
  const nextRetirement: KidTimes = {};
  const nextActivation: KidTimes = {};
  for (const key of kept) {
    const kid = String(key.kid);
    if (kid in retirement) nextRetirement[kid] = retirement[kid] ?? now + maxTokenLifetime;
    if (kid in activation) nextActivation[kid] = activation[kid] ?? null;
  }
  if (JSON.stringify(nextRetirement) !== JSON.stringify(retirement))
    await keys.set(RETIREMENT_KEY, JSON.stringify(nextRetirement));
  if (kept.length !== jwks.keys.length) await keys.set(JWKS_KEY, JSON.stringify({ keys: kept }));
  if (JSON.stringify(nextActivation) !== JSON.stringify(activation))
    await keys.set(ACTIVATION_KEY, JSON.stringify(nextActivation));
}
