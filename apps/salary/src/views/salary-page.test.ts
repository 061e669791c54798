import assert from 'node:assert/strict';
import { test } from 'node:test';
import { summarizeAuthentication } from '../authentication-summary.ts';
import { renderAuthenticationDetails } from './authentication-details.ts';
import { verifiedWith } from './salary-page.ts';

const MFA = 'http://schemas.openid.net/pape/policies/2007/06/multi-factor';
const NOW = 1_800_000_000;

test('with acr_time, the salary page says when the second step was made, and when the sign-in began', () => {
  // A password a minute ago, push 10 seconds ago: acr_time is the push, auth_time the password.
  const summary = summarizeAuthentication(
    { acr: MFA, amr: ['mfa', 'pwd', 'swk'], auth_time: NOW - 60, acr_time: NOW - 10 },
    { now: NOW, mfaAcr: MFA },
  );
  assert.equal(
    verifiedWith(summary),
    'You passed two-step verification 10 seconds ago: password + phone app or passkey. ' +
      'You signed in 1 minute ago.',
  );
});

test('with acr_time, the profile has a second-step line; without it, none', () => {
  const context = { acr: MFA, amr: ['mfa', 'pwd', 'swk'], auth_time: NOW - 60 };
  const withTime = String(
    renderAuthenticationDetails(
      summarizeAuthentication({ ...context, acr_time: NOW - 10 }, { now: NOW, mfaAcr: MFA }),
      context,
    ),
  );
  assert.match(
    withTime,
    /<dt>Second step <span class="claim">acr_time<\/span><\/dt>\n<dd><time datetime="[^"]+">10 seconds ago<\/time>/,
  );
  assert.match(withTime, /When the first step was made\.</);
  const without = String(
    renderAuthenticationDetails(summarizeAuthentication(context, { now: NOW, mfaAcr: MFA }), context),
  );
  assert.doesNotMatch(without, /Second step/);
  assert.match(without, /When the first step was made; the second came after it\./);
});

test('without acr_time, the salary page puts auth_time (the password’s time) on the sign-in, never on the second step', () => {
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
