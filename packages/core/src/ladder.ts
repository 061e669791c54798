/**
 * The lowest rung of the default ladder: one factor of any kind. Not a registered URI; it only has to be
 * distinct from the others.
 *
 * @example
 * ```ts
 * DEFAULT_ACR_LADDER.rankOf(ACR_ONE_FACTOR); // 0
 * ```
 */
export const ACR_ONE_FACTOR = 'urn:stepup:acr:one-factor';

/**
 * OpenID PAPE multi-factor policy: at least two distinct factor kinds.
 *
 * @example
 * ```ts
 * const requested = [ACR_MULTI_FACTOR];
 * ```
 */
export const ACR_MULTI_FACTOR = 'http://schemas.openid.net/pape/policies/2007/06/multi-factor';

/**
 * OpenID PAPE phishing-resistant policy: multi-factor, with at least one origin-bound method.
 *
 * @example
 * ```ts
 * DEFAULT_ACR_LADDER.meets(ACR_PHISHING_RESISTANT, ACR_MULTI_FACTOR); // true
 * ```
 */
export const ACR_PHISHING_RESISTANT = 'http://schemas.openid.net/pape/policies/2007/06/phishing-resistant';

/**
 * One rung of an {@link AcrLadder}.
 *
 * @example
 * ```ts
 * const level: AcrLevel = { acr: ACR_MULTI_FACTOR, factors: 2, maxAge: 43_200 };
 * ```
 */
export interface AcrLevel {
  /** The `acr` value this level is claimed and requested by. */
  acr: string;
  /** How many distinct factor kinds must be proven, at least 1. */
  factors: number;
  /** Whether at least one proof must come from a phishing-resistant method. */
  phishingResistant?: boolean;
  /** How long, in seconds, a proof counts toward this level; undefined = as long as the session lasts. */
  maxAge?: number;
}

// knowledge, possession, inherence: a level asking for more could never be met.
const FACTOR_KIND_COUNT = 3;

function describeLevel(index: number, level: unknown): string {
  const acr = typeof level === 'object' && level !== null ? (level as { acr?: unknown }).acr : undefined;
  return typeof acr === 'string' ? `level ${index} (${JSON.stringify(acr)})` : `level ${index}`;
}

function checkLevel(index: number, level: unknown, below: AcrLevel | undefined, seen: Set<string>): AcrLevel {
  const name = describeLevel(index, level);
  const fail = (problem: string): never => {
    throw new TypeError(`Invalid acr ladder: ${name} ${problem}`);
  };
  if (typeof level !== 'object' || level === null) return fail('is not an object');
  const { acr, factors, phishingResistant, maxAge } = level as Record<string, unknown>;
  if (typeof acr !== 'string' || acr === '') return fail('needs a non-empty string acr');
  if (seen.has(acr)) return fail('repeats an acr already used by a lower level');
  if (
    typeof factors !== 'number' ||
    !Number.isInteger(factors) ||
    factors < 1 ||
    factors > FACTOR_KIND_COUNT
  ) {
    return fail(`needs factors as an integer from 1 to ${FACTOR_KIND_COUNT}`);
  }
  if (phishingResistant !== undefined && typeof phishingResistant !== 'boolean') {
    return fail('needs phishingResistant as a boolean when set');
  }
  if (maxAge !== undefined && (typeof maxAge !== 'number' || !Number.isSafeInteger(maxAge) || maxAge <= 0)) {
    return fail('needs maxAge as a positive integer number of seconds when set');
  }
  // A context at some rank is taken to meet every rank below it, so each level must be at least as
  // strict as the one below: never claim more than was proven.
  if (below !== undefined) {
    if (factors < below.factors) {
      return fail(`requires fewer factors than ${JSON.stringify(below.acr)} below it`);
    }
    if (below.phishingResistant === true && phishingResistant !== true) {
      return fail(`drops the phishing resistance that ${JSON.stringify(below.acr)} below it requires`);
    }
    if (below.maxAge !== undefined && (maxAge === undefined || maxAge > below.maxAge)) {
      return fail(`accepts older proofs than ${JSON.stringify(below.acr)} below it (maxAge)`);
    }
  }
  seen.add(acr);
  const checked: AcrLevel = { acr, factors };
  if (phishingResistant !== undefined) checked.phishingResistant = phishingResistant;
  if (maxAge !== undefined) checked.maxAge = maxAge;
  return Object.freeze(checked);
}

/**
 * An ordered set of `acr` values, lowest to highest. A requested acr is met by the same or a higher rank,
 * never by comparing strings.
 *
 * The constructor throws a `TypeError` naming the offending level unless: there is at least one level;
 * each acr is a unique non-empty string; `factors` are integers from 1 to 3 that never decrease; and each
 * level is at least as strict as the one below (phishing resistance is kept once required, `maxAge`, when
 * set, is a positive integer that never grows).
 *
 * @example
 * ```ts
 * const ladder = new AcrLadder([
 *   { acr: 'urn:example:low', factors: 1 },
 *   { acr: 'urn:example:high', factors: 2, maxAge: 900 },
 * ]);
 * ladder.meets('urn:example:high', 'urn:example:low'); // true
 * ladder.meets('urn:example:low', 'urn:example:high'); // false
 * ```
 */
export class AcrLadder {
  /** The levels, lowest first; frozen copies of what was given. */
  readonly levels: readonly AcrLevel[];
  readonly #ranks: ReadonlyMap<string, number>;

  constructor(levels: readonly AcrLevel[]) {
    if (!Array.isArray(levels) || levels.length === 0) {
      throw new TypeError('Invalid acr ladder: it needs an array of at least one level');
    }
    const seen = new Set<string>();
    const checked: AcrLevel[] = [];
    for (let index = 0; index < levels.length; index++) {
      checked.push(checkLevel(index, levels[index], checked.at(-1), seen));
    }
    this.levels = Object.freeze(checked);
    this.#ranks = new Map(checked.map((level, rank) => [level.acr, rank]));
    Object.freeze(this);
  }

  /**
   * The rank of `acr` (0 for the lowest level), or undefined when the ladder does not know it.
   *
   * @example
   * ```ts
   * DEFAULT_ACR_LADDER.rankOf(ACR_MULTI_FACTOR); // 1
   * DEFAULT_ACR_LADDER.rankOf('urn:unknown'); // undefined
   * ```
   */
  rankOf(acr: string): number | undefined {
    return this.#ranks.get(acr);
  }

  /**
   * Whether `acr` is one of this ladder's levels.
   *
   * @example
   * ```ts
   * DEFAULT_ACR_LADDER.isKnown(ACR_ONE_FACTOR); // true
   * ```
   */
  isKnown(acr: string): boolean {
    return this.#ranks.has(acr);
  }

  /**
   * Whether an authentication at `actualAcr` meets a request for `requestedAcr`: both must be known and
   * the actual rank at least the requested one.
   *
   * @example
   * ```ts
   * DEFAULT_ACR_LADDER.meets(ACR_MULTI_FACTOR, ACR_ONE_FACTOR); // true
   * DEFAULT_ACR_LADDER.meets(ACR_ONE_FACTOR, ACR_MULTI_FACTOR); // false
   * ```
   */
  meets(actualAcr: string, requestedAcr: string): boolean {
    const actual = this.rankOf(actualAcr);
    const requested = this.rankOf(requestedAcr);
    return actual !== undefined && requested !== undefined && actual >= requested;
  }

  /**
   * The level for `acr`, or undefined when the ladder does not know it.
   *
   * @example
   * ```ts
   * DEFAULT_ACR_LADDER.level(ACR_MULTI_FACTOR)?.maxAge; // 43200
   * ```
   */
  level(acr: string): AcrLevel | undefined {
    const rank = this.rankOf(acr);
    return rank === undefined ? undefined : this.levels[rank];
  }
}

/**
 * Builds an {@link AcrLadder} from levels listed lowest first; the same checks and `TypeError`s as
 * `new AcrLadder(levels)`.
 *
 * @example
 * ```ts
 * const ladder = createAcrLadder([{ acr: 'urn:example:low', factors: 1 }]);
 * ladder.isKnown('urn:example:low'); // true
 * ```
 */
export function createAcrLadder(levels: readonly AcrLevel[]): AcrLadder {
  return new AcrLadder(levels);
}

/**
 * The default ladder: one factor < multi-factor < phishing-resistant. The two upper levels count a proof
 * for 12 hours (43200 s); one factor counts for as long as the session lasts.
 *
 * @example
 * ```ts
 * DEFAULT_ACR_LADDER.levels.map((level) => level.acr);
 * // [ACR_ONE_FACTOR, ACR_MULTI_FACTOR, ACR_PHISHING_RESISTANT]
 * ```
 */
export const DEFAULT_ACR_LADDER: AcrLadder = new AcrLadder([
  { acr: ACR_ONE_FACTOR, factors: 1 },
  { acr: ACR_MULTI_FACTOR, factors: 2, maxAge: 43_200 },
  { acr: ACR_PHISHING_RESISTANT, factors: 2, phishingResistant: true, maxAge: 43_200 },
]);
