import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkIban, formatIban } from './iban.ts';

// Valid examples from the ISO 13616 registry (the published example IBAN of each country).
const VALID: [input: string, normalized: string][] = [
  ['DE89 3704 0044 0532 0130 00', 'DE89370400440532013000'],
  ['gb82west12345698765432', 'GB82WEST12345698765432'],
  ['FR14 2004 1010 0505 0001 3M02 606', 'FR1420041010050500013M02606'],
  ['NL91ABNA0417164300', 'NL91ABNA0417164300'],
  ['BE68 5390 0754 7034', 'BE68539007547034'],
];

const INVALID: [name: string, input: string, problem: string][] = [
  ['one digit changed', 'DE89 3704 0044 0532 0130 01', 'iban_checksum'],
  ['two digits swapped', 'DE89 3704 0044 0532 0131 00', 'iban_checksum'],
  ['wrong check digits', 'DE88370400440532013000', 'iban_checksum'],
  ['too short for Germany', 'DE8937040044053201300', 'iban_length'],
  ['too long for the Netherlands', 'NL91ABNA04171643001', 'iban_length'],
  ['no country', '8937040044053201300012', 'iban_format'],
  ['punctuation', 'DE89-3704-0044-0532-0130-00', 'iban_format'],
  ['empty', '', 'iban_format'],
  ['letters as check digits', 'DEAB370400440532013000', 'iban_format'],
];

for (const [input, normalized] of VALID) {
  test(`checkIban accepts ${input}`, () =>
    assert.deepEqual(checkIban(input), { ok: true, iban: normalized }));
}
for (const [name, input, problem] of INVALID) {
  test(`checkIban refuses ${name} (${problem})`, () =>
    assert.deepEqual(checkIban(input), { ok: false, problem }));
}

test('formatIban groups by four', () => {
  assert.equal(formatIban('DE89370400440532013000'), 'DE89 3704 0044 0532 0130 00');
});
