import { canonicalJson } from '@stepup/core';

/** RFC 9396 section 2: `type` is a string naming what the details describe. */
const TYPE = /^[\x21-\x7E]{1,128}$/;

/**
 * The `authorization_details` of one transaction — `[{ type, ...details }]` — in canonical JSON: the
 * exact value sent to the provider and compared with what the tokens carry back. Misuse (a bad type,
 * details that are not a plain JSON object, or that set `type` themselves) is a `TypeError`.
 *
 * @example
 * ```ts
 * toTransactionDetails('payout_account_change', { iban: 'DE89370400440532013000', holder: 'Alice' });
 * // '[{"holder":"Alice","iban":"DE89370400440532013000","type":"payout_account_change"}]'
 * ```
 */
export function toTransactionDetails(type: string, details: Record<string, unknown>): string {
  if (typeof type !== 'string' || !TYPE.test(type)) {
    throw new TypeError('requireTransaction: type must be 1 to 128 printable ASCII characters');
  }
  if (typeof details !== 'object' || details === null || Array.isArray(details)) {
    throw new TypeError('requireTransaction: details must be a plain object');
  }
  if ('type' in details)
    throw new TypeError('requireTransaction: details must not set type; pass it as type');
  return canonicalJson([{ ...details, type }]);
}

/** The canonical JSON of `authorization_details` received from the provider; undefined when absent or not JSON. */
export function canonicalReceivedDetails(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  try {
    return canonicalJson(value);
  } catch {
    return undefined;
  }
}
