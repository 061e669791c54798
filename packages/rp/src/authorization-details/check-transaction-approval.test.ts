import assert from 'node:assert/strict';
import { test } from 'node:test';
import { StepupRpError } from '../errors.ts';
import { checkTransactionApproval, type TransactionApprovalEvidence } from './check-transaction-approval.ts';
import { toTransactionDetails } from './transaction-details.ts';

const TYPE = 'payout_account_change';
const requested = toTransactionDetails(TYPE, { iban: 'DE89370400440532013000', holder: 'Alice Example' });
const approved = [{ type: TYPE, holder: 'Alice Example', iban: 'DE89370400440532013000' }];
const good: TransactionApprovalEvidence = {
  requested,
  idTokenDetails: approved,
  tokenResponseDetails: undefined,
  authTime: 1_000,
  startedAt: 990,
  now: 1_005,
  skew: 5,
};

const cases: [name: string, change: Partial<TransactionApprovalEvidence>, code: string | null][] = [
  ['positive control: the same details in another key order', {}, null],
  [
    'positive control: only the token response carries them',
    { idTokenDetails: undefined, tokenResponseDetails: approved },
    null,
  ],
  ['positive control: both carry them', { tokenResponseDetails: approved }, null],
  ['positive control: auth_time within the skew before the start', { authTime: 985 }, null],
  [
    'another IBAN',
    { idTokenDetails: [{ ...approved[0], iban: 'GB82WEST12345698765432' }] },
    'authorization_details_mismatch',
  ],
  ['an extra member', { idTokenDetails: [{ ...approved[0], amount: 1 }] }, 'authorization_details_mismatch'],
  ['a second detail', { idTokenDetails: [...approved, ...approved] }, 'authorization_details_mismatch'],
  [
    'another type',
    { idTokenDetails: [{ ...approved[0], type: 'payment_initiation' }] },
    'authorization_details_mismatch',
  ],
  [
    'the ID token right, the token response wrong',
    { tokenResponseDetails: [] },
    'authorization_details_mismatch',
  ],
  ['not an array', { idTokenDetails: approved[0] }, 'authorization_details_mismatch'],
  ['missing everywhere', { idTokenDetails: undefined }, 'authorization_details_mismatch'],
  [
    'a string of the right JSON is not the JSON',
    { idTokenDetails: requested },
    'authorization_details_mismatch',
  ],
  ['auth_time before the step-up started', { authTime: 984 }, 'approval_stale'],
  ['no auth_time', { authTime: undefined }, 'approval_stale'],
  ['auth_time in the future', { authTime: 1_011 }, 'approval_stale'],
];

for (const [name, change, code] of cases) {
  test(`checkTransactionApproval: ${name} → ${code ?? 'accepted'}`, () => {
    const run = () => checkTransactionApproval({ ...good, ...change });
    if (code === null) assert.doesNotThrow(run);
    else
      assert.throws(
        run,
        (error) => error instanceof StepupRpError && error.code === code && error.status === 403,
      );
  });
}

test('toTransactionDetails: misuse is a TypeError', () => {
  assert.throws(() => toTransactionDetails('', {}), TypeError);
  assert.throws(() => toTransactionDetails('bad type', {}), TypeError);
  assert.throws(() => toTransactionDetails(TYPE, { type: 'other' }), TypeError);
  assert.throws(() => toTransactionDetails(TYPE, [] as unknown as Record<string, unknown>), TypeError);
  assert.equal(toTransactionDetails(TYPE, { b: 1, a: 2 }), '[{"a":2,"b":1,"type":"payout_account_change"}]');
});
