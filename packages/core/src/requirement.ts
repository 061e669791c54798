import type { AmrValue } from './amr.ts';
import type { AuthContext } from './context.ts';
import type { AcrLadder, AcrLevel } from './ladder.ts';

/**
 * What a route or an authorization request asks of an authentication.
 *
 * @example
 * ```ts
 * const salary: Requirement = { acr: [ACR_MULTI_FACTOR], amr: ['mfa'], maxAge: 600 };
 * ```
 */
export interface Requirement {
  /** Any of these; each is met by the same or a higher rank. Unknown values are ignored. */
  acr?: readonly string[];
  /** All of these must be in the context's `amr`. */
  amr?: readonly AmrValue[];
  /** Seconds since `auth_time` beyond which the authentication is too old. */
  maxAge?: number;
}

/**
 * The part of a {@link Requirement} an authentication did not meet; `authentication` when there was none.
 *
 * @example
 * ```ts
 * const reason: UnmetRequirement = 'max_age';
 * ```
 */
export type UnmetRequirement = 'authentication' | 'acr' | 'amr' | 'max_age';

/**
 * The verdict of {@link evaluateRequirement}.
 *
 * @example
 * ```ts
 * const verdict: RequirementResult = { satisfied: false, unmet: ['acr'] };
 * ```
 */
export type RequirementResult = { satisfied: true } | { satisfied: false; unmet: UnmetRequirement[] };

/**
 * The ladder and clock for {@link evaluateRequirement}.
 *
 * @example
 * ```ts
 * const options: EvaluateRequirementOptions = { ladder: DEFAULT_ACR_LADDER, now: 1_700_000_000, skew: 30 };
 * ```
 */
export interface EvaluateRequirementOptions {
  ladder: AcrLadder;
  /** The current time, in seconds since the epoch. */
  now: number;
  /** Seconds of clock difference tolerated on `maxAge`; 0 unless set. */
  skew?: number;
}

/**
 * The lowest level of `ladder` among `requestedAcrs`, ignoring values the ladder does not know; undefined
 * when it knows none of them. Since a higher rank meets a lower request, this is the level an
 * authentication has to reach for a request listing several acr values.
 *
 * @example
 * ```ts
 * minimumLevel([ACR_PHISHING_RESISTANT, ACR_MULTI_FACTOR, 'urn:unknown'], DEFAULT_ACR_LADDER)?.acr;
 * // ACR_MULTI_FACTOR
 * ```
 */
export function minimumLevel(requestedAcrs: readonly string[], ladder: AcrLadder): AcrLevel | undefined {
  let lowest: number | undefined;
  for (const acr of requestedAcrs) {
    const rank = ladder.rankOf(acr);
    if (rank !== undefined && (lowest === undefined || rank < lowest)) lowest = rank;
  }
  return lowest === undefined ? undefined : ladder.levels[lowest];
}

function checkSeconds(name: string, value: unknown, { allowNegative }: { allowNegative: boolean }): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || (!allowNegative && value < 0)) {
    const expected = allowNegative ? 'a finite number' : 'a finite, non-negative number';
    throw new TypeError(`evaluateRequirement: ${name} must be ${expected} of seconds`);
  }
  return value;
}

// Only own elements count: a hole must not read a value through a polluted Array.prototype.
function hasOwnElement(values: readonly unknown[], wanted: string): boolean {
  if (!Array.isArray(values)) return false;
  for (let index = 0; index < values.length; index++) {
    if (Object.hasOwn(values, index) && values[index] === wanted) return true;
  }
  return false;
}

/**
 * Checks an authentication context against a requirement and says which parts are unmet.
 *
 * - No context: unmet `authentication`, nothing else is checked.
 * - `acr` (when set): unknown values are ignored; if none is known (including an empty list) the acr part
 *   is unmet; otherwise the context's acr must meet the lowest-ranked known value on `ladder`.
 * - `amr` (when set): every value must be an own element of the context's `amr`, compared with `===`.
 * - `maxAge` (when set): `now - auth_time <= maxAge + skew`.
 *
 * Unmet parts are listed in the order `acr`, `amr`, `max_age`. Throws a `TypeError` for a negative or
 * non-finite `maxAge` or `skew`, or a non-finite `now`.
 *
 * @example
 * ```ts
 * const context = { acr: ACR_ONE_FACTOR, amr: ['pwd'], auth_time: 1000 };
 * evaluateRequirement(context, { acr: [ACR_MULTI_FACTOR], maxAge: 60 }, { ladder: DEFAULT_ACR_LADDER, now: 1100 });
 * // { satisfied: false, unmet: ['acr', 'max_age'] }
 * ```
 */
export function evaluateRequirement(
  context: AuthContext | undefined,
  requirement: Requirement,
  options: EvaluateRequirementOptions,
): RequirementResult {
  const { ladder } = options;
  const now = checkSeconds('now', options.now, { allowNegative: true });
  const skew = options.skew === undefined ? 0 : checkSeconds('skew', options.skew, { allowNegative: false });
  const maxAge =
    requirement.maxAge === undefined
      ? undefined
      : checkSeconds('maxAge', requirement.maxAge, { allowNegative: false });
  if (context === undefined) return { satisfied: false, unmet: ['authentication'] };

  const unmet: UnmetRequirement[] = [];
  if (requirement.acr !== undefined) {
    const minimum = minimumLevel(requirement.acr, ladder);
    if (minimum === undefined || !ladder.meets(context.acr, minimum.acr)) unmet.push('acr');
  }
  if (requirement.amr !== undefined && !requirement.amr.every((value) => hasOwnElement(context.amr, value))) {
    unmet.push('amr');
  }
  if (maxAge !== undefined && !(now - context.auth_time <= maxAge + skew)) unmet.push('max_age');
  return unmet.length === 0 ? { satisfied: true } : { satisfied: false, unmet };
}

/**
 * Whether a context satisfies a requirement; {@link evaluateRequirement} without the reasons.
 *
 * @example
 * ```ts
 * satisfies(context, { amr: ['mfa'] }, { ladder: DEFAULT_ACR_LADDER, now: 1100 }); // true when amr has 'mfa'
 * ```
 */
export function satisfies(
  context: AuthContext | undefined,
  requirement: Requirement,
  options: EvaluateRequirementOptions,
): boolean {
  return evaluateRequirement(context, requirement, options).satisfied;
}
