/**
 * IBAN lengths by country (ISO 13616 registry) for the countries payroll pays into; any other
 * country gets the general shape check only.
 */
const IBAN_LENGTHS: Readonly<Record<string, number>> = {
  AT: 20,
  BE: 16,
  CH: 21,
  DE: 22,
  DK: 18,
  ES: 24,
  FI: 18,
  FR: 27,
  GB: 22,
  IE: 22,
  IT: 27,
  LU: 20,
  NL: 18,
  NO: 15,
  PL: 28,
  PT: 25,
  SE: 24,
};

/** Why an IBAN is refused, as a stable code the page turns into words. */
export type IbanProblem = 'iban_format' | 'iban_length' | 'iban_checksum';

export type IbanCheck = { ok: true; iban: string } | { ok: false; problem: IbanProblem };

/** The electronic form: upper case, spaces removed (people type and paste the grouped form). */
export function normalizeIban(input: string): string {
  return input.replace(/[\s\u00A0]+/g, '').toUpperCase();
}

/** ISO 7064 MOD 97-10 over the IBAN with its first four characters moved to the end, letters as 10–35. */
function ibanRemainder(iban: string): number {
  const rearranged = iban.slice(4) + iban.slice(0, 4);
  let remainder = 0;
  for (const character of rearranged) {
    const digits = /[A-Z]/.test(character) ? String(character.charCodeAt(0) - 55) : character;
    for (const digit of digits) remainder = (remainder * 10 + Number(digit)) % 97;
  }
  return remainder;
}

/**
 * Checks an IBAN as typed: the shape (country, check digits, up to 30 letters and digits), the
 * country's length when known, and the check digits (ISO 13616: remainder 1). The normalized IBAN
 * when it passes.
 *
 * @example
 * ```ts
 * checkIban('de89 3704 0044 0532 0130 00'); // { ok: true, iban: 'DE89370400440532013000' }
 * ```
 */
export function checkIban(input: string): IbanCheck {
  const iban = normalizeIban(input);
  if (!/^[A-Z]{2}\d{2}[A-Z0-9]{11,30}$/.test(iban)) return { ok: false, problem: 'iban_format' };
  const expected = IBAN_LENGTHS[iban.slice(0, 2)];
  if (expected !== undefined && iban.length !== expected) return { ok: false, problem: 'iban_length' };
  if (ibanRemainder(iban) !== 1) return { ok: false, problem: 'iban_checksum' };
  return { ok: true, iban };
}

/** The IBAN in groups of four, as banks print it. */
export function formatIban(iban: string): string {
  return iban.replace(/(.{4})(?=.)/g, '$1 ');
}
