import assert from 'node:assert/strict';
import { test } from 'node:test';
import { summarizeAuthentication } from '../authentication-summary.ts';
import { verifiedWith } from './salary-page.ts';

const MFA = 'http://schemas.openid.net/pape/policies/2007/06/multi-factor';
const NOW = 1_800_000_000;

test('the salary page puts auth_time (the password’s time) on the sign-in, never on the second step', () => {
  // A password a minute ago, push just now: auth_time is the earliest proof, the password.
  const summary = summarizeAuthentication(
    { acr: MFA, amr: ['mfa', 'pwd', 'swk'], auth_time: NOW - 60 },
    { now: NOW, mfaAcr: MFA },
  );
  assert.equal(
    verifiedWith(summary),
    'You opened this page with two-step verification: password + phone app or passkey. ' +
      'You signed in 1 minute ago; the second step came after.',
  );
});
