import type { AuthContext } from './context.ts';

/**
 * Whether `v` is an `amr` claim: a real array (not an array-like, not a string) whose every element is an
 * own string, with no holes (OIDC Core 2: "JSON array of strings").
 *
 * @example
 * ```ts
 * isAmrClaim(['pwd', 'mfa']); // true
 * isAmrClaim('mfa'); // false
 * isAmrClaim({ 0: 'mfa', length: 1 }); // false
 * ```
 */
export function isAmrClaim(v: unknown): v is string[] {
  if (!Array.isArray(v)) return false;
  for (let index = 0; index < v.length; index++) {
    // hasOwn first: a hole would otherwise read through Array.prototype.
    if (!Object.hasOwn(v, index) || typeof v[index] !== 'string') return false;
  }
  return true;
}

/**
 * Whether `v` is a NumericDate as this project accepts it (RFC 7519 section 2): a non-negative safe
 * integer number of seconds since the epoch. Strings, fractions, NaN and infinities are refused.
 *
 * @example
 * ```ts
 * isNumericDate(1_700_000_000); // true
 * isNumericDate('1700000000'); // false
 * isNumericDate(1.5); // false
 * ```
 */
export function isNumericDate(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}

/**
 * Whether `v` is an `acr` claim: a non-empty string (OIDC Core 2).
 *
 * @example
 * ```ts
 * isAcrClaim(ACR_MULTI_FACTOR); // true
 * isAcrClaim(''); // false
 * ```
 */
export function isAcrClaim(v: unknown): v is string {
  return typeof v === 'string' && v !== '';
}

// The value of an own data property; inherited properties and getters (which could answer differently
// on each read) count as absent.
function readOwnValue(payload: unknown, name: string): unknown {
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) return undefined;
  if (!Object.hasOwn(payload, name)) return undefined;
  const descriptor = Object.getOwnPropertyDescriptor(payload, name);
  return descriptor !== undefined && 'value' in descriptor ? descriptor.value : undefined;
}

/**
 * Reads `acr`, `amr` and `auth_time` from a decoded (and already verified) token payload. Only own
 * properties count; all three must be present and well typed ({@link isAcrClaim}, {@link isAmrClaim},
 * {@link isNumericDate}), or the result is undefined. `amr` values outside RFC 8176 are kept as they are;
 * the returned array is a copy.
 *
 * @example
 * ```ts
 * readAuthContext({ sub: 'u1', acr: ACR_MULTI_FACTOR, amr: ['mfa', 'otp', 'pwd'], auth_time: 1000 });
 * // { acr: ACR_MULTI_FACTOR, amr: ['mfa', 'otp', 'pwd'], auth_time: 1000 }
 * readAuthContext({ acr: ACR_MULTI_FACTOR, amr: 'mfa', auth_time: 1000 }); // undefined
 * ```
 */
export function readAuthContext(payload: unknown): AuthContext | undefined {
  const acr = readOwnValue(payload, 'acr');
  const amr = readOwnValue(payload, 'amr');
  const authTime = readOwnValue(payload, 'auth_time');
  if (!isAcrClaim(acr) || !isAmrClaim(amr) || !isNumericDate(authTime)) return undefined;
  return { acr, amr: [...amr], auth_time: authTime };
}

/**
 * Whether a decoded token payload's own `amr` claim is a well-formed array of strings holding `value`
 * exactly. The seed's `Array.isArray(amr) && amr.indexOf('mfa') >= 0`, made strict: a string `amr`
 * (`"nomfa"`), an array-like object, an array with holes or non-strings, and an `amr` inherited from
 * the prototype all give false.
 *
 * @example
 * ```ts
 * hasAmr({ amr: ['pwd', 'mfa'] }, 'mfa'); // true
 * hasAmr({ amr: 'nomfa' }, 'mfa'); // false
 * ```
 */
export function hasAmr(payload: unknown, value: string): boolean {
  if (typeof value !== 'string') throw new TypeError('hasAmr: value must be a string');
  const amr = readOwnValue(payload, 'amr');
  return isAmrClaim(amr) && amr.includes(value);
}
