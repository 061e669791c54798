/**
 * The Authentication Method Reference values registered by RFC 8176, section 2, in registry order.
 *
 * @example
 * ```ts
 * AMR_VALUES.includes('otp'); // true
 * ```
 */
export const AMR_VALUES = Object.freeze([
  'face',
  'fpt',
  'geo',
  'hwk',
  'iris',
  'kba',
  'mca',
  'mfa',
  'otp',
  'pin',
  'pop',
  'pwd',
  'rba',
  'retina',
  'sc',
  'sms',
  'swk',
  'tel',
  'user',
  'vbm',
  'wia',
] as const);

/**
 * One RFC 8176 `amr` value.
 *
 * @example
 * ```ts
 * const proven: AmrValue[] = ['pwd', 'otp', 'mfa'];
 * ```
 */
export type AmrValue = (typeof AMR_VALUES)[number];

const registered: ReadonlySet<string> = new Set(AMR_VALUES);

/**
 * Tells whether `v` is one of the RFC 8176 registered `amr` values (exact, case-sensitive match).
 *
 * @example
 * ```ts
 * isAmrValue('mfa'); // true
 * isAmrValue('MFA'); // false
 * ```
 */
export function isAmrValue(v: unknown): v is AmrValue {
  return typeof v === 'string' && registered.has(v);
}
