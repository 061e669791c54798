import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  compileAuthorizationDetailType,
  createSchemaCompiler,
} from '../../../packages/idp/src/authorization-details/authorization-detail-type.ts';
import { checkPayoutAccountChange } from '../src/payout/payout-account-change.ts';
import { PAYOUT_ACCOUNT_CHANGE_TYPE } from './payout-transaction.ts';

// The demo's registration of the payout transaction, compiled as the provider compiles it: every
// change the app sends passes its schema, and what the app never sends does not.

const registered = compileAuthorizationDetailType(PAYOUT_ACCOUNT_CHANGE_TYPE, createSchemaCompiler());

/** What the app sends for a form entry: `{ type, ...checked change }`. */
function sent(iban: string, holder: string): Record<string, unknown> {
  const checked = checkPayoutAccountChange({ iban, holder });
  assert.ok(checked.ok, `${iban} / ${holder} is accepted by the app`);
  return { type: 'payout_account_change', ...checked.change };
}

const ACCEPTED_BY_THE_APP: [iban: string, holder: string][] = [
  ['DE89 3704 0044 0532 0130 00', 'Alice Example'],
  ['gb82west12345698765432', '  Zoë   O’Brien '],
  ['FR14 2004 1010 0505 0001 3M02 606', 'A'.repeat(70)],
  ['NL91ABNA0417164300', 'Jo'],
  ['BE68 5390 0754 7034', '山田 太郎'],
];

for (const [iban, holder] of ACCEPTED_BY_THE_APP) {
  test(`the registered schema accepts what the app sends for ${iban}`, () => {
    assert.equal(registered.problemWith(sent(iban, holder)), undefined);
  });
}

const NEVER_SENT: [name: string, detail: Record<string, unknown>][] = [
  [
    'an IBAN with spaces',
    { type: 'payout_account_change', iban: 'DE89 3704 0044 0532 0130 00', holder: 'Al' },
  ],
  ['an IBAN in lower case', { type: 'payout_account_change', iban: 'de89370400440532013000', holder: 'Al' }],
  [
    'a holder of 71 characters',
    { type: 'payout_account_change', iban: 'DE89370400440532013000', holder: 'A'.repeat(71) },
  ],
  [
    'a holder with a line break',
    { type: 'payout_account_change', iban: 'DE89370400440532013000', holder: 'Al\nice' },
  ],
  ['no holder', { type: 'payout_account_change', iban: 'DE89370400440532013000' }],
  [
    'another member',
    { type: 'payout_account_change', iban: 'DE89370400440532013000', holder: 'Al', amount: 1 },
  ],
];

for (const [name, detail] of NEVER_SENT) {
  test(`the registered schema refuses ${name}`, () => {
    assert.notEqual(registered.problemWith(detail), undefined);
  });
}

test('the phone reads the change as a sentence', () => {
  assert.equal(
    registered.describe(sent('DE89 3704 0044 0532 0130 00', 'Alice Example')),
    'Change salary payout account: to DE89370400440532013000, holder Alice Example',
  );
});
