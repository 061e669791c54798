import { createPublicKey, type JsonWebKey, type KeyObject } from 'node:crypto';
import { StepupRpError } from '../errors.ts';
import { type AsymmetricJwsAlgorithm, jwkFitsAlgorithm } from './jws-algorithms.ts';

/**
 * How a {@link RemoteKeySet} fetches and caches the provider's JWKS.
 *
 * @example
 * ```ts
 * const options: RemoteKeySetOptions = { cooldown: 30, maxAge: 600 };
 * ```
 */
export interface RemoteKeySetOptions {
  /** The `fetch` to use; the global one unless set. */
  fetch?: typeof fetch;
  /** Seconds since the epoch; `Date.now()` unless set. */
  clock?: () => number;
  /** Seconds between two fetches at least, whatever asks for keys: a flood of unknown `kid`s fetches once. Default 30. */
  cooldown?: number;
  /** Seconds after which the keys are fetched again before use. Default 600. */
  maxAge?: number;
  /** A larger JWKS response is refused. Default 64 KiB. */
  maxResponseBytes?: number;
  /** Milliseconds to wait for the JWKS. Default 5000. */
  timeout?: number;
}

interface KeyEntry {
  kid: string | undefined;
  jwk: JsonWebKey;
  key: KeyObject;
}

const seconds = () => Math.floor(Date.now() / 1000);

/**
 * The provider's signing keys, fetched from its `jwks_uri` and imported once as `node:crypto` key
 * objects, for both the `jose` and the `node:crypto` verifier. A token whose `kid` is not in the set
 * causes one refetch (at most one per `cooldown`, shared by concurrent callers), then refusal with
 * `key_not_found`. Only public asymmetric keys for signatures are kept: `oct` and private keys, keys
 * for encryption and keys that do not import are left out, so a JWKS key is never an HMAC secret.
 *
 * @example
 * ```ts
 * const keys = new RemoteKeySet(new URL('https://idp.example.com/jwks'));
 * const key = await keys.getKey('RS256', 'key-1');
 * ```
 */
export class RemoteKeySet {
  readonly jwksUri: URL;
  readonly #fetch: typeof fetch;
  readonly #clock: () => number;
  readonly #cooldown: number;
  readonly #maxAge: number;
  readonly #maxResponseBytes: number;
  readonly #timeout: number;
  #entries: KeyEntry[] = [];
  /** The last selection, answered again without a search while the entries are the same. */
  #lastSelection: { entries: KeyEntry[]; alg: string; kid: string | undefined; key: KeyObject | undefined } =
    {
      entries: [],
      alg: '',
      kid: undefined,
      key: undefined,
    };
  /** When the keys were last loaded (freshness), and when a load was last tried (cooldown). */
  #fetchedAt = Number.NEGATIVE_INFINITY;
  #attemptedAt = Number.NEGATIVE_INFINITY;
  #pending: Promise<void> | undefined;
  #fetches = 0;

  constructor(jwksUri: URL, options: RemoteKeySetOptions = {}) {
    if (!(jwksUri instanceof URL)) throw new TypeError('RemoteKeySet: jwksUri must be a URL');
    this.jwksUri = jwksUri;
    this.#fetch = options.fetch ?? fetch;
    this.#clock = options.clock ?? seconds;
    this.#cooldown = checkPositive('cooldown', options.cooldown ?? 30);
    this.#maxAge = checkPositive('maxAge', options.maxAge ?? 600);
    this.#maxResponseBytes = checkPositive('maxResponseBytes', options.maxResponseBytes ?? 64 * 1024);
    this.#timeout = checkPositive('timeout', options.timeout ?? 5000);
  }

  /** How many times the JWKS was requested; for tests and metrics. */
  get fetchCount(): number {
    return this.#fetches;
  }

  /** Loads the keys now (at start-up, so a wrong URI fails early); concurrent calls share one request. */
  load(): Promise<void> {
    return this.#refresh();
  }

  /**
   * The key for `alg` and `kid` when it is already cached and fresh; undefined otherwise (then call
   * {@link RemoteKeySet.getKey}). Never fetches: the synchronous half of the hot path.
   */
  cachedKey(alg: AsymmetricJwsAlgorithm, kid: string | undefined): KeyObject | undefined {
    if (this.#clock() - this.#fetchedAt > this.#maxAge) return undefined;
    return this.#select(alg, kid);
  }

  /** The key for `alg` and `kid`; fetches when the set is stale, and once more for an unknown `kid`. */
  async getKey(alg: AsymmetricJwsAlgorithm, kid: string | undefined): Promise<KeyObject> {
    // A load in flight (asked for by another token) may bring the key: wait for it before deciding.
    if (this.#pending) await this.#pending.catch(() => undefined);
    if (this.#clock() - this.#fetchedAt > this.#maxAge && this.#coolEnough()) await this.#refresh();
    if (this.#fetchedAt === Number.NEGATIVE_INFINITY) {
      throw new StepupRpError('jwks_unavailable', 'The provider keys could not be loaded.', {
        detail: `${this.jwksUri.href} has not answered yet`,
      });
    }
    const key = this.#select(alg, kid);
    if (key) return key;
    if (this.#coolEnough()) {
      await this.#refresh();
      const refetched = this.#select(alg, kid);
      if (refetched) return refetched;
    }
    throw new StepupRpError(
      'key_not_found',
      'The token was signed with a key the provider does not publish.',
      {
        detail: `no ${alg} key with kid ${JSON.stringify(kid)} in ${this.jwksUri.href}`,
      },
    );
  }

  #coolEnough(): boolean {
    return this.#clock() - this.#attemptedAt >= this.#cooldown;
  }

  #select(alg: AsymmetricJwsAlgorithm, kid: string | undefined): KeyObject | undefined {
    const last = this.#lastSelection;
    if (last.entries === this.#entries && last.alg === alg && last.kid === kid) return last.key;
    const key = this.#search(alg, kid);
    this.#lastSelection = { entries: this.#entries, alg, kid, key };
    return key;
  }

  #search(alg: AsymmetricJwsAlgorithm, kid: string | undefined): KeyObject | undefined {
    let found: KeyObject | undefined;
    let count = 0;
    for (const entry of this.#entries) {
      const { jwk } = entry;
      if (jwk.alg !== undefined && jwk.alg !== alg) continue;
      if (!jwkFitsAlgorithm(jwk, alg)) continue;
      if (kid !== undefined && entry.kid !== kid) continue;
      found ??= entry.key;
      count++;
    }
    // Without a kid, the key must be the only candidate: never try keys one after the other.
    return kid === undefined && count > 1 ? undefined : found;
  }

  #refresh(): Promise<void> {
    this.#pending ??= this.#load().finally(() => {
      this.#pending = undefined;
    });
    return this.#pending;
  }

  async #load(): Promise<void> {
    this.#fetches++;
    // The cooldown counts from the attempt, so a failing provider is not asked again at once either.
    const attemptedAt = this.#clock();
    this.#attemptedAt = attemptedAt;
    let jwks: unknown;
    try {
      const response = await this.#fetch(this.jwksUri, {
        headers: { accept: 'application/jwk-set+json, application/json' },
        signal: AbortSignal.timeout(this.#timeout),
        redirect: 'error',
      });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      jwks = JSON.parse(await readLimited(response, this.#maxResponseBytes));
    } catch (cause) {
      throw new StepupRpError('jwks_unavailable', 'The provider keys could not be loaded.', {
        detail: `${this.jwksUri.href}: ${cause instanceof Error ? cause.message : String(cause)}`,
        cause,
      });
    }
    const keys = typeof jwks === 'object' && jwks !== null ? (jwks as { keys?: unknown }).keys : undefined;
    if (!Array.isArray(keys)) {
      throw new StepupRpError('jwks_unavailable', 'The provider keys could not be loaded.', {
        detail: `${this.jwksUri.href} is not a JWK Set`,
      });
    }
    this.#entries = keys.flatMap(importVerificationKey);
    this.#fetchedAt = attemptedAt;
  }
}

function importVerificationKey(jwk: unknown): KeyEntry[] {
  if (typeof jwk !== 'object' || jwk === null || Array.isArray(jwk)) return [];
  const candidate = jwk as JsonWebKey & { kid?: unknown; use?: unknown; key_ops?: unknown };
  if (candidate.kty !== 'RSA' && candidate.kty !== 'EC' && candidate.kty !== 'OKP') return [];
  if ('d' in candidate) return []; // a private key published by mistake is not used
  if (candidate.use !== undefined && candidate.use !== 'sig') return [];
  if (
    candidate.key_ops !== undefined &&
    !(Array.isArray(candidate.key_ops) && candidate.key_ops.includes('verify'))
  ) {
    return [];
  }
  if (candidate.kid !== undefined && typeof candidate.kid !== 'string') return [];
  try {
    const key = createPublicKey({ key: candidate, format: 'jwk' });
    // RFC 7518 3.3: RSA keys of 2048 bits or more (jose refuses shorter ones too).
    if (key.asymmetricKeyType === 'rsa' && (key.asymmetricKeyDetails?.modulusLength ?? 0) < 2048) return [];
    return [{ kid: candidate.kid, jwk: candidate, key }];
  } catch {
    return [];
  }
}

async function readLimited(response: Response, maxBytes: number): Promise<string> {
  const declared = Number(response.headers.get('content-length'));
  if (declared > maxBytes) throw new Error(`JWKS larger than ${maxBytes} bytes`);
  if (!response.body) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (let read = await reader.read(); !read.done; read = await reader.read()) {
    total += read.value.byteLength;
    if (total > maxBytes) {
      await reader.cancel();
      throw new Error(`JWKS larger than ${maxBytes} bytes`);
    }
    chunks.push(read.value);
  }
  return new TextDecoder('utf-8', { fatal: true }).decode(Buffer.concat(chunks));
}

function checkPositive(name: string, value: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new TypeError(`RemoteKeySet: ${name} must be a positive number`);
  }
  return value;
}
