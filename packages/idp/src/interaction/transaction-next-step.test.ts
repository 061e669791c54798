import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_ACR_LADDER, type ProvenMethod } from '@stepup/core';
import { readRequestedAuthentication } from '../oidc/requested-authentication.ts';
import { STEP_UP_REASON } from '../oidc/step-up-check.ts';
import { decideNextStep, type InteractionSituation, NO_TRANSACTION_FACTOR } from './next-step.ts';

const NOW = 1_800_000_000;
/** A session that proved the password and a push a minute ago: MFA, but not for this transaction. */
const SESSION: ProvenMethod[] = [
  { method: 'password', at: NOW - 60 },
  { method: 'push', at: NOW - 55 },
];

function transactionStep(approved: boolean, switchedOff: InteractionSituation['switchedOff'] = []) {
  return decideNextStep(
    {
      promptName: 'login',
      reasons: [STEP_UP_REASON],
      request: readRequestedAuthentication({}),
      sessionAccountId: 'a',
      sessionProofs: SESSION,
      accountId: undefined,
      proofs: [],
      startedAt: NOW - 5,
      switchedOff,
      transaction: { approved },
    },
    DEFAULT_ACR_LADDER,
    NOW,
  );
}

test("a session's earlier MFA does not finish a transaction-bound login: push or a security key is asked for", () => {
  const step = transactionStep(false);
  assert.equal(step.step, 'second-factor');
  if (step.step !== 'second-factor') return;
  assert.deepEqual(step.methods, ['push', 'security-key']);
  assert.equal(step.transaction, true);
  assert.equal(step.enroll, undefined);
});

test('an approval of the details finishes it', () => {
  assert.equal(transactionStep(true).step, 'finish');
});

test('with push and security keys switched off nothing can show the details: unmet, saying why', () => {
  assert.deepEqual(transactionStep(false, ['push', 'security-key']), {
    step: 'unmet',
    accountId: 'a',
    reason: NO_TRANSACTION_FACTOR,
  });
});
