import { isNumericDate } from './claims.ts';
import type { AcrLadder, AcrLevel } from './ladder.ts';
import { AUTHENTICATION_METHODS, type FactorKind, isMethodName, type ProvenMethod } from './methods.ts';

/**
 * What an authentication proved, in the words of the ID token: `acr`, `amr` and `auth_time`.
 *
 * `amr` is typed `string[]` because contexts are also read from tokens of other providers, whose `amr`
 * may hold values outside RFC 8176; {@link computeAuthContext} only ever puts registered values in it.
 *
 * @example
 * ```ts
 * const context: AuthContext = { acr: ACR_MULTI_FACTOR, amr: ['mfa', 'otp', 'pwd'], auth_time: 1_700_000_000 };
 * ```
 */
export interface AuthContext {
  acr: string;
  amr: string[];
  /** Seconds since the epoch; every method in `amr` was proven at or after this time. */
  auth_time: number;
}

/**
 * The clock and cut-off for {@link computeAuthContext}.
 *
 * @example
 * ```ts
 * const options: ComputeAuthContextOptions = { now: Math.floor(Date.now() / 1000) };
 * ```
 */
export interface ComputeAuthContextOptions {
  /** The current time, in seconds since the epoch. */
  now: number;
  /** Proofs made before this time, in seconds since the epoch, do not count (e.g. before a password reset). */
  notBefore?: number;
}

function checkTime(name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new TypeError(`computeAuthContext: ${name} must be a finite number of seconds since the epoch`);
  }
  return value;
}

function latestProofs(methods: readonly ProvenMethod[], now: number, notBefore: number | undefined) {
  if (!Array.isArray(methods)) throw new TypeError('computeAuthContext: methods must be an array');
  const latest = new Map<ProvenMethod['method'], number>();
  for (const proof of methods) {
    const { method, at } = (proof ?? {}) as Partial<ProvenMethod>;
    if (!isMethodName(method)) {
      throw new TypeError(`computeAuthContext: unknown authentication method ${JSON.stringify(method)}`);
    }
    if (!isNumericDate(at)) {
      throw new TypeError(`computeAuthContext: the time of ${method} must be a non-negative integer`);
    }
    if (at > now || (notBefore !== undefined && at < notBefore)) continue;
    const known = latest.get(method);
    if (known === undefined || at > known) latest.set(method, at);
  }
  return [...latest].map(([method, at]): ProvenMethod => ({ method, at }));
}

function isMet(level: AcrLevel, eligible: readonly ProvenMethod[]): boolean {
  const kinds = new Set<FactorKind>();
  let phishingResistant = false;
  for (const { method } of eligible) {
    const described = AUTHENTICATION_METHODS[method];
    for (const kind of described.factors) kinds.add(kind);
    phishingResistant ||= described.phishingResistant;
  }
  return kinds.size >= level.factors && (level.phishingResistant !== true || phishingResistant);
}

/**
 * Computes what a session's proofs establish, on `ladder`; undefined when they meet no level.
 *
 * Rules, in order:
 * 1. Proofs later than `now`, and proofs earlier than `notBefore` when given, are ignored; of the rest,
 *    only the latest proof of each method counts.
 * 2. For each level, highest first, the eligible proofs are those with `at >= now - level.maxAge` (all of
 *    them when the level has no `maxAge`). The level is met when they cover at least `level.factors`
 *    distinct factor kinds and, if the level is `phishingResistant`, one of them is phishing resistant.
 * 3. The context is the highest met level: `acr` is its acr; `amr` is the sorted, de-duplicated union of
 *    the amr values of its eligible proofs, plus `mfa` exactly when the level requires two or more factor
 *    kinds (so a one-factor context never says `mfa`, even if a stale second factor is on record);
 *    `auth_time` is the earliest `at` among its eligible proofs, so every method claimed was proven at or
 *    after `auth_time`.
 *
 * Throws a `TypeError` for an unknown method name, a proof time that is not a non-negative integer, or a
 * non-finite `now` / `notBefore`.
 *
 * @example
 * ```ts
 * computeAuthContext(
 *   [{ method: 'password', at: 1000 }, { method: 'totp', at: 1060 }],
 *   DEFAULT_ACR_LADDER,
 *   { now: 1100 },
 * );
 * // { acr: ACR_MULTI_FACTOR, amr: ['mfa', 'otp', 'pwd'], auth_time: 1000 }
 * ```
 */
export function computeAuthContext(
  methods: readonly ProvenMethod[],
  ladder: AcrLadder,
  options: ComputeAuthContextOptions,
): AuthContext | undefined {
  const now = checkTime('now', options.now);
  const notBefore = options.notBefore === undefined ? undefined : checkTime('notBefore', options.notBefore);
  const proofs = latestProofs(methods, now, notBefore);
  for (let rank = ladder.levels.length - 1; rank >= 0; rank--) {
    const level = ladder.levels[rank];
    if (level === undefined) continue;
    const { maxAge } = level;
    const eligible = maxAge === undefined ? proofs : proofs.filter(({ at }) => at >= now - maxAge);
    if (eligible.length === 0 || !isMet(level, eligible)) continue;
    const amr = new Set<string>(eligible.flatMap(({ method }) => AUTHENTICATION_METHODS[method].amr));
    if (level.factors >= 2) amr.add('mfa');
    return {
      acr: level.acr,
      amr: [...amr].sort(),
      auth_time: Math.min(...eligible.map(({ at }) => at)),
    };
  }
  return undefined;
}
