import { ACR_MULTI_FACTOR, type AcrLadder } from '@stepup/core';

/**
 * What a route asks of the authentication behind a session or an access token. Any combination:
 * `acr` levels (any of them, met by the same or a higher rank on the ladder), `amr` values (all of
 * them), and a maximum age in seconds since `auth_time`.
 *
 * @example
 * ```ts
 * const salary: StepUpPolicy = { amr: ['mfa'], maxAge: 600 };
 * const payments: StepUpPolicy = { acr: [ACR_PHISHING_RESISTANT] };
 * ```
 */
export interface StepUpPolicy {
  /** Acceptable `acr` values; each is met by the same or a higher rank on the ladder. */
  acr?: readonly string[];
  /** `amr` values that must all be present, compared exactly (`mfa`, `hwk`, …). */
  amr?: readonly string[];
  /** Seconds since `auth_time` beyond which the authentication is too old; 0 asks for a fresh one. */
  maxAge?: number;
  /**
   * What to send as `acr_values` when stepping up. Defaults to `acr`; for a policy that only asks
   * for `amr: ['mfa']`, to the multi-factor PAPE policy (as the seed does).
   */
  acrValues?: readonly string[];
}

/**
 * A policy checked once at start-up: arrays copied and frozen, `acrValues` filled in.
 *
 * @example
 * ```ts
 * const policy: ResolvedPolicy = { acr: [], amr: ['mfa'], acrValues: [ACR_MULTI_FACTOR] };
 * ```
 */
export interface ResolvedPolicy {
  /** The configured name, when the policy has one. */
  name?: string;
  acr: readonly string[];
  amr: readonly string[];
  maxAge?: number;
  acrValues: readonly string[];
}

const NAME = /^[A-Za-z0-9_.-]{1,64}$/;

function isStringList(value: unknown): value is readonly string[] {
  return (
    Array.isArray(value) && value.every((item) => typeof item === 'string' && /^[\x21-\x7E]+$/.test(item))
  );
}

/**
 * Checks a policy and fills in its defaults; a `TypeError` names `setting` and what is wrong.
 * Unknown `acr` values are refused: the ladder must rank every level a route asks for.
 *
 * @example
 * ```ts
 * resolvePolicy('policies.salary', { amr: ['mfa'] }, DEFAULT_ACR_LADDER).acrValues; // [ACR_MULTI_FACTOR]
 * ```
 */
export function resolvePolicy(
  setting: string,
  policy: unknown,
  ladder: AcrLadder,
  name?: string,
): ResolvedPolicy {
  const fail = (problem: string): never => {
    throw new TypeError(`${setting}: ${problem}`);
  };
  if (typeof policy !== 'object' || policy === null || Array.isArray(policy))
    return fail('must be an object');
  const { acr, amr, maxAge, acrValues, ...rest } = policy as Record<string, unknown>;
  const unknown = Object.keys(rest);
  if (unknown.length > 0) fail(`unknown option ${unknown.join(', ')} (allowed: acr, amr, maxAge, acrValues)`);
  if (acr !== undefined && !isStringList(acr)) fail('acr must be an array of acr values');
  if (amr !== undefined && !isStringList(amr)) fail('amr must be an array of amr values');
  if (acrValues !== undefined && !isStringList(acrValues)) fail('acrValues must be an array of acr values');
  for (const value of (acr as string[] | undefined) ?? []) {
    if (!ladder.isKnown(value)) fail(`acr ${JSON.stringify(value)} is not on the acr ladder`);
  }
  if (maxAge !== undefined && (typeof maxAge !== 'number' || !Number.isSafeInteger(maxAge) || maxAge < 0)) {
    fail('maxAge must be a non-negative integer number of seconds');
  }
  const acrList = Object.freeze([...((acr as string[] | undefined) ?? [])]);
  const amrList = Object.freeze([...((amr as string[] | undefined) ?? [])]);
  if (acr !== undefined && acrList.length === 0) fail('acr must list at least one value when set');
  if (acrList.length === 0 && amrList.length === 0 && maxAge === undefined) {
    fail('asks for nothing: give acr, amr or maxAge');
  }
  const sent =
    (acrValues as string[] | undefined) ??
    (acrList.length > 0 ? acrList : amrList.includes('mfa') ? [ACR_MULTI_FACTOR] : []);
  const resolved: ResolvedPolicy = { acr: acrList, amr: amrList, acrValues: Object.freeze([...sent]) };
  if (maxAge !== undefined) resolved.maxAge = maxAge as number;
  if (name !== undefined) resolved.name = name;
  return Object.freeze(resolved);
}

/**
 * Checks the named policies of a configuration once.
 *
 * @example
 * ```ts
 * const named = resolveNamedPolicies({ mfa: { amr: ['mfa'] } }, DEFAULT_ACR_LADDER);
 * named.get('mfa')?.amr; // ['mfa']
 * ```
 */
export function resolveNamedPolicies(
  policies: Readonly<Record<string, StepUpPolicy>> | undefined,
  ladder: AcrLadder,
): ReadonlyMap<string, ResolvedPolicy> {
  const named = new Map<string, ResolvedPolicy>();
  if (policies === undefined) return named;
  if (typeof policies !== 'object' || policies === null) throw new TypeError('policies must be an object');
  for (const [name, policy] of Object.entries(policies)) {
    if (!NAME.test(name)) throw new TypeError(`policies: ${JSON.stringify(name)} is not a valid policy name`);
    named.set(name, resolvePolicy(`policies.${name}`, policy, ladder, name));
  }
  return named;
}

/** A policy given by name (looked up) or inline (checked); a `TypeError` for an unknown name. */
export function selectPolicy(
  policy: string | StepUpPolicy,
  named: ReadonlyMap<string, ResolvedPolicy>,
  ladder: AcrLadder,
): ResolvedPolicy {
  if (typeof policy === 'string') {
    const found = named.get(policy);
    if (!found) {
      throw new TypeError(
        `no policy named ${JSON.stringify(policy)}; configured: ${[...named.keys()].join(', ') || 'none'}`,
      );
    }
    return found;
  }
  return resolvePolicy('requireStepUp policy', policy, ladder);
}
