import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkPayoutAccountChange } from './payout-account-change.ts';

test('a change is normalized: the IBAN in electronic form, the holder with single spaces', () => {
  assert.deepEqual(
    checkPayoutAccountChange({ iban: ' de89 3704 0044 0532 0130 00 ', holder: '  Alice \t Example ' }),
    {
      ok: true,
      change: { iban: 'DE89370400440532013000', holder: 'Alice Example' },
    },
  );
});

const REFUSED: [name: string, input: Record<string, unknown>, problems: string[]][] = [
  ['nothing', {}, ['iban_format', 'holder_missing']],
  [
    'a mistyped IBAN and a blank holder',
    { iban: 'DE89370400440532013001', holder: '   ' },
    ['iban_checksum', 'holder_missing'],
  ],
  ['a one-letter holder', { iban: 'DE89370400440532013000', holder: 'A' }, ['holder_invalid']],
  ['a 71-character holder', { iban: 'DE89370400440532013000', holder: 'A'.repeat(71) }, ['holder_invalid']],
  [
    'a control character in the holder',
    { iban: 'DE89370400440532013000', holder: 'Alice\u0000Example' },
    ['holder_invalid'],
  ],
  [
    'repeated fields (arrays)',
    { iban: ['DE89370400440532013000'], holder: ['Alice'] },
    ['iban_format', 'holder_missing'],
  ],
];

for (const [name, input, problems] of REFUSED) {
  test(`refused: ${name}`, () => assert.deepEqual(checkPayoutAccountChange(input), { ok: false, problems }));
}
