import { checkIban, type IbanProblem } from './iban.ts';

/** The transaction type of a payout account change, as registered at the provider (RFC 9396 `type`). */
export const PAYOUT_ACCOUNT_CHANGE = 'payout_account_change';

/**
 * The resource indicator (RFC 8707) a payout account change is approved for: the app's payout
 * account page. Providers that bind `authorization_details` to a resource server (oidc-provider
 * refuses them without one) register this identifier.
 */
export function payoutAccountResource(baseUrl: string): string {
  return new URL('/payout-account', baseUrl).href;
}

/** A new payout account, checked: what the person approves, and what is saved. */
export interface PayoutAccountChange {
  /** Electronic form: upper case, no spaces. */
  iban: string;
  holder: string;
}

export type PayoutAccountProblem = IbanProblem | 'holder_missing' | 'holder_invalid';

export type PayoutAccountChangeCheck =
  | { ok: true; change: PayoutAccountChange }
  | { ok: false; problems: PayoutAccountProblem[] };

/**
 * Checks a change as sent by the form (or, after the approval, by the confirm link): a valid IBAN,
 * and a holder name of 2 to 70 characters without control characters. Anything else is refused with
 * every problem at once, and nothing is changed.
 */
export function checkPayoutAccountChange(input: {
  iban?: unknown;
  holder?: unknown;
}): PayoutAccountChangeCheck {
  const problems: PayoutAccountProblem[] = [];
  const iban = checkIban(typeof input.iban === 'string' ? input.iban : '');
  if (!iban.ok) problems.push(iban.problem);
  const holder = typeof input.holder === 'string' ? input.holder.trim().replace(/\s+/g, ' ') : '';
  if (holder === '') problems.push('holder_missing');
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is refused.
  else if (holder.length < 2 || holder.length > 70 || /[\u0000-\u001F\u007F]/.test(holder)) {
    problems.push('holder_invalid');
  }
  if (!iban.ok || problems.length > 0) return { ok: false, problems };
  return { ok: true, change: { iban: iban.iban, holder } };
}

/** What each problem means, for the page. */
export const PAYOUT_ACCOUNT_PROBLEMS: Readonly<Record<PayoutAccountProblem, string>> = {
  iban_format:
    'The IBAN is not in the right shape: two letters for the country, two check digits, then the account (letters and digits).',
  iban_length: 'The IBAN does not have the right number of characters for its country.',
  iban_checksum: 'The IBAN’s check digits do not match: a character is probably mistyped.',
  holder_missing: 'Enter the name of the account holder.',
  holder_invalid: 'The account holder’s name must be 2 to 70 characters.',
};
